// One bulk-collection run (seed 000 §4): the checkpoint it resumes, a main pass over the symbol list and a final
// pass over what failed — one chunk loop for both: fetch a chunk with bounded concurrency, save its rows in one
// transaction, settle each symbol (counts, failed-codes CSV, recovery queue), and only THEN move the checkpoint.
import type { Logger } from 'pino';
import { AbortedError, KisdError, errorMessage } from '../core/errors.js';
import { formatKstTimestamp, kstIsoDate } from '../core/kst.js';
import { retry } from '../core/retry.js';
import type { BulkCollectorOptions, CollectDataset, CollectSummary } from './bulk-collector-types.js';
import { checkpointPath, freshCheckpoint, hashSymbols, loadCheckpoint, saveCheckpoint, type CollectCheckpoint } from './checkpoint.js';
import { appendFailedCodes, failedCodesPath, type FailedCodeLine } from './failed-codes-csv.js';
import { classifyFetchError } from './fetch-errors.js';

type Outcome<Row> = { status: 'ok'; rows: Row[] } | { status: 'not-found' } | { status: 'failed' | 'rejected'; error: unknown; attempts: number };
type PassName = 'main' | 'final-pass';

/** Where a pass is in its list; `advance` records n more symbols as durable. */
interface PassCursor {
  list(): readonly string[];
  index(): number;
  advance(n: number, codes: readonly string[]): void;
}

/** Settings the collector compiles once and every run shares. */
export interface CompiledCollectorOptions extends BulkCollectorOptions {
  concurrency: number;
  checkpointEvery: number;
  finalPassDelayMs: number;
  saveAttempts: number;
}

export class CollectionRun<Row> {
  private readonly log: Logger;
  private readonly startedMono: number;
  private readonly date: string;
  private readonly cpPath: string;
  private readonly csvPath: string;
  private readonly resumedFromIndex: number;
  private readonly rejectedInRun: string[] = [];
  private readonly counterAtStart: number;
  private symbolAttempts = 0;
  /** The error that stopped the run (disposition 'stop', e.g. a refused API key); the summary names it. */
  private stoppedBy: unknown;
  /** Aborted with the caller's signal, or by a 'stop' error: the other workers finish their symbol and end. */
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;
  /** Outcomes of the chunk in flight: progress shows them at once, the checkpoint takes them when durable. */
  private readonly live = { collected: 0, notFound: 0, skipped: 0, recovered: 0 };

