// Bulk collection over a long symbol list (seed 000 §4): symbols go through a Fetcher a few at a time
// (the REST client's shared limiter does the pacing); every `checkpointEvery` symbols the rows are saved
// in one transaction and only THEN the checkpoint advances, so a crash at any instant resumes without
// losing or skipping a symbol. Symbols still failing after their retries are skipped, written to
// failed_codes_<dataset>.csv and the recovery queue, and re-collected in a final pass.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { KisdError, errorMessage } from '../core/errors.js';
import { formatKstTimestamp, kstIsoDate } from '../core/kst.js';
import type { EnqueueInput } from '../store/recovery-queue-repo.js';
import type { Alert } from '../alerts/types.js';
import { checkpointPath, freshCheckpoint, hashSymbols, loadCheckpoint, saveCheckpoint, type CollectCheckpoint } from './checkpoint.js';
import { appendFailedCodes, failedCodesPath, type FailedCodeLine } from './failed-codes-csv.js';
import { classifyFetchError } from './fetch-errors.js';
import type { Fetcher } from './fetcher.js';
import type { CollectProgress } from './progress.js';

/** A dataset: where rows come from and how they are stored. */
export interface CollectDataset<Row> {
  /** Names the checkpoint and failed-codes files: `progress/<name>.json`, `csv/failed_codes_<name>.csv`. */
  name: string;
  /** recovery_queue.task_type, e.g. 'daily_bars'. */
  taskType: string;
  fetcher: Fetcher<Row>;
  /** Saves rows atomically (one SQLite transaction) and idempotently (UPSERT on the natural key). */
  save(rows: readonly Row[]): void | Promise<void>;
  /** Passed to every fetch and stored with queued tasks (e.g. a date range). */
  params?: Readonly<Record<string, unknown>>;
}

/** The slice of the recovery queue the collector uses. */
export interface CollectorQueuePort {
  enqueue(input: EnqueueInput): unknown;
  completeOpen(fetcherName: string, targetCode: string, taskType: string): unknown;
}

export interface BulkCollectorOptions {
  /** Checkpoints go to `<dataDir>/progress`, failed codes to `<dataDir>/csv`. */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  queue?: CollectorQueuePort;
  /** Symbols in flight at once. Default 2 (pacing is the REST limiter's job). */
  concurrency?: number;
  /** Save + checkpoint every N symbols. Default 20. */
  checkpointEvery?: number;
  /** Pause before the final pass over failed symbols. Default 30000 ms. */
  finalPassDelayMs?: number;
  /** max_retries of queued tasks. Default 5. */
  queueMaxRetries?: number;
  /** Attempts to save a chunk before giving up the run. Default 3. */
  saveAttempts?: number;
  onProgress?: (progress: CollectProgress) => void;
  /**
   * Total HTTP requests the client has sent so far (its own retries included). When given, progress and the
   * summary count these, which is what the server sees; otherwise one per symbol attempt.
   */
  requestCounter?: () => number;
  /** Gets one alert per finished run with symbols still missing: WARNING when some failed, ERROR when all did (seed 002 §10). */
  alerts?: { send(alert: Alert): Promise<unknown> };
}

export interface CollectSummary {
  dataset: string;
  /** KST date of the run "YYYY-MM-DD". */
  date: string;
  total: number;
  /** Symbols whose data was saved in the main pass (across resumes). */
  collected: number;
  /** Symbols the source has no data for (not an error, not queued). */
  notFound: number;
  /** Symbols that failed after their retries in the main pass (CSV + queue). */
  skipped: number;
  /** Of the skipped, those the final pass got. */
  recovered: number;
  /** Still missing at the end; they wait in the recovery queue. */
  stillFailed: string[];
  /** Refused by KIS as invalid input in this run (in the failed-codes CSV; never retried or queued). */
  rejected: string[];
  rows: number;
  /** Index the run resumed from (0 for a fresh run). */
  resumedFromIndex: number;
  elapsedMs: number;
  requests: number;
  requestsPerSec: number;
  aborted: boolean;
  /** The checkpoint said this dataset was already finished today; nothing was fetched. */
  alreadyComplete: boolean;
}

type Outcome<Row> = { status: 'ok'; rows: Row[] } | { status: 'not-found' } | { status: 'failed' | 'rejected'; error: unknown; attempts: number };

