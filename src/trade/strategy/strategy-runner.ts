// Runs strategies for one session: subscribes to the event bus with its own bounded queue (the socket reader
// never waits for a strategy), builds minute bars, routes fills of each strategy's orders back to it and calls
// onTimer on the Clock. All handlers run one at a time through one mailbox, so a strategy never sees two
// events at once; a full queue drops the oldest ticks (counted), timers are coalesced, fills are never dropped.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { BusSubscription, EventBus } from '../../feed/bus.js';
import type { BackfilledBar } from '../../feed/gap-filler.js';
import type { QuoteCache } from '../../feed/quote-cache.js';
import type { KrTick, RealtimeEvent } from '../../kis/ws/events.js';
import type { Fill, OrderManager } from '../orders/types.js';
import type { AlertPort } from '../../core/alert.js';
import { orderBookRiskView } from '../risk/order-book-view.js';
import type { RiskGate } from '../risk/risk-gate.js';
import { BarBuilder } from './bar-builder.js';
import { FileStrategyState, MemoryStrategyState } from './state-store.js';
import { createOwnPositionCache, createStrategyContext, prevCloseOf } from './strategy-context.js';
import type { Strategy, StrategyContext, StrategyMode } from './types.js';

export interface StrategyRunnerOptions {
  strategies: readonly Strategy[];
  bus: EventBus<RealtimeEvent>;
  quotes: QuoteCache;
  orders: OrderManager;
  risk: RiskGate;
  clock: Clock;
  logger: Logger;
  /** KR codes the strategies trade; ticks of other codes are ignored. */
  symbols: readonly string[];
  /** Default 'live'. */
  mode?: StrategyMode;
  /** Where per-strategy state files live (<stateDir>/strategies/<name>.json); in memory when omitted. */
  stateDir?: string;
  sessionEndsAtMs?: number;
  /** onTimer cadence on the Clock. Default 1000 ms. */
  timerEveryMs?: number;
  /** Daily-loss evaluation cadence (trips the kill switch with no order in flight). Default 5000 ms. */
  lossCheckEveryMs?: number;
  /** Bus queue bound for this runner. Default 10000 events (drop-oldest). */
  queueCapacity?: number;
  /** Handler failures after which a strategy is switched off for the session. Default 50. */
  maxHandlerErrors?: number;
  alerts?: AlertPort;
  /** Gap-fill's back-filled bars (GapFiller fits): delivered to onBar with backfilled: true. */
  backfill?: { onBars(listener: (bars: readonly BackfilledBar[]) => void): () => void };
}

export interface StrategyRunnerStats {
  mode: StrategyMode;
  running: boolean;
  ticks: number;
  bars: number;
  /** Of `bars`, the back-filled ones. */
  backfilledBars: number;
  fills: number;
  timers: number;
  droppedEvents: number;
  orders: { sent: number; refused: number; dryRun: number; failed: number };
  strategies: { name: string; errors: number; disabled: boolean }[];
}

interface Slot {
  strategy: Strategy;
  ctx: StrategyContext;
  errors: number;
  disabled: boolean;
}

export class StrategyRunner {
  private readonly log: Logger;
  private readonly mode: StrategyMode;
  private readonly symbols: Set<string>;
  private readonly bars = new BarBuilder();
  private readonly counters = { sent: 0, refused: 0, dryRun: 0, failed: 0 };
  private slots: Slot[] = [];
  private chain: Promise<void> = Promise.resolve();
  private subscription: BusSubscription | undefined;
  private unsubscribeFills: (() => void) | undefined;
  private unsubscribeBackfill: (() => void) | undefined;
  private readonly positionCaches: { close(): void }[] = [];
  private timer: TimerHandle | undefined;
  private timerQueued = false;
  private lastLossCheckMs = -Infinity;
  private running = false;
  private n = { ticks: 0, bars: 0, backfilledBars: 0, fills: 0, timers: 0 };

