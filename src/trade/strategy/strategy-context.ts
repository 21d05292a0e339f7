// Builds the StrategyContext: the only way a strategy reaches the order manager, always through the risk gate.
// Market orders are judged at the touch (ask for buys, bid for sells, else the last trade). A strategy's
// position is its own (net of its own fills today), so its exits never sell shares it did not buy; while
// reconciliation holds trading, entries are refused but such exits go through (getting flat must always work).
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { errorMessage, KisdError } from '../../core/errors.js';
import { kstYmd } from '../../core/kst.js';
import type { QuoteCache } from '../../feed/quote-cache.js';
import { TERMINAL_STATES, type JournalOrder, type OrderIntent, type OrderManager, type Position } from '../orders/types.js';
import type { RiskGate } from '../risk/risk-gate.js';
import { orderBookRiskView } from '../risk/order-book-view.js';
import type { OrderRequest, PlaceOrderResult, StrategyContext, StrategyMode, StrategyState } from './types.js';

export interface StrategyContextDeps {
  name: string;
  mode: StrategyMode;
  clock: Clock;
  log: Logger;
  quotes: QuoteCache;
  symbols: readonly string[];
  sessionEndsAtMs: number | undefined;
  state: StrategyState;
  orders: OrderManager;
  risk: RiskGate;
  /** Aborts in-flight sends on shutdown. */
  signal?: AbortSignal;
  /** Counts what the context did (the runner's stats). */
  counters?: { sent: number; refused: number; dryRun: number; failed: number };
  /** Own-position lookup (the runner passes a cached one); default: strategyPosition, read fresh each call. */
  ownPosition?: (symbol: string) => { qty: number; avgPrice: number };
}

/** Yesterday's close from the latest tick (price − signed change vs the previous close); undefined without one. */
export function prevCloseOf(quotes: QuoteCache): (symbol: string) => number | undefined {
  return (symbol) => {
    const t = quotes.krTick(symbol);
    return t ? t.price - t.change : undefined;
  };
}

/** The price a market order's value is judged at; undefined without any quote. */
export function touchPrice(quotes: QuoteCache, symbol: string, side: 'buy' | 'sell'): number | undefined {
  const t = quotes.krTick(symbol);
  const b = quotes.krBook(symbol);
  const touch = side === 'buy' ? (b?.askPrices[0] ?? t?.ask1) : (b?.bidPrices[0] ?? t?.bid1);
  if (touch !== undefined && touch > 0) return touch;
  return t?.price !== undefined && t.price > 0 ? t.price : undefined;
}

/** A strategy's own KR position from its orders of the day (JournalOrder-like rows), before the account cap. */
function ownFromOrders(orders: readonly Pick<JournalOrder, 'strategy' | 'market' | 'symbol' | 'side' | 'filledQty' | 'avgFillPrice' | 'price'>[], strategy: string, symbol: string): { qty: number; avgPrice: number } {
  let qty = 0;
  let avgPrice = 0;
  for (const o of orders) {
    if (o.strategy !== strategy || o.market !== 'KR' || o.symbol !== symbol || o.filledQty <= 0) continue;
    if (o.side === 'buy') {
      const px = o.avgFillPrice ?? o.price ?? 0;
      avgPrice = (avgPrice * qty + px * o.filledQty) / (qty + o.filledQty);
      qty += o.filledQty;
    } else {
      qty = Math.max(0, qty - o.filledQty);
    }
  }
  return { qty, avgPrice };
}

/** The own position capped by the account's quantity of the symbol. */
function capByAccount(own: { qty: number; avgPrice: number }, accountQty: number): { qty: number; avgPrice: number } {
  const qty = Math.max(0, Math.min(own.qty, accountQty));
  return { qty, avgPrice: qty > 0 ? own.avgPrice : 0 };
}

const accountKrQty = (positions: readonly Position[], symbol: string): number => positions.find((p) => p.market === 'KR' && p.symbol === symbol)?.qty ?? 0;

/**
 * A strategy's own KR position in a symbol: its orders of today replayed at average cost (buys raise the
 * quantity and move the average, sells lower the quantity), capped by the account's quantity (a manual sale
 * outside kisd shrinks it). Fills are aggregated per order (filledQty at avgFillPrice), in creation order.
 */
export function strategyPosition(orders: Pick<OrderManager, 'ordersOfDay' | 'positions'>, strategy: string, symbol: string, dayMs?: number): { qty: number; avgPrice: number } {
  return capByAccount(ownFromOrders(orders.ordersOfDay(dayMs), strategy, symbol), accountKrQty(orders.positions(), symbol));
}

/**
 * Own positions for the tick path: strategyPosition re-reads today's journal from SQLite, and a strategy asks
 * on every tick. The journal part only changes when an order changes (update or fill) or the KST day turns, so
 * it is read once in between; the account cap, which reconciliation may overwrite without an order event, is
 * re-read when it is more than 1 s old (the journal is not re-read for it).
 */
