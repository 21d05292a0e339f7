// Public vocabulary of the order path (strategies, risk and the daily report code against it): intents, the
// journaled order and its states, fills, positions, and the OrderManager port. Prices are KRW (integers) for
// KR and USD for US; quantities are shares. All *AtMs fields are wall-clock epoch ms.

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type Market = 'KR' | 'US';

/**
 * new: journaled, never sent (a `new` row found at start-up is closed as cancelled-before-send).
 * sent: journaled as about to be sent; bytes may or may not have left.
 * acknowledged: KIS returned an order number. partially_filled / filled: fills recorded.
 * cancelled: nothing more will fill (cancel acknowledged, day order expired, or never reached KIS).
 * rejected: KIS refused the order (rt_cd != 0) — it is not live.
 * unknown: the reply was lost (OrderOutcomeUnknownError or a crash after `sent`); never resent, settled by
 * reconciliation against daily executions and by execution notices.
 * failed: abandoned before any byte left — it could not leave within orders.send_deadline of its decision
 * (KIS unreachable, token or rate waits); never sent late.
 */
export type OrderState = 'new' | 'sent' | 'acknowledged' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'unknown' | 'failed';

export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set(['filled', 'cancelled', 'rejected', 'failed']);

export interface OrderIntent {
  /** Name of the strategy placing the order (journaled, used by the daily report). */
  strategy: string;
  market: Market;
  /** KR: 6-character code (ETN with its Q prefix); US: ticker, e.g. "AAPL". */
  symbol: string;
  side: OrderSide;
  /** Shares, integer >= 1. */
  qty: number;
  type: OrderType;
  /** Limit price (KRW integer on a valid tick / USD); required for 'limit'. */
  price?: number;
  /** US only: exchange code NAS/NYS/AMS (or NASD/NYSE/AMEX). Default NAS. */
  exchange?: string;
  /** Free label, e.g. 'intraday', 'close-out'. */
  tag?: string;
}

export interface JournalOrder extends OrderIntent {
  /** Ours: unique, generated at submit, never reused. */
  clientOrderId: string;
  state: OrderState;
  /** ODNO of the live order at KIS (after a revise: the revision's number). */
  kisOrderNo?: string;
  /** KRX_FWDG_ORD_ORGNO (branch), needed to revise/cancel. */
  kisOrgNo?: string;
  filledQty: number;
  /** Volume-weighted average of the recorded fills. */
  avgFillPrice?: number;
  createdAtMs: number;
  /** When the `sent` row was committed (the decision to send; the bytes may leave later: see attempts). */
  sentAtMs?: number;
  updatedAtMs: number;
  /** Latest failure in words (KIS msg_cd + msg1, or why the order was closed). */
  lastError?: string;
}

export interface Fill {
  clientOrderId?: string;
  /** The KIS order number the fill belongs to (a revision has its own number). */
  kisOrderNo: string;
  market: Market;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  atMs: number;
  /** notice: realtime execution notice; executions/reconcile: derived from inquire-daily-ccld totals. */
  source: 'notice' | 'executions' | 'reconcile';
}

export interface Position {
  market: Market;
  symbol: string;
  qty: number;
  /** Average cost of the open quantity (fees excluded, like KIS's pchs_avg_pric). */
  avgPrice: number;
  /** (sell price − average cost) × qty summed over sells; fees excluded. */
  realizedPnl: number;
}

export interface OrderUpdate {
  order: JournalOrder;
  previousState: OrderState;
}

export interface ReconcileDifference {
  kind: 'order' | 'fill' | 'position';
  clientOrderId?: string;
  market?: Market;
  symbol?: string;
  /** What the journal said and what KIS says, in words. */
  journal: string;
  broker: string;
  /** What was done (always: taken KIS's side). */
  action: string;
}

export interface ReconcileReport {
  /** True when nothing is left unresolved (KR unknown orders all settled, positions compared and adjusted). */
  passed: boolean;
  startedAtMs: number;
  finishedAtMs: number;
  /** Orders whose state changed by reconciliation. */
  settledOrders: number;
  /** Fill quantity added from daily executions (missed notices, crashes). */
  addedFillQty: number;
  differences: ReconcileDifference[];
  /** clientOrderIds still unknown (e.g. within the not-found grace period, or US orders). */
  unresolved: string[];
  /**
   * Whether positions were compared with the balance this pass. It is skipped when fills arrive while it
   * looks; that fails the pass only until one comparison has succeeded in this process.
   */
  positionsChecked: boolean;
  /** Set when the broker could not be queried; passed is false then. */
  error?: string;
}

/** What strategies and risk code call. Every method that talks to KIS takes an AbortSignal. */
export interface OrderManager {
  /**
   * Journals the intent (state `new`), commits `sent`, then sends it once. Resolves with the journaled order
   * in its state after the reply: acknowledged (or filled already), rejected (KIS refused), or unknown (reply
   * lost — never resent). Throws OrderRejectedError only for invalid intents (nothing journaled) and
   * TradingNotAllowedError before reconciliation has passed.
   */
  submit(intent: OrderIntent, signal?: AbortSignal): Promise<JournalOrder>;
  /**
   * Cancels the remaining quantity (order-rvsecncl 02); allowed even while trading is paused. Resolves with
   * the order after the reply: `cancelled`, or unchanged with lastError when KIS refused or the reply was lost
   * (then it is never resent; reconciliation settles it). Throws OrderNotChangeableError when the order is
   * terminal, has no KIS number yet, is a US order, or has an unresolved cancel/revise.
   */
  cancel(clientOrderId: string, signal?: AbortSignal): Promise<JournalOrder>;
  /**
   * Moves the whole remaining quantity to a new price (order-rvsecncl 01; KIS gives it a new order number).
   * change.qty, if given, must equal the remaining quantity (to resize: cancel and submit). Same outcomes as cancel.
   */
  revise(clientOrderId: string, change: { qty?: number; price?: number }, signal?: AbortSignal): Promise<JournalOrder>;
  get(clientOrderId: string): JournalOrder | undefined;
  /** Orders not in a terminal state (sent, acknowledged, partially_filled, unknown). */
  openOrders(): JournalOrder[];
  /** Orders created on the KST day of dayMs (default today), oldest first — for reports. */
  ordersOfDay(dayMs?: number): JournalOrder[];
  positions(): Position[];
  /**
   * kisd's own fills (its journal; never the operator's trades), split at the start of the KST day of dayMs
   * (default today), oldest first: what risk measures instead of the whole account.
   */
  ownFills(dayMs?: number): { beforeToday: Fill[]; today: Fill[] };
  /** Called once per recorded fill, after it is committed. Returns an unsubscribe. */
  onFill(listener: (fill: Fill, order: JournalOrder | undefined) => void): () => void;
  /** Called after every committed state change. Returns an unsubscribe. */
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void;
  /** Compares the journal and positions with KIS (balance, today's executions) and settles in KIS's favour. */
  reconcile(signal?: AbortSignal): Promise<ReconcileReport>;
  /** False until a reconciliation has passed (start-up), and again after one fails. */
  readonly tradingAllowed: boolean;
}