  private constructor(
    private readonly o: CompiledCollectorOptions,
    private readonly dataset: CollectDataset<Row>,
    private readonly symbols: readonly string[],
    callerSignal: AbortSignal | undefined,
    private readonly cp: CollectCheckpoint,
    meta: { log: Logger; startedMono: number; date: string },
  ) {
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.stop.signal]) : this.stop.signal;
    this.log = meta.log;
    this.startedMono = meta.startedMono;
    this.date = meta.date;
    this.cpPath = checkpointPath(o.dataDir, dataset.name);
    this.csvPath = failedCodesPath(o.dataDir, dataset.name);
    this.resumedFromIndex = cp.nextIndex;
    // Every HTTP request the client sent for this run, its own retries included, when it can tell us.
    this.counterAtStart = o.requestCounter?.() ?? 0;
  }

  /** Loads today's checkpoint for this dataset and symbol list (or starts a fresh one). */
  static async open<Row>(o: CompiledCollectorOptions, dataset: CollectDataset<Row>, symbols: readonly string[], signal: AbortSignal | undefined): Promise<CollectionRun<Row>> {
    const log = o.logger.child({ component: 'bulk-collector', dataset: dataset.name });
    const startedMono = o.clock.monotonicMs();
    const date = kstIsoDate(o.clock.nowMs());
    const hash = hashSymbols(symbols, dataset.params);
    const cpPath = checkpointPath(o.dataDir, dataset.name);
    const loaded = await loadCheckpoint(cpPath, { dataset: dataset.name, date, symbolsHash: hash, total: symbols.length }, o.clock.nowMs(), log);
    if (loaded) log.info({ nextIndex: loaded.nextIndex, phase: loaded.phase, lastCode: loaded.lastCode }, 'resuming from checkpoint');
    const cp = loaded ?? freshCheckpoint(dataset.name, date, hash, symbols.length, o.clock.nowMs());
    return new CollectionRun(o, dataset, symbols, signal, cp, { log, startedMono, date });
  }

  async execute(): Promise<CollectSummary> {
    const { cp, signal, symbols } = this;
    if (cp.phase === 'done') {
      this.log.info('dataset already collected today (checkpoint says done)');
      return this.summary(false, true);
    }
    if (cp.phase === 'main') {
      const main: PassCursor = {
        list: () => symbols,
        index: () => cp.nextIndex,
        advance: (n, codes) => {
          cp.nextIndex += n;
          if (n > 0) cp.lastCode = codes[n - 1] ?? cp.lastCode;
          if (cp.nextIndex >= symbols.length) cp.phase = 'final-pass';
        },
      };
      if ((await this.pass('main', main)) === 'aborted') return this.summary(true);
    }
    // Stopped short of the end — shutdown, or a fetch error whose disposition is 'abort' (e.g. credentials
    // refused) — the checkpoint stays in 'main' so the next run resumes; never mark it done.
    if (signal?.aborted || cp.nextIndex < symbols.length) {
      this.log.info({ nextIndex: cp.nextIndex, total: symbols.length }, signal?.aborted ? 'collection aborted; checkpoint saved' : 'collection stopped on an abort-class error; checkpoint saved, the next run resumes');
      return this.summary(true);
    }
    if (cp.phase === 'final-pass' && cp.finalPassIndex < cp.failedCodes.length) {
      if (this.o.finalPassDelayMs > 0) {
        try {
          await this.o.clock.sleep(this.o.finalPassDelayMs, signal);
        } catch {
          return this.summary(true);
        }
      }
      const final: PassCursor = { list: () => cp.failedCodes, index: () => cp.finalPassIndex, advance: (n) => void (cp.finalPassIndex += n) };
      if ((await this.pass('final-pass', final)) === 'aborted') return this.summary(true);
      if (signal?.aborted || cp.finalPassIndex < cp.failedCodes.length) return this.summary(true);
    }
    return this.finish();
  }

  /** The chunk loop both passes share; 'aborted' when a shutdown stopped a save (the checkpoint stays put). */
  private async pass(name: PassName, cursor: PassCursor): Promise<'ended' | 'aborted'> {
    const { cp } = this;
    const phaseStillRuns = (): boolean => (name === 'main' ? cp.phase === 'main' : true);
    while (phaseStillRuns() && cursor.index() < cursor.list().length && !this.signal?.aborted) {
      const list = cursor.list();
      const codes = list.slice(cursor.index(), cursor.index() + this.o.checkpointEvery);
      let doneInPhase = cursor.index();
      const outcomes = await this.fetchChunk(codes, (code) => this.progress(name, ++doneInPhase, list.length, code), name === 'final-pass');
      const n = prefixLength(outcomes);
      const finished = outcomes.slice(0, n) as Outcome<Row>[];
      const rows = finished.flatMap((o) => (o.status === 'ok' ? o.rows : []));
      if (!(await this.saveRows(rows))) return 'aborted';
      if (name === 'main') await this.settleMain(finished, codes);
      else this.settleFinal(finished, codes);
      cp.counts.rows += rows.length;
      // Everything up to the cursor + n is now durable: only now may the checkpoint move.
      cursor.advance(n, codes);
      cp.updatedAtMs = this.o.clock.nowMs();
      await saveCheckpoint(this.cpPath, cp);
      if (n < codes.length) break; // aborted mid-chunk
    }
    return 'ended';
  }

  /** Fetches a chunk with bounded concurrency; entries stay undefined for symbols not finished (abort). */
  private async fetchChunk(codes: readonly string[], onDone: (code: string) => void, finalPass: boolean): Promise<(Outcome<Row> | undefined)[]> {
    const outcomes: (Outcome<Row> | undefined)[] = new Array(codes.length).fill(undefined);
    const { signal, live } = this;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < codes.length && !signal?.aborted) {
        const i = next++;
        const code = codes[i] as string;
        const o = await this.fetchOne(code);
        if (o === undefined) return; // aborted
        outcomes[i] = o;
        if (o.status === 'ok') live[finalPass ? 'recovered' : 'collected']++;
        else if (o.status === 'not-found') live[finalPass ? 'recovered' : 'notFound']++;
        else if (!finalPass) live.skipped++;
        onDone(code);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, codes.length) }, worker));
    return outcomes;
  }

  /** One symbol through the fetcher (its own retries included); undefined when a shutdown or an abort-class error stopped it. */
  private async fetchOne(code: string): Promise<Outcome<Row> | undefined> {
    const { signal } = this;
    try {
      const res = await this.dataset.fetcher.fetch({ targetCodes: [code], signal, params: this.dataset.params });
      this.symbolAttempts += res.requests ?? 1;
      const failure = res.failed[0];
      if (failure === undefined) return { status: 'ok', rows: res.ok };
      const disposition = classifyFetchError(failure.error).disposition;
      if (disposition === 'stop' && !signal?.aborted) {
        // No symbol can succeed until a person acts: end the run here, the checkpoint stays on this symbol.
        this.stoppedBy ??= failure.error;
        this.stop.abort();
        return undefined;
      }
      if (disposition === 'abort' || signal?.aborted) return undefined;
      if (disposition === 'skip') return { status: 'not-found' };
      return { status: disposition === 'reject' ? 'rejected' : 'failed', error: failure.error, attempts: failure.attempts ?? 1 };
    } catch (err) {
      this.symbolAttempts += 1;
      if (signal?.aborted || classifyFetchError(err).disposition === 'abort') return undefined;
      return { status: 'failed', error: err, attempts: 1 };
    }
  }

  /** Saves a chunk's rows, retrying; false when aborted (the checkpoint then stays put and a resume redoes the chunk). */
  private async saveRows(rows: Row[]): Promise<boolean> {
    if (rows.length === 0) return true;
    const { dataset, signal, log } = this;
    try {
      await retry(async () => dataset.save(rows), {
        policy: { attempts: this.o.saveAttempts, baseMs: 1_000, capMs: 60_000, jitterMs: 0 },
        clock: this.o.clock,
        signal,
        what: `${dataset.name}: saving rows`,
        firstAttemptDespiteAbort: true, // rows already fetched are saved even on shutdown; only the waits end
        onRetry: ({ attempt, error }) => log.warn({ attempt, err: errorMessage(error) }, 'saving rows failed; retrying'),
      });
      return true;
    } catch (err) {
      if (err instanceof AbortedError || signal?.aborted) return false;
      throw new KisdError('KISD_COLLECT_STORAGE', `${dataset.name}: could not save ${rows.length} rows: ${errorMessage(err)}`, {
        disposition: 'retryable',
        cause: err,
      });
    }
  }

  /** Main pass: count each finished symbol; failures go to the CSV and (unless refused as invalid) the queue. */
  private async settleMain(finished: readonly Outcome<Row>[], codes: readonly string[]): Promise<void> {
    const { cp, log, date } = this;
    const failedLines: FailedCodeLine[] = [];
    const rejected: string[] = [];
    Object.assign(this.live, { collected: 0, notFound: 0, skipped: 0 });
    const recordedAt = (): string => formatKstTimestamp(this.o.clock.nowMs());
    finished.forEach((o, i) => {
      const code = codes[i] as string;
      if (o.status === 'ok') cp.counts.collected++;
      else if (o.status === 'not-found') cp.counts.notFound++;
      else if (o.status === 'rejected') {
        // Permanent: in the failed-codes CSV for a person to fix the list, never retried or queued.
        cp.counts.skipped++;
        rejected.push(code);
        this.rejectedInRun.push(code);
        failedLines.push({ date, code, errorKind: 'invalid-input', error: errorMessage(o.error).slice(0, 500), attempts: o.attempts, recordedAt: recordedAt() });
      } else {
        cp.counts.skipped++;
        cp.failedCodes.push(code);
        const kind = classifyFetchError(o.error).kind;
        const message = errorMessage(o.error).slice(0, 500);
        failedLines.push({ date, code, errorKind: kind, error: message, attempts: o.attempts, recordedAt: recordedAt() });
        this.enqueue(code, `${kind}: ${message}`);
      }
    });
    await appendFailedCodes(this.csvPath, failedLines).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not append failed codes CSV'));
    const retriable = failedLines.filter((l) => !rejected.includes(l.code));
    if (retriable.length > 0) log.warn({ codes: retriable.map((l) => l.code) }, 'symbols skipped after retries (queued for the recovery worker)');
    if (rejected.length > 0) log.warn({ codes: rejected }, 'symbols KIS refused as invalid input (e.g. a wrong code); not retried or queued: fix the symbol list');
  }

  private enqueue(code: string, errorMessageText: string): void {
    const { dataset } = this;
    try {
      this.o.queue?.enqueue({
        fetcherName: dataset.fetcher.name,
        targetCode: code,
        taskType: dataset.taskType,
        params: dataset.params ? { ...dataset.params } : undefined,
        errorMessage: errorMessageText,
        maxRetries: this.o.queueMaxRetries ?? 5,
      });
    } catch (err) {
      this.log.error({ code, err: errorMessage(err) }, 'could not enqueue failed symbol; it is still in the failed-codes CSV');
    }
  }

  /** Final pass: what came back is recovered and its queued task closed; what still fails stays queued. */
  private settleFinal(finished: readonly Outcome<Row>[], codes: readonly string[]): void {
    const { cp, dataset } = this;
    this.live.recovered = 0;
    finished.forEach((o, i) => {
      const code = codes[i] as string;
      if (o.status === 'failed' || o.status === 'rejected') return; // stays queued for the recovery worker
      cp.recoveredCodes.push(code);
      cp.counts.recovered++;
      try {
        this.o.queue?.completeOpen(dataset.fetcher.name, code, dataset.taskType);
      } catch (err) {
        this.log.error({ code, err: errorMessage(err) }, 'could not close the recovered task in the queue');
      }
    });
  }

  /** Marks the day done, alerts about what is still missing, logs the totals. */
  private async finish(): Promise<CollectSummary> {
    const { cp } = this;
    cp.phase = 'done';
    cp.updatedAtMs = this.o.clock.nowMs();
    await saveCheckpoint(this.cpPath, cp);
    const result = this.summary(false);
    if (result.stillFailed.length > 0) this.alertStillFailed(result);
    this.log.info(
      { collected: result.collected, notFound: result.notFound, skipped: result.skipped, recovered: result.recovered, stillFailed: result.stillFailed.length, elapsedMs: result.elapsedMs, requestsPerSec: Number(result.requestsPerSec.toFixed(2)) },
      'collection finished',
    );
    return result;
  }

  /** One alert per finished run with symbols still missing: WARNING when some failed, ERROR when all did (seed 002 §10). */
  private alertStillFailed(result: CollectSummary): void {
    if (!this.o.alerts) return;
    const { dataset, date, csvPath } = this;
    const none = result.collected + result.notFound + result.recovered === 0;
    void this.o.alerts
      .send({
        key: `collect-failed:${dataset.name}:${date}`,
        level: none ? 'ERROR' : 'WARNING',
        title: `${dataset.name}: ${result.stillFailed.length}/${result.total} symbols could not be collected`,
        what: `The ${dataset.name} collection of ${date} finished without data for ${result.stillFailed.length} symbol(s) (source ${dataset.fetcher.name}).`,
        symbols: result.stillFailed,
        tried: `Each symbol was retried with back-off during the run, then once more in a final pass; they are listed in ${csvPath} and wait in the recovery queue (retried every 10 minutes).`,
        nextSteps: none
          ? 'Nothing was collected: check the KIS connection and token (kisd status, the log), then re-run the collection.'
          : 'Usually nothing: the recovery worker keeps retrying. If they stay missing, check `kisd queue list` for the last error.',
        details: { collected: result.collected, skipped: result.skipped, recovered: result.recovered },
      })
      .catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'could not send collection alert'));
  }

  private sent(): number {
    return this.o.requestCounter ? this.o.requestCounter() - this.counterAtStart : this.symbolAttempts;
  }

  private elapsed(): number {
    return this.o.clock.monotonicMs() - this.startedMono;
  }

  private rate(): number {
    return this.elapsed() > 0 ? (this.sent() * 1000) / this.elapsed() : 0;
  }

  private progress(phase: PassName, done: number, total: number, code: string): void {
    if (!this.o.onProgress) return;
    try {
      const c = this.cp.counts;
      const live = this.live;
      const counts = { ...c, collected: c.collected + live.collected, notFound: c.notFound + live.notFound, skipped: c.skipped + live.skipped, recovered: c.recovered + live.recovered };
      this.o.onProgress({ dataset: this.dataset.name, phase, done, total, ...counts, code, elapsedMs: this.elapsed(), requests: this.sent(), requestsPerSec: this.rate() });
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'progress callback threw');
    }
  }

  private summary(aborted: boolean, alreadyComplete = false): CollectSummary {
    const { cp } = this;
    const recovered = new Set(cp.recoveredCodes);
    return {
      dataset: this.dataset.name,
      date: this.date,
      total: this.symbols.length,
      collected: cp.counts.collected,
      notFound: cp.counts.notFound,
      skipped: cp.counts.skipped,
      recovered: cp.counts.recovered,
      stillFailed: cp.failedCodes.filter((c) => !recovered.has(c)),
      rejected: [...this.rejectedInRun],
      rows: cp.counts.rows,
      resumedFromIndex: this.resumedFromIndex,
      elapsedMs: this.elapsed(),
      requests: this.sent(),
      requestsPerSec: this.rate(),
      aborted,
      alreadyComplete,
      ...(this.stoppedBy !== undefined ? { stoppedBy: errorMessage(this.stoppedBy) } : {}),
    };
  }
}

/** Length of the finished prefix: the checkpoint may only cover a contiguous run of finished symbols. */
function prefixLength<T>(outcomes: readonly (T | undefined)[]): number {
  const i = outcomes.findIndex((o) => o === undefined);
  return i < 0 ? outcomes.length : i;
}
