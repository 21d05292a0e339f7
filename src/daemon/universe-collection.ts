// Collection of one dataset for the whole screening universe, as phase 1 and the freshness re-collection run it:
// checkpointed and resumable, daily bars far enough back for the screening lookback. The collector's run key is
// the date, the symbol list and the dataset's parameters, so a re-collection names the data date it wants
// (investor flows: only that day's rows; daily bars: up to that day) and is a new run, not the finished morning
// one (which made the 16:00 re-collection of today's flows return at once with 0 requests, every day).
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { kstDateTime, kstInstant, kstYmd } from '../core/kst.js';
import type { KisdConfig } from '../config/load.js';
import type { RecoveryQueue } from '../recovery/index.js';
import { createBulkCollector, formatProgressLine, type CollectSummary, type Datasets } from '../collect/index.js';

export type UniverseDataset = 'daily-bars' | 'investor-flows' | 'news' | 'opinions' | 'estimates';

/** Collects `name` for the universe; `dataDate` ("YYYYMMDD") asks for that day's data in a run of its own. */
export type UniverseCollect = (name: UniverseDataset, signal?: AbortSignal, dataDate?: string) => Promise<CollectSummary>;

export function createUniverseCollection(o: {
  config: KisdConfig;
  clock: Clock;
  logger: Logger;
  queue: RecoveryQueue;
  alerts: AlertPort;
  datasets: Datasets;
  /** The symbols phase 1 collects and ranks (already capped). */
  universe: () => readonly string[];
}): UniverseCollect {
  const { config, clock } = o;
  const log = o.logger.child({ component: 'trading' });
  const collector = createBulkCollector({
    dataDir: config.resolved.paths.dataDir,
    clock,
    logger: o.logger,
    queue: o.queue,
    concurrency: config.collect.concurrency,
    checkpointEvery: config.collect.checkpoint_every,
    alerts: o.alerts,
    onProgress: (p) => {
      if (p.done === p.total || p.done % 250 === 0) log.info({ dataset: p.dataset, done: p.done, total: p.total }, formatProgressLine(p));
    },
  });
  // Enough history for the lookback (trading days) plus weekends and holidays, in calendar days.
  const historyDays = Math.ceil(config.trading.screening.lookback_days * 1.6) + 10;
  return async (name, signal, dataDate) => {
    const ds = o.datasets[name];
    const fromYmd = kstYmd(clock.nowMs() - historyDays * 86_400_000);
    return collector.run({ ...ds, params: paramsFor(name, ds.params, fromYmd, clock.nowMs(), dataDate) }, o.universe(), signal ? { signal } : {});
  };
}

/**
 * A dataset's parameters for one universe run; they are part of the collector's run key. News asks for the last
 * 24 h from the half hour (each 30-minute freshness check is a run of its own), opinions for the 7 days through
 * today and estimates name today (one run a day at most). With `dataDate` (the daily research run) news asks
 * from 00:00 the day before, so the key is the day's and a restart after the run finds it finished.
 */
function paramsFor(name: UniverseDataset, base: Readonly<Record<string, unknown>> | undefined, fromYmd: string, nowMs: number, dataDate: string | undefined): Record<string, unknown> {
  const dayMs = dataDate ? kstInstant(`${dataDate.slice(0, 4)}-${dataDate.slice(4, 6)}-${dataDate.slice(6, 8)} 12:00`) : nowMs;
  switch (name) {
    case 'daily-bars':
      return { fromYmd, ...(dataDate ? { toYmd: dataDate } : {}) };
    case 'news':
      return dataDate
        ? { since: `${kstYmd(dayMs - 86_400_000)}000000` }
        : { since: kstDateTime(Math.floor((nowMs - 86_400_000) / 1_800_000) * 1_800_000).toFormat('yyyyMMddHHmmss') };
    case 'opinions':
      return { fromYmd: kstYmd(dayMs - 7 * 86_400_000), toYmd: kstYmd(dayMs) };
    case 'estimates':
      return { date: kstYmd(dayMs) };
    case 'investor-flows':
      return { ...base, ...(dataDate ? { date: dataDate } : {}) };
  }
}