  constructor(private readonly o: StrategyRunnerOptions) {
    this.log = o.logger.child({ component: 'strategy-runner' });
    this.mode = o.mode ?? 'live';
    this.symbols = new Set(o.symbols);
  }

  /** Loads state, calls onStart, then subscribes to ticks, fills and the timer. */
  async start(): Promise<void> {
    if (this.running) return;
    const o = this.o;
    for (const strategy of o.strategies) {
      const log = o.logger.child({ strategy: strategy.name, mode: this.mode });
      const state = o.stateDir ? await FileStrategyState.open(o.stateDir, strategy.name, o.clock, log) : new MemoryStrategyState();
      const positions = createOwnPositionCache(o.orders, strategy.name, o.clock);
      this.positionCaches.push(positions);
      const ctx = createStrategyContext({
        name: strategy.name, mode: this.mode, clock: o.clock, log, quotes: o.quotes, symbols: o.symbols,
        sessionEndsAtMs: o.sessionEndsAtMs, state, orders: o.orders, risk: o.risk, counters: this.counters,
        ownPosition: (symbol) => positions.get(symbol),
      });
      this.slots.push({ strategy, ctx, errors: 0, disabled: false });
    }
    this.running = true;
    for (const s of this.slots) await this.call(s, 'onStart', () => s.strategy.onStart?.(s.ctx));
    this.subscription = o.bus.subscribe((ev) => this.onEvent(ev), { name: 'strategy-runner', capacity: o.queueCapacity ?? 10_000, dropPolicy: 'drop-oldest' });
    this.unsubscribeFills = o.orders.onFill((fill, order) => {
      if (order && this.slots.some((s) => s.strategy.name === order.strategy)) void this.enqueue(() => this.dispatchFill(fill, order.strategy)); // enqueue logs a failure
    });
    this.unsubscribeBackfill = o.backfill?.onBars((bars) => {
      const mine = bars.filter((b) => this.symbols.has(b.symbol));
      if (mine.length > 0) void this.enqueue(() => this.dispatchBackfill(mine)); // enqueue logs a failure
    });
    this.timer = o.clock.setInterval(() => this.onTimerTick(), o.timerEveryMs ?? 1_000);
    this.log.info({ strategies: this.slots.map((s) => s.strategy.name), symbols: o.symbols.length, mode: this.mode }, `strategy runner started (${this.mode})`);
  }

  /**
   * Stops feeding events, waits for the handler in progress (up to deadlineMs on the Clock), then calls onStop.
   * Returns false when the deadline passed first. Orders already sent are not touched (market close does that).
   */
  async stop(deadlineMs = 10_000): Promise<boolean> {
    if (!this.running) return true;
    this.running = false;
    this.subscription?.unsubscribe();
    this.unsubscribeFills?.();
    this.unsubscribeBackfill?.();
    this.o.clock.clearInterval(this.timer);
    const done = this.enqueue(async () => {
      for (const s of this.slots) await this.call(s, 'onStop', () => s.strategy.onStop?.(s.ctx));
    });
    let timer: TimerHandle | undefined;
    const settled = await Promise.race([
      done.then(() => true),
      new Promise<boolean>((resolve) => (timer = this.o.clock.setTimeout(() => resolve(false), deadlineMs))),
    ]);
    this.o.clock.clearTimeout(timer);
    for (const c of this.positionCaches.splice(0)) c.close(); // after onStop, which may still ask for positions
    this.log.info({ ...this.stats(), settled }, 'strategy runner stopped');
    return settled;
  }

  stats(): StrategyRunnerStats {
    return {
      mode: this.mode,
      running: this.running,
      ...this.n,
      droppedEvents: this.subscription?.stats().dropped ?? 0,
      orders: { ...this.counters },
      strategies: this.slots.map((s) => ({ name: s.strategy.name, errors: s.errors, disabled: s.disabled })),
    };
  }

