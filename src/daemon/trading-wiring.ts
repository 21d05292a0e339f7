// The day's jobs for the scheduler's phases, built from config: phase 1 collects daily bars and investor
// flows for the universe (checkpointed, resumable) and ranks it; phase 2 writes the scored selection
// batches; the session runs the strategies through the risk gate; market close cancels and flattens;
// the 17:00 report measures the day. The 08:30/16:30 feed phases only confirm the self-switching feed.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { KisdConfig } from '../config/load.js';
import type { Store } from '../store/index.js';
import type { AlertDispatcher } from '../alerts/index.js';
import type { RecoveryQueue } from '../recovery/index.js';
import type { Datasets } from '../collect/index.js';
import { createUniverseCollection, type UniverseCollect, type UniverseDataset } from './universe-collection.js';
import type { PhaseId, PhaseJob } from '../core/phases.js';
import { createRankingScreeningJob, createSelectionBatchJob, sqliteScreeningData } from '../trade/screening/index.js';
import { createTradingSessionJob, createMarketCloseJob } from '../trade/session/index.js';
import { createDailyReportJob } from '../trade/report/index.js';
import { KillSwitch, RiskGate, type KillSwitchStore } from '../trade/risk/index.js';
import { defaultStrategyRegistry } from '../trade/strategy/index.js';
import type { RunningOrderManager } from '../trade/orders/index.js';
import type { FeedBundle } from './feed-wiring.js';

export interface TradingWiring {
  jobs: Partial<Record<PhaseId, PhaseJob>>;
  killSwitch: KillSwitch;
  /**
   * Collects one dataset for the universe now (checkpointed; a finished run returns at once); with `dataDate`
   * that day's data in a run of its own (the freshness re-collection).
   */
  collect(name: UniverseDataset, signal?: AbortSignal, dataDate?: string): Promise<void>;
}

/** What the trading wiring is built from (the composition root's parts). */
interface TradingWiringParts {
  config: KisdConfig;
  clock: Clock;
  logger: Logger;
  /** Where the kill switch's state is shared (the broker's shared state: a file, or Redis across hosts). */
  killSwitchStore?: KillSwitchStore;
  store: Store;
  datasets: Datasets;
  queue: RecoveryQueue;
  alerts: AlertDispatcher;
  orders: RunningOrderManager;
  feed: FeedBundle;
  /** HTS id of the execution-notice registration ('' = none). */
  htsId: string;
  /** The symbols phase 1 collects and ranks (already capped). */
  universe: () => readonly string[];
}

export function createTradingWiring(o: TradingWiringParts): TradingWiring {
  const { config, clock } = o;
  const paths = config.resolved.paths;
  const t = config.trading;
  const killSwitch = new KillSwitch({ stateDir: paths.stateDir, clock, logger: o.logger, alerts: o.alerts, ...(o.killSwitchStore ? { store: o.killSwitchStore } : {}) });
  const risk = riskGate(o, killSwitch);
  const collect = createUniverseCollection(o);
  const mark = (symbol: string): number | undefined => o.feed.quotes.krTick(symbol)?.price ?? o.store.quotes.get('KR', symbol)?.price ?? undefined;
  const jobs: Partial<Record<PhaseId, PhaseJob>> = {
    screening: screeningJob(o, collect),
    selection: createSelectionBatchJob({ dataDir: paths.dataDir, clock, maxSymbols: t.screening.max_selected }),
    'kr-feed': { run: async () => ({ market: 'KR', feed: o.feed.feed.status().market }) },
    'us-feed': { run: async () => ({ market: 'US', feed: o.feed.feed.status().market }) },
  };
  if (t.enabled) Object.assign(jobs, sessionJobs(o, risk, mark));
  jobs['daily-report'] = createDailyReportJob({ dataDir: paths.dataDir, clock, orders: o.orders, capitalKrw: t.capital_krw, mark, alerts: o.alerts });
  return { jobs, killSwitch, collect: async (name, signal, dataDate) => void (await collect(name, signal, dataDate)) };
}

/** trading.risk → the gate every order passes. */
function riskGate(o: TradingWiringParts, killSwitch: KillSwitch): RiskGate {
  const r = o.config.trading.risk;
  return new RiskGate({
    clock: o.clock,
    logger: o.logger,
    killSwitch,
    limits: {
      maxOrderValueKrw: r.max_order_value_krw,
      maxPositionValueKrw: r.max_position_value_krw,
      maxGrossExposureKrw: r.max_gross_exposure_krw,
      maxOrdersPerMinute: r.max_orders_per_minute,
      dailyLossLimitKrw: r.daily_loss_limit_krw,
    },
  });
}

/** Phase 1: collect daily bars and investor flows for the universe, then rank it (trading.screening). */
function screeningJob(o: TradingWiringParts, collect: UniverseCollect): PhaseJob {
  const sc = o.config.trading.screening;
  const rank = createRankingScreeningJob({
    dataDir: o.config.resolved.paths.dataDir,
    data: sqliteScreeningData(o.store.db),
    clock: o.clock,
    rules: {
      lookbackDays: sc.lookback_days,
      priceBand: { minKrw: sc.min_price_krw, maxKrw: sc.max_price_krw },
      minAvgTurnoverKrw: sc.min_avg_turnover_krw,
      momentumWeight: sc.momentum_weight,
      foreignNetBuyingWeight: sc.foreign_net_buying_weight,
      institutionNetBuyingWeight: sc.institution_net_buying_weight,
      minScore: sc.min_score,
    },
  });
  return {
    async run(ctx) {
      const collected: Record<string, unknown> = {};
      for (const name of ['daily-bars', 'investor-flows'] as const) {
        const summary = await collect(name, ctx.signal);
        collected[name] = { collected: summary.collected, skipped: summary.skipped, recovered: summary.recovered, requestsPerSec: Number(summary.requestsPerSec.toFixed(2)) };
      }
      const ranked = await rank.run(ctx);
      return { ...(ranked ?? {}), collected };
    },
  };
}

/** The trading session (strategies through the risk gate) and market close. */
function sessionJobs(o: TradingWiringParts, risk: RiskGate, mark: (symbol: string) => number | undefined): Partial<Record<PhaseId, PhaseJob>> {
  const { config, clock } = o;
  const paths = config.resolved.paths;
  return {
    trading: createTradingSessionJob({
      dataDir: paths.dataDir,
      stateDir: paths.stateDir,
      clock,
      bus: o.feed.bus,
      quotes: o.feed.quotes,
      orders: o.orders,
      risk,
      registry: defaultStrategyRegistry(),
      strategies: config.trading.strategies.map((s) => ({ kind: s.kind, ...(s.name ? { name: s.name } : {}), params: s.params })),
      mode: config.dry_run ? 'dry-run' : 'live',
      feed: o.feed.feed,
      // Two registrations per symbol (tick + book) plus our execution notices on the same socket.
      watchlistBudget: { maxSubscriptions: config.feed.max_subscriptions, trsPerCode: 2, extraRegistrations: o.htsId ? 1 : 0 },
      alerts: o.alerts,
      ...(o.feed.gapFiller ? { backfill: o.feed.gapFiller } : {}),
    }),
    'market-close': createMarketCloseJob({ dataDir: paths.dataDir, clock, orders: o.orders, mark, risk, alerts: o.alerts }),
  };
}