export interface BulkCollector {
  /**
   * Collects `symbols` into the dataset, resuming today's checkpoint if one matches.
   * Resolves with a summary (also when aborted). Rejects with KISD_COLLECT_STORAGE when rows cannot be saved.
   */
  run<Row>(dataset: CollectDataset<Row>, symbols: readonly string[], opts?: { signal?: AbortSignal }): Promise<CollectSummary>;
}

export function createBulkCollector(opts: BulkCollectorOptions): BulkCollector {
  const { clock } = opts;
  const concurrency = Math.max(1, Math.trunc(opts.concurrency ?? 2));
  const every = Math.max(1, Math.trunc(opts.checkpointEvery ?? 20));
  const finalPassDelayMs = opts.finalPassDelayMs ?? 30_000;
  const saveAttempts = Math.max(1, opts.saveAttempts ?? 3);

  return {
    async run<Row>(dataset: CollectDataset<Row>, symbols: readonly string[], runOpts: { signal?: AbortSignal } = {}): Promise<CollectSummary> {
      const signal = runOpts.signal;
      const log = opts.logger.child({ component: 'bulk-collector', dataset: dataset.name });
      const startedMono = clock.monotonicMs();
      const date = kstIsoDate(clock.nowMs());
      const cpPath = checkpointPath(opts.dataDir, dataset.name);
      const csvPath = failedCodesPath(opts.dataDir, dataset.name);
      const hash = hashSymbols(symbols, dataset.params);
      const loaded = await loadCheckpoint(cpPath, { dataset: dataset.name, date, symbolsHash: hash, total: symbols.length }, clock.nowMs(), log);
      const cp: CollectCheckpoint = loaded ?? freshCheckpoint(dataset.name, date, hash, symbols.length, clock.nowMs());
      const resumedFromIndex = cp.nextIndex;
      if (loaded) log.info({ nextIndex: cp.nextIndex, phase: cp.phase, lastCode: cp.lastCode }, 'resuming from checkpoint');
      let symbolAttempts = 0;
      const rejectedInRun: string[] = [];
      // Every HTTP request the client sent for this run, its own retries included, when it can tell us.
      const counterAtStart = opts.requestCounter?.() ?? 0;
      const sent = (): number => (opts.requestCounter ? opts.requestCounter() - counterAtStart : symbolAttempts);
      // Outcomes of the chunk in flight: progress shows them at once, the checkpoint takes them when durable.
      const live = { collected: 0, notFound: 0, skipped: 0, recovered: 0 };

      const elapsed = (): number => clock.monotonicMs() - startedMono;
      const rate = (): number => (elapsed() > 0 ? (sent() * 1000) / elapsed() : 0);
      const summary = (aborted: boolean, alreadyComplete = false): CollectSummary => {
        const recovered = new Set(cp.recoveredCodes);
        return {
          dataset: dataset.name,
          date,
          total: symbols.length,
          collected: cp.counts.collected,
          notFound: cp.counts.notFound,
          skipped: cp.counts.skipped,
          recovered: cp.counts.recovered,
          stillFailed: cp.failedCodes.filter((c) => !recovered.has(c)),
          rejected: [...rejectedInRun],
          rows: cp.counts.rows,
          resumedFromIndex,
          elapsedMs: elapsed(),
          requests: sent(),
          requestsPerSec: rate(),
          aborted,
          alreadyComplete,
        };
      };
      if (cp.phase === 'done') {
        log.info('dataset already collected today (checkpoint says done)');
        return summary(false, true);
      }
      const progress = (phase: 'main' | 'final-pass', done: number, total: number, code: string): void => {
        if (!opts.onProgress) return;
        try {
          const c = cp.counts;
          const counts = { ...c, collected: c.collected + live.collected, notFound: c.notFound + live.notFound, skipped: c.skipped + live.skipped, recovered: c.recovered + live.recovered };
          opts.onProgress({ dataset: dataset.name, phase, done, total, ...counts, code, elapsedMs: elapsed(), requests: sent(), requestsPerSec: rate() });
        } catch (err) {
          log.warn({ err: errorMessage(err) }, 'progress callback threw');
        }
      };

      /** Fetches a chunk with bounded concurrency; entries stay undefined for symbols not finished (abort). */
      async function fetchChunk(codes: readonly string[], onDone: (code: string) => void, finalPass = false): Promise<(Outcome<Row> | undefined)[]> {
        const outcomes: (Outcome<Row> | undefined)[] = new Array(codes.length).fill(undefined);
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < codes.length && !signal?.aborted) {
            const i = next++;
            const code = codes[i] as string;
            try {
              const res = await dataset.fetcher.fetch({ targetCodes: [code], signal, params: dataset.params });
              symbolAttempts += res.requests ?? 1;
              const failure = res.failed[0];
              if (failure === undefined) outcomes[i] = { status: 'ok', rows: res.ok };
              else {
                const disposition = classifyFetchError(failure.error).disposition;
                if (disposition === 'abort' || signal?.aborted) return;
                outcomes[i] =
                  disposition === 'skip' ? { status: 'not-found' } : { status: disposition === 'reject' ? 'rejected' : 'failed', error: failure.error, attempts: failure.attempts ?? 1 };
              }
            } catch (err) {
              symbolAttempts += 1;
              if (signal?.aborted || classifyFetchError(err).disposition === 'abort') return;
              outcomes[i] = { status: 'failed', error: err, attempts: 1 };
            }
            const o = outcomes[i];
            if (o?.status === 'ok') live[finalPass ? 'recovered' : 'collected']++;
            else if (o?.status === 'not-found') live[finalPass ? 'recovered' : 'notFound']++;
            else if (!finalPass) live.skipped++;
            onDone(code);
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, codes.length) }, worker));
        return outcomes;
      }

      async function saveRows(rows: Row[]): Promise<void> {
        if (rows.length === 0) return;
        for (let attempt = 1; ; attempt++) {
          try {
            await dataset.save(rows);
            return;
          } catch (err) {
            if (attempt >= saveAttempts) {
              throw new KisdError('KISD_COLLECT_STORAGE', `${dataset.name}: could not save ${rows.length} rows: ${errorMessage(err)}`, {
                disposition: 'retryable',
                cause: err,
              });
            }
            log.warn({ attempt, err: errorMessage(err) }, 'saving rows failed; retrying');
            await clock.sleep(1_000 * 2 ** (attempt - 1));
          }
        }
      }

      /** Length of the finished prefix: the checkpoint may only cover a contiguous run of finished symbols. */
      const prefixLength = (outcomes: readonly (Outcome<Row> | undefined)[]): number => {
        const i = outcomes.findIndex((o) => o === undefined);
        return i < 0 ? outcomes.length : i;
      };

      // ---- main pass ----
      while (cp.phase === 'main' && cp.nextIndex < symbols.length) {
        if (signal?.aborted) break;
        const codes = symbols.slice(cp.nextIndex, cp.nextIndex + every);
        let doneInPhase = cp.nextIndex;
        const outcomes = await fetchChunk(codes, (code) => progress('main', ++doneInPhase, symbols.length, code));
        const n = prefixLength(outcomes);
        const finished = outcomes.slice(0, n) as Outcome<Row>[];
        const rows = finished.flatMap((o) => (o.status === 'ok' ? o.rows : []));
        await saveRows(rows);
        const failedLines: FailedCodeLine[] = [];
        const rejected: string[] = [];
        Object.assign(live, { collected: 0, notFound: 0, skipped: 0 });
        finished.forEach((o, i) => {
          const code = codes[i] as string;
          if (o.status === 'ok') cp.counts.collected++;
          else if (o.status === 'not-found') cp.counts.notFound++;
          else if (o.status === 'rejected') {
            // Permanent: in the failed-codes CSV for a person to fix the list, never retried or queued.
            cp.counts.skipped++;
            rejected.push(code);
            rejectedInRun.push(code);
            failedLines.push({ date, code, errorKind: 'invalid-input', error: errorMessage(o.error).slice(0, 500), attempts: o.attempts, recordedAt: formatKstTimestamp(clock.nowMs()) });
          } else {
            cp.counts.skipped++;
            cp.failedCodes.push(code);
            const kind = classifyFetchError(o.error).kind;
            const message = errorMessage(o.error).slice(0, 500);
            failedLines.push({ date, code, errorKind: kind, error: message, attempts: o.attempts, recordedAt: formatKstTimestamp(clock.nowMs()) });
            try {
              opts.queue?.enqueue({
                fetcherName: dataset.fetcher.name,
                targetCode: code,
                taskType: dataset.taskType,
                params: dataset.params ? { ...dataset.params } : undefined,
                errorMessage: `${kind}: ${message}`,
                maxRetries: opts.queueMaxRetries ?? 5,
              });
            } catch (err) {
              log.error({ code, err: errorMessage(err) }, 'could not enqueue failed symbol; it is still in the failed-codes CSV');
            }
          }
        });
        cp.counts.rows += rows.length;
        await appendFailedCodes(csvPath, failedLines).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not append failed codes CSV'));
        const retriable = failedLines.filter((l) => !rejected.includes(l.code));
        if (retriable.length > 0) log.warn({ codes: retriable.map((l) => l.code) }, 'symbols skipped after retries (queued for the recovery worker)');
        if (rejected.length > 0) log.warn({ codes: rejected }, 'symbols KIS refused as invalid input (e.g. a wrong code); not retried or queued: fix the symbol list');
        // Everything up to nextIndex + n is now durable: only now may the checkpoint move.
        cp.nextIndex += n;
        if (n > 0) cp.lastCode = codes[n - 1] ?? cp.lastCode;
        if (cp.nextIndex >= symbols.length) cp.phase = 'final-pass';
        cp.updatedAtMs = clock.nowMs();
        await saveCheckpoint(cpPath, cp);
        if (n < codes.length) break; // aborted mid-chunk
      }
      // Stopped short of the end — shutdown, or a fetch error whose disposition is 'abort' (e.g. credentials
      // refused) — the checkpoint stays in 'main' so the next run resumes; never mark it done.
      if (signal?.aborted || cp.nextIndex < symbols.length) {
        log.info({ nextIndex: cp.nextIndex, total: symbols.length }, signal?.aborted ? 'collection aborted; checkpoint saved' : 'collection stopped on an abort-class error; checkpoint saved, the next run resumes');
        return summary(true);
      }

      // ---- final pass over the failed list ----
      if (cp.phase === 'final-pass' && cp.finalPassIndex < cp.failedCodes.length) {
        if (finalPassDelayMs > 0) {
          try {
            await clock.sleep(finalPassDelayMs, signal);
          } catch {
            return summary(true);
          }
        }
        while (cp.finalPassIndex < cp.failedCodes.length && !signal?.aborted) {
          const codes = cp.failedCodes.slice(cp.finalPassIndex, cp.finalPassIndex + every);
          let doneInPhase = cp.finalPassIndex;
          const outcomes = await fetchChunk(codes, (code) => progress('final-pass', ++doneInPhase, cp.failedCodes.length, code), true);
          const n = prefixLength(outcomes);
          const finished = outcomes.slice(0, n) as Outcome<Row>[];
          const rows = finished.flatMap((o) => (o.status === 'ok' ? o.rows : []));
          await saveRows(rows);
          live.recovered = 0;
          finished.forEach((o, i) => {
            const code = codes[i] as string;
            if (o.status === 'failed' || o.status === 'rejected') return; // stays queued for the recovery worker
            cp.recoveredCodes.push(code);
            cp.counts.recovered++;
            try {
              opts.queue?.completeOpen(dataset.fetcher.name, code, dataset.taskType);
            } catch (err) {
              log.error({ code, err: errorMessage(err) }, 'could not close the recovered task in the queue');
            }
          });
          cp.counts.rows += rows.length;
          cp.finalPassIndex += n;
          cp.updatedAtMs = clock.nowMs();
          await saveCheckpoint(cpPath, cp);
          if (n < codes.length) break;
        }
        if (signal?.aborted || cp.finalPassIndex < cp.failedCodes.length) return summary(true);
      }
      cp.phase = 'done';
      cp.updatedAtMs = clock.nowMs();
      await saveCheckpoint(cpPath, cp);
      const result = summary(false);
      if (result.stillFailed.length > 0 && opts.alerts) {
        const none = result.collected + result.notFound + result.recovered === 0;
        void opts.alerts
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
          .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not send collection alert'));
      }
      log.info(
        { collected: result.collected, notFound: result.notFound, skipped: result.skipped, recovered: result.recovered, stillFailed: result.stillFailed.length, elapsedMs: result.elapsedMs, requestsPerSec: Number(result.requestsPerSec.toFixed(2)) },
        'collection finished',
      );
      return result;
    },
  };
}
