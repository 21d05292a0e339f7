// Freshness policy of `kisd run` (seed 002, adapted): yesterday's bars by 09:00, realtime quotes ≤ 5 min old in
// the session, today's investor flows after the close, checked every 5 minutes; with collect.research_freshness
// the newest news headline ≤ 24 h old (every 30 minutes, trading days) and the newest consensus ≤ 7 days old
// (every 3 hours). Stale → a WARNING (the checker)
// and a single-flight re-collection per dataset: stale quotes restart the realtime socket, stale bars
// or flows re-run that collection for the date found stale. Bars and flows are fresh when 90% of the universe
// has a row for the date.
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { LifecycleComponent } from '../core/lifecycle.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import type { KisdConfig } from '../config/load.js';
import type { Store } from '../store/index.js';
import { createFreshnessChecker, type FreshnessReport } from '../collect/index.js';
import type { FeedBundle } from './feed-wiring.js';
import type { TradingWiring } from './trading-wiring.js';

export interface FreshnessWiringOptions {
  config: KisdConfig;
  clock: Clock;
  logger: Logger;
  calendar: TradingCalendar;
  store: Store;
  feed: FeedBundle;
  alerts: AlertPort;
  /** A new realtime socket (released, re-authorised and re-subscribed). */
  restartFeed(reason: string): Promise<void>;
  collect: TradingWiring['collect'];
  /** The screening universe: bars and flows count as fresh when most of it has a row for the date. */
  universeSize(): number;
  /** The scheduler's stop signal: a re-collection ends with the daemon. */
  stopSignal(): AbortSignal;
}

/** Share of the universe that must have a row for the date (suspended and newly listed symbols have none). */
const FRESH_COVERAGE = 0.9;

/** The checker as a lifecycle component: its 5-minute timer runs between start and stop. */
export function createFreshnessComponent(o: FreshnessWiringOptions): LifecycleComponent {
  const log = o.logger.child({ component: 'daemon' });
  const recollecting = new Set<string>();
  const research = o.config.collect.research_freshness;
  const checker = createFreshnessChecker({
    clock: o.clock,
    logger: o.logger,
    calendar: o.calendar,
    probes: {
      dailyBarsCount: (d) => o.store.dailyBars.countOn(d),
      investorFlowsCount: (d) => o.store.investorFlows.countOn(d),
      latestQuoteAsOfMs: () => (o.config.feed.enabled ? o.feed.feed.status().lastTickAtMs ?? 0 : undefined),
      ...(research ? { newestNewsAtMs: () => o.store.research.newestNewsAtMs(), newestConsensusYmd: () => o.store.research.newestConsensusDate() } : {}),
    },
    alerts: o.alerts,
    minDailyBars: () => Math.ceil(o.universeSize() * FRESH_COVERAGE),
    minInvestorFlows: () => Math.ceil(o.universeSize() * FRESH_COVERAGE),
    onStale: (r: FreshnessReport) => {
      if (recollecting.has(r.dataset)) return;
      recollecting.add(r.dataset);
      const work = recollect(o, r);
      void work.catch((err: unknown) => log.warn({ err, dataset: r.dataset }, 're-collection after a stale check failed; the next check retries')).finally(() => recollecting.delete(r.dataset));
    },
  });
  const timers: TimerHandle[] = [];
  return {
    name: 'freshness',
    start: () => {
      timers.push(o.clock.setInterval(() => void checker.runOnce(['daily_bars', 'quotes', 'investor_flows']), 5 * 60_000));
      if (research) {
        timers.push(o.clock.setInterval(() => void checker.runOnce(['news']), 30 * 60_000));
        timers.push(o.clock.setInterval(() => void checker.runOnce(['consensus']), 3 * 3_600_000));
      }
    },
    stop: () => {
      for (const t of timers.splice(0)) o.clock.clearInterval(t);
    },
  };
}

/** The re-collection a stale report asks for; the data date makes it a run of its own. */
async function recollect(o: FreshnessWiringOptions, r: FreshnessReport): Promise<void> {
  switch (r.dataset) {
    case 'quotes':
      return o.restartFeed('stale realtime quotes');
    case 'daily_bars':
      return o.collect('daily-bars', o.stopSignal(), r.expectedDate);
    case 'investor_flows':
      return o.collect('investor-flows', o.stopSignal(), r.expectedDate);
    case 'news':
      return o.collect('news', o.stopSignal());
    case 'consensus':
      await o.collect('opinions', o.stopSignal());
      return o.collect('estimates', o.stopSignal());
  }
}