  /** Resolves when every queued handler has run (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'strategy runner work failed'));
    this.chain = next;
    return next;
  }

  /** Bus handler: returning the mailbox promise makes the bus queue (bounded) hold the backlog. */
  private onEvent(ev: RealtimeEvent): Promise<void> | void {
    if (!this.running || ev.kind !== 'kr-tick' || !this.symbols.has(ev.code)) return;
    return this.enqueue(() => this.dispatchTick(ev));
  }

  private onTimerTick(): void {
    if (!this.running || this.timerQueued) return; // coalesce: a slow handler never builds a timer backlog
    this.timerQueued = true;
    void this.enqueue(async () => {
      this.timerQueued = false;
      await this.dispatchTimer(this.o.clock.nowMs());
    });
  }

  private async dispatchTick(tick: KrTick): Promise<void> {
    this.n.ticks++;
    const closed = this.bars.onTrade(tick.code, tick.price, tick.tradeVolume, tick.receivedAtMs, tick.time);
    for (const s of this.slots) await this.call(s, 'onTick', () => s.strategy.onTick?.(tick, s.ctx));
    if (closed) await this.dispatchBar(closed);
  }

  private async dispatchBar(bar: Parameters<NonNullable<Strategy['onBar']>>[0]): Promise<void> {
    this.n.bars++;
    for (const s of this.slots) await this.call(s, 'onBar', () => s.strategy.onBar?.(bar, s.ctx));
  }

  private async dispatchBackfill(bars: readonly BackfilledBar[]): Promise<void> {
    for (const b of bars) {
      if (!this.running) return;
      this.bars.supersede(b.symbol, b.startMs);
      this.n.backfilledBars++;
      await this.dispatchBar({ symbol: b.symbol, startMs: b.startMs, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, ticks: 0, backfilled: true });
    }
  }

  private async dispatchFill(fill: Fill, strategy: string): Promise<void> {
    this.n.fills++;
    for (const s of this.slots) if (s.strategy.name === strategy) await this.call(s, 'onFill', () => s.strategy.onFill?.(fill, s.ctx));
  }

  private async dispatchTimer(nowMs: number): Promise<void> {
    this.n.timers++;
    for (const bar of this.bars.flush(nowMs)) await this.dispatchBar(bar);
    if (nowMs - this.lastLossCheckMs >= (this.o.lossCheckEveryMs ?? 5_000)) {
      this.lastLossCheckMs = nowMs;
      try {
        await this.o.risk.evaluateDailyLoss(orderBookRiskView(this.o.orders, (sym) => this.o.quotes.krTick(sym)?.price, { prevClose: prevCloseOf(this.o.quotes) }));
      } catch (err) {
        this.log.error({ err: errorMessage(err) }, 'daily loss evaluation failed');
      }
    }
    for (const s of this.slots) await this.call(s, 'onTimer', () => s.strategy.onTimer?.(nowMs, s.ctx));
  }

  private async call(slot: Slot, handler: string, fn: () => void | Promise<void>): Promise<void> {
    if (slot.disabled) return;
    try {
      await fn();
    } catch (err) {
      slot.errors++;
      slot.ctx.log.error({ handler, errors: slot.errors, err: errorMessage(err) }, `strategy ${handler} threw`);
      const max = this.o.maxHandlerErrors ?? 50;
      if (slot.errors >= max) {
        slot.disabled = true;
        slot.ctx.log.error({ errors: slot.errors }, 'strategy switched off for the rest of the session');
        await this.o.alerts?.send({
          key: `strategy-disabled:${slot.strategy.name}`,
          level: 'ERROR',
          title: `Strategy ${slot.strategy.name} switched off after ${slot.errors} errors`,
          what: `Its handlers kept throwing (last: ${errorMessage(err)}). Open orders and positions are left as they are.`,
          nextSteps: 'Check the log for the strategy, fix it and restart; market close still cancels and flattens intraday positions.',
        });
      }
    }
  }
}
