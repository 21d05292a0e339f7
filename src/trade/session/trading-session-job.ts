// The trading phase (09:00–15:30 KST) as a scheduler PhaseJob: reads today's valid selection batches, points
// the feed's KR watchlist at them, runs the configured strategies until the scheduler aborts the phase signal
// at the session end (or on shutdown), then stops the runner. A restart joins the session again: strategy
// state files carry what each strategy must remember.
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { KisdError } from '../../core/errors.js';
import { listBatchIds } from '../../store/batch-files.js';
import type { EventBus } from '../../feed/bus.js';
import type { QuoteCache } from '../../feed/quote-cache.js';
import type { RealtimeEvent } from '../../kis/ws/events.js';
import type { PhaseContext, PhaseJob } from '../../core/phases.js';
import type { OrderManager } from '../orders/types.js';
import type { AlertPort } from '../../core/alert.js';
import type { RiskGate } from '../risk/risk-gate.js';
import { todayKrWatchlist, type WatchlistBudget } from '../screening/watchlist.js';
import type { StrategyConfig, StrategyRegistry } from '../strategy/registry.js';
import { StrategyRunner, type StrategyRunnerOptions, type StrategyRunnerStats } from '../strategy/strategy-runner.js';
import type { StrategyMode } from '../strategy/types.js';

/** Lets the session point the realtime feed at today's names (DualMarketFeed.setWatchlist fits). */
export interface KrWatchlistControl {
  setWatchlist(market: 'kr', codes: readonly string[]): void;
}

export interface TradingSessionJobOptions {
  dataDir: string;
  /** Strategy state files under <stateDir>/strategies/. */
  stateDir: string;
  clock: Clock;
  bus: EventBus<RealtimeEvent>;
  quotes: QuoteCache;
  orders: OrderManager;
  risk: RiskGate;
  registry: StrategyRegistry;
  strategies: readonly StrategyConfig[];
  /** 'dry-run' logs decisions and sends nothing. Default 'live'. */
  mode?: StrategyMode;
  feed?: KrWatchlistControl;
  watchlistBudget?: WatchlistBudget;
  alerts?: AlertPort;
  timerEveryMs?: number;
  /** How long stop() waits for a handler in progress. Default 10000 ms. */
  stopDeadlineMs?: number;
  /** Back-filled bars after feed gaps (the feed's GapFiller), passed to the runner. */
  backfill?: StrategyRunnerOptions['backfill'];
  /** Called with the runner once it runs (status pages, tests). */
  onRunner?: (runner: StrategyRunner | undefined) => void;
}

class NoValidBatchError extends KisdError {
  constructor(ymd: string, files: number) {
    super('KISD_SESSION_NO_VALID_BATCH', `${files} selection batch file(s) but none valid for ${ymd}: selection must run again (restart kisd; recovery re-runs it and joins the session)`, { disposition: 'retryable' });
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export function createTradingSessionJob(o: TradingSessionJobOptions): PhaseJob {
  return {
    async run(ctx: PhaseContext) {
      const log: Logger = ctx.logger;
      const symbols = await todayKrWatchlist(o.dataDir, ctx.ymd, o.watchlistBudget);
      if (symbols.length === 0) {
        // Batch files that are there but not valid for today (corrupt, stale) mean selection must run again — a
        // restart's recovery re-runs it — so the session must not be recorded done with nothing to trade. Selection
        // that picked nothing leaves no batch file, and that is a finished day.
        const files = await listBatchIds(o.dataDir);
        if (files.length > 0) throw new NoValidBatchError(ctx.ymd, files.length);
        log.warn('trading session: selection picked no symbols today; nothing to trade');
        return { symbols: 0, strategies: 0 };
      }
      o.feed?.setWatchlist('kr', symbols);
      const strategies = o.registry.createAll(o.strategies);
      const runner = new StrategyRunner({
        strategies, bus: o.bus, quotes: o.quotes, orders: o.orders, risk: o.risk, clock: o.clock, logger: log, symbols,
        mode: o.mode ?? 'live', stateDir: o.stateDir,
        ...(ctx.endsAtEpochMs !== undefined ? { sessionEndsAtMs: ctx.endsAtEpochMs } : {}),
        ...(o.timerEveryMs !== undefined ? { timerEveryMs: o.timerEveryMs } : {}),
        ...(o.alerts ? { alerts: o.alerts } : {}),
        ...(o.backfill ? { backfill: o.backfill } : {}),
      });
      await runner.start();
      o.onRunner?.(runner);
      let stats: StrategyRunnerStats;
      try {
        await untilAborted(ctx.signal);
      } finally {
        await runner.stop(o.stopDeadlineMs ?? 10_000);
        stats = runner.stats();
        o.onRunner?.(undefined);
      }
      return { symbols: symbols.length, strategies: strategies.map((s) => s.name), mode: stats.mode, ticks: stats.ticks, bars: stats.bars, backfilledBars: stats.backfilledBars, fills: stats.fills, orders: stats.orders, droppedEvents: stats.droppedEvents };
    },
  };
}
