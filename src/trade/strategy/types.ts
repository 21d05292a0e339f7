// The strategy interface (what a strategy author implements) and the context the runner hands it. Orders go
// out only through ctx.placeOrder, which runs the risk gate first; in dry-run mode decisions are logged and
// nothing is sent, on top of whichever broker (sim, paper, real) the daemon talks to.
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { QuoteCache } from '../../feed/quote-cache.js';
import type { KrTick } from '../../kis/ws/events.js';
import type { Fill, JournalOrder, OrderIntent } from '../orders/types.js';
import type { RiskRejection } from '../risk/risk-types.js';

/** live: orders are sent; dry-run: every decision is logged with what would have been sent, nothing is. */
export type StrategyMode = 'live' | 'dry-run';

/**
 * A one-minute bar. Live: built from the ticks received in that wall-clock minute (KST), closed when the minute
 * is over. Back-filled (`backfilled: true`): KIS's own bar for a minute the feed missed (a reconnect, restart or
 * outage), fetched by gap-fill after the gap; it can arrive after later live bars, and for the minute in which
 * the feed dropped or returned it follows the partial live bar of that minute as the complete one.
 */
export interface StrategyBar {
  symbol: string;
  /** Start of the minute, epoch ms. */
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares traded in this minute (live: in the ticks received). */
  volume: number;
  /** Ticks received (0 for a back-filled bar: no tick is made up). */
  ticks: number;
  backfilled: boolean;
}

/** What a strategy asks for; the runner fills in `strategy` and `market` ('KR'). */
export type OrderRequest = Omit<OrderIntent, 'strategy' | 'market'>;

export type PlaceOrderResult =
  /** Sent once; `order` is the journaled order after KIS's reply (acknowledged, filled, rejected or unknown). */
  | { status: 'sent'; order: JournalOrder }
  /** The risk gate refused it; nothing was sent. */
  | { status: 'refused'; rejection: RiskRejection }
  /** Dry-run: logged, not sent. */
  | { status: 'dry-run'; intent: OrderIntent }
  /** The order manager would not take it (invalid intent, trading not allowed yet, ...). Nothing was sent. */
  | { status: 'failed'; code: string; error: string };

/** Persistent per-strategy state: JSON, written atomically on every set, restored after a restart. */
export interface StrategyState {
  get<T>(): T | undefined;
  set<T>(value: T): Promise<void>;
}

export interface StrategyContext {
  /** The strategy's name (orders are journaled under it). */
  readonly name: string;
  readonly mode: StrategyMode;
  readonly clock: Clock;
  readonly log: Logger;
  /** Latest ticks and books of the subscribed symbols. */
  readonly quotes: QuoteCache;
  /** Today's symbols (the selection's KR watchlist). */
  readonly symbols: readonly string[];
  /** End of the trading session (the scheduler's trading phase end), epoch ms, when known. */
  readonly sessionEndsAtMs: number | undefined;
  readonly state: StrategyState;
  /**
   * This strategy's own position: the net of its own journaled fills today (buys minus sells, average cost of
   * its own buys), capped by what the account holds. Shares the account held before (an operator's long-term
   * holding) or another strategy bought are not in it: exits size from this, so they never sell those.
   */
  position(symbol: string): { qty: number; avgPrice: number };
  /** Account-wide KR position (KIS balance after reconciliation; quantity 0 when flat). Never size an exit from it. */
  accountPosition(symbol: string): { qty: number; avgPrice: number };
  /** This strategy's orders that are not finished yet, optionally for one symbol. */
  openOrders(symbol?: string): JournalOrder[];
  order(clientOrderId: string): JournalOrder | undefined;
  /**
   * Risk check, then (live) one send through the order manager. Never throws. A sell may not exceed
   * position(symbol).qty minus this strategy's open sells. While trading is held (reconciliation has not
   * passed) entries are refused and such sells still go out: getting flat must always work.
   */
  placeOrder(req: OrderRequest): Promise<PlaceOrderResult>;
  /** Cancels the remaining quantity of one of this strategy's orders. Never throws; false when it failed. */
  cancelOrder(clientOrderId: string): Promise<boolean>;
}

/**
 * A strategy. Every handler may be async; the runner calls them one at a time per runner (never two handlers
 * of one strategy at once), off the socket reader. A handler that throws is logged and counted; after
 * `maxHandlerErrors` the strategy is switched off for the session.
 */
export interface Strategy {
  readonly name: string;
  /** Once, before any event (state is loaded). */
  onStart?(ctx: StrategyContext): void | Promise<void>;
  /** Every domestic trade of a subscribed symbol. */
  onTick?(tick: KrTick, ctx: StrategyContext): void | Promise<void>;
  /** Every closed one-minute bar. */
  onBar?(bar: StrategyBar, ctx: StrategyContext): void | Promise<void>;
  /** Every fill of one of this strategy's orders (after the order manager committed it). */
  onFill?(fill: Fill, ctx: StrategyContext): void | Promise<void>;
  /** Every timerEveryMs on the Clock (default 1 s): time-based exits, order timeouts. */
  onTimer?(nowMs: number, ctx: StrategyContext): void | Promise<void>;
  /** Once, when the session ends or the daemon stops. */
  onStop?(ctx: StrategyContext): void | Promise<void>;
}

/** Builds a strategy from its config parameters (validated by the factory; throw ConfigError when wrong). */
export type StrategyFactory = (params: Record<string, unknown>, name: string) => Strategy;
