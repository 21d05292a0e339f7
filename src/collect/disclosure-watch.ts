// The disclosure watch (issue 13): every few minutes within OpenDART's filing hours, today's disclosures of the
// watched (today's selection batches) and held symbols are fetched through the disclosure fetcher, stored, and
// each one kisd has never stored before raises one alert — WARNING for a held symbol, INFO for a watched one.
// "Never stored before" is the dedup: the table persists in SQLite, so a restart or the next poll never alerts
// twice for a receipt number (and the alert key is the receipt number, which the dispatcher deduplicates too).
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { kstMinuteOfDay, kstYmd, parseHhMm } from '../core/kst.js';
import type { DisclosureRow } from '../store/dart-repo.js';
import { classifyFetchError } from './fetch-errors.js';
import type { Fetcher } from './fetcher.js';

export interface WatchedSymbols {
  /** Today's selection batches. */
  watched: readonly string[];
  /** Positions kisd holds (KR). */
  held: readonly string[];
}

export interface DisclosureWatchOptions {
  /** The 'dart-disclosures' fetcher; params fromYmd/toYmd = today (KST). */
  fetcher: Fetcher<DisclosureRow>;
  /** Stores rows; returns the ones never stored before. */
  save(rows: readonly DisclosureRow[], nowMs: number): DisclosureRow[];
  symbols(): Promise<WatchedSymbols>;
  alerts: AlertPort;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** KST "HH:MM" window in which it polls (OpenDART accepts filings about 07:00–19:00). */
  from: string;
  until: string;
}

export interface WatchPoll {
  /** false outside the window, while a poll is still running, or with nothing to watch. */
  ran: boolean;
  symbols: number;
  stored: number;
  fresh: number;
  failed: number;
}

export interface DisclosureWatch {
  pollOnce(signal?: AbortSignal): Promise<WatchPoll>;
  start(): void;
  stop(): void;
}

const IDLE: WatchPoll = { ran: false, symbols: 0, stored: 0, fresh: 0, failed: 0 };

export function createDisclosureWatch(o: DisclosureWatchOptions): DisclosureWatch {
  const log = o.logger.child({ component: 'disclosure-watch' });
  const fromMin = parseHhMm(o.from);
  const untilMin = parseHhMm(o.until);
  let running = false;
  let timer: TimerHandle | undefined;
  const stopper = new AbortController();

  function alertFor(d: DisclosureRow, held: boolean): void {
    void o.alerts
      .send({
        key: `dart-disclosure:${d.receiptNo}`,
        level: held ? 'WARNING' : 'INFO',
        title: `${d.corpName} (${d.stockCode ?? d.corpCode}) ${held ? '[held]' : '[watched]'}: ${d.reportName}`,
        what: `New OpenDART disclosure filed ${d.receiptDate} by ${d.filerName || d.corpName}: https://dart.fss.or.kr/dsaf001/main.do?rcpNo=${d.receiptNo}`,
        ...(d.stockCode ? { symbols: [d.stockCode] } : {}),
        nextSteps: held ? 'Read it before the next trading decision on this position.' : 'Read it if the symbol is still on today\'s list.',
        details: { receiptNo: d.receiptNo, corpCode: d.corpCode, held },
      })
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not send the disclosure alert'));
  }

  async function poll(signal: AbortSignal | undefined): Promise<WatchPoll> {
    const nowMs = o.clock.nowMs();
    const minute = kstMinuteOfDay(nowMs);
    if (minute < fromMin || minute >= untilMin) return IDLE;
    const { watched, held } = await o.symbols();
    const heldSet = new Set(held);
    const codes = [...new Set([...held, ...watched])];
    if (codes.length === 0) return IDLE;
    const today = kstYmd(nowMs);
    const res = await o.fetcher.fetch({ targetCodes: codes, params: { fromYmd: today, toYmd: today }, ...(signal ? { signal } : {}) });
    const fresh = o.save(res.ok, o.clock.nowMs());
    for (const d of fresh) if (d.stockCode !== null) alertFor(d, heldSet.has(d.stockCode));
    // "No disclosures today" (013) is the usual answer; anything else is logged, and the next poll retries.
    const failed = res.failed.filter((f) => classifyFetchError(f.error).disposition !== 'skip');
    if (failed.length > 0) log.warn({ codes: failed.map((f) => f.code), err: errorMessage(failed[0]?.error) }, 'disclosure watch: some symbols could not be checked; the next poll retries');
    if (fresh.length > 0) log.info({ fresh: fresh.map((d) => `${d.stockCode ?? d.corpCode} ${d.reportName}`) }, `disclosure watch: ${fresh.length} new disclosure(s)`);
    return { ran: true, symbols: codes.length, stored: res.ok.length, fresh: fresh.length, failed: failed.length };
  }

  const watch: DisclosureWatch = {
    async pollOnce(signal) {
      if (running) return IDLE;
      running = true;
      try {
        return await poll(signal ?? stopper.signal);
      } finally {
        running = false;
      }
    },
    start() {
      timer = o.clock.setInterval(() => {
        watch.pollOnce().catch((err: unknown) => {
          if (!stopper.signal.aborted) log.warn({ err: errorMessage(err) }, 'disclosure watch poll failed; the next one retries');
        });
      }, o.intervalMs);
    },
    stop() {
      o.clock.clearInterval(timer);
      stopper.abort();
    },
  };
  return watch;
}