export function createOwnPositionCache(
  orders: Pick<OrderManager, 'ordersOfDay' | 'positions' | 'onOrderUpdate' | 'onFill'>,
  strategy: string,
  clock: Clock,
  accountMaxAgeMs = 1_000,
): { get(symbol: string): { qty: number; avgPrice: number }; close(): void } {
  const own = new Map<string, { qty: number; avgPrice: number }>();
  let dayOrders: JournalOrder[] | undefined;
  let day = '';
  let account: Position[] = [];
  let accountAtMs = -Infinity;
  const invalidate = (): void => {
    own.clear();
    dayOrders = undefined;
    accountAtMs = -Infinity;
  };
  const unsubscribe = [orders.onOrderUpdate(invalidate), orders.onFill(invalidate)];
  return {
    get(symbol) {
      const now = clock.nowMs();
      const today = kstYmd(now);
      if (today !== day) {
        day = today;
        invalidate();
      }
      if (clock.monotonicMs() - accountAtMs > accountMaxAgeMs) {
        account = orders.positions();
        accountAtMs = clock.monotonicMs();
      }
      let p = own.get(symbol);
      if (!p) {
        dayOrders ??= orders.ordersOfDay(now);
        p = ownFromOrders(dayOrders, strategy, symbol);
        own.set(symbol, p);
      }
      return capByAccount(p, accountKrQty(account, symbol));
    },
    close: () => {
      for (const u of unsubscribe) u();
      invalidate();
    },
  };
}

export function createStrategyContext(d: StrategyContextDeps): StrategyContext {
  const ownPosition = d.ownPosition ?? ((symbol: string) => strategyPosition(d.orders, d.name, symbol, d.clock.nowMs()));
  const counters = d.counters ?? { sent: 0, refused: 0, dryRun: 0, failed: 0 };
  const mark = (s: string): number | undefined => d.quotes.krTick(s)?.price;
  const mine = () => d.orders.openOrders().filter((o) => o.strategy === d.name && o.market === 'KR');
  /** Own quantity minus own open sells (an unknown sell counts in full: it may still fill). */
  const ownSellable = (symbol: string): number => {
    const selling = mine().filter((o) => o.symbol === symbol && o.side === 'sell').reduce((n, o) => n + Math.max(0, o.qty - o.filledQty), 0);
    return Math.max(0, ownPosition(symbol).qty - selling);
  };
  return {
    name: d.name,
    mode: d.mode,
    clock: d.clock,
    log: d.log,
    quotes: d.quotes,
    symbols: d.symbols,
    sessionEndsAtMs: d.sessionEndsAtMs,
    state: d.state,
    position: (symbol) => ownPosition(symbol),
    accountPosition(symbol) {
      const p = d.orders.positions().find((x) => x.market === 'KR' && x.symbol === symbol);
      return { qty: p?.qty ?? 0, avgPrice: p?.avgPrice ?? 0 };
    },
    openOrders: (symbol) => mine().filter((o) => symbol === undefined || o.symbol === symbol),
    order: (id) => d.orders.get(id),
    async placeOrder(req: OrderRequest): Promise<PlaceOrderResult> {
      const intent: OrderIntent = { ...req, strategy: d.name, market: 'KR' };
      const priceKrw = intent.type === 'limit' ? (intent.price ?? NaN) : (touchPrice(d.quotes, intent.symbol, intent.side) ?? NaN);
      const fields = { symbol: intent.symbol, side: intent.side, qty: intent.qty, type: intent.type, price: intent.price, tag: intent.tag };
      // Only entries wait for reconciliation: a sell of the strategy's own quantity (bounded below by the risk
      // gate) is an exit and goes out even now. The order manager accepts a reducing KR sell while held.
      if (d.mode === 'live' && !d.orders.tradingAllowed && intent.side === 'buy') {
        counters.refused++;
        const reason = 'new entries are held until reconciliation with KIS has passed (exits stay allowed)';
        d.log.warn(fields, `order refused: ${reason}`);
        return { status: 'refused', rejection: { ok: false, code: 'trading-halted', reason, details: {} } };
      }
      const strategySellableQty = intent.side === 'sell' ? ownSellable(intent.symbol) : undefined;
      const decision = await d.risk.check({ strategy: d.name, symbol: intent.symbol, side: intent.side, qty: intent.qty, priceKrw, ...(strategySellableQty !== undefined ? { strategySellableQty } : {}) }, orderBookRiskView(d.orders, mark, { prevClose: prevCloseOf(d.quotes) }));
      if (!decision.ok) {
        counters.refused++;
        return { status: 'refused', rejection: decision };
      }
      if (d.mode === 'dry-run') {
        counters.dryRun++;
        d.log.info({ ...fields, kind: decision.kind, valueKrw: decision.valueKrw }, `dry-run: would ${intent.side} ${intent.qty} ${intent.symbol} (${intent.type}${intent.price !== undefined ? ` @ ${intent.price}` : ''}); nothing sent`);
        return { status: 'dry-run', intent };
      }
      try {
        const order = await d.orders.submit(intent, d.signal);
        counters.sent++;
        d.log.info({ ...fields, clientOrderId: order.clientOrderId, state: order.state }, `order ${order.state}: ${intent.side} ${intent.qty} ${intent.symbol}`);
        return { status: 'sent', order };
      } catch (err) {
        counters.failed++;
        const code = err instanceof KisdError ? err.code : 'KISD_ORDER_FAILED';
        d.log.error({ ...fields, code, err: errorMessage(err) }, 'order not sent');
        return { status: 'failed', code, error: errorMessage(err) };
      }
    },
    async cancelOrder(clientOrderId: string): Promise<boolean> {
      const o = d.orders.get(clientOrderId);
      if (!o || o.strategy !== d.name || TERMINAL_STATES.has(o.state)) return false;
      if (d.mode === 'dry-run') {
        d.log.info({ clientOrderId }, 'dry-run: would cancel');
        return true;
      }
      try {
        await d.orders.cancel(clientOrderId, d.signal);
        return true;
      } catch (err) {
        d.log.warn({ clientOrderId, err: errorMessage(err) }, 'cancel failed');
        return false;
      }
    },
  };
}
