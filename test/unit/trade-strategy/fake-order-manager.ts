// FakeOrderManager: an in-memory OrderManager for strategy, risk, session and report tests. Orders are
// acknowledged at once; `autoFill` (default on) fills a market order at the current price and a limit order
// when it is marketable against it; fill() fills by hand. Positions use average cost like the real one.
import type { Fill, JournalOrder, OrderIntent, OrderManager, OrderUpdate, Position, ReconcileReport } from '../../../src/trade/orders/types.js';
import { TERMINAL_STATES } from '../../../src/trade/orders/types.js';
import { kstYmd } from '../../../src/core/kst.js';

export class FakeOrderManager implements OrderManager {
  readonly orders: JournalOrder[] = [];
  readonly submitted: OrderIntent[] = [];
  private readonly pos = new Map<string, Position>();
  /** Fills of kisd's own orders (what ownFills splits at the KST day); setPosition adds none (operator shares). */
  readonly fills: Fill[] = [];
  private readonly fillListeners = new Set<(f: Fill, o: JournalOrder | undefined) => void>();
  private readonly updateListeners = new Set<(u: OrderUpdate) => void>();
  private seq = 0;
  tradingAllowed = true;
  autoFill = true;
  /** State a submitted order ends in when KIS "refuses" it (for tests of rejected orders). */
  rejectNext = false;

  constructor(
    private readonly now: () => number,
    private readonly price: (symbol: string) => number | undefined = () => undefined,
  ) {}

  setPosition(symbol: string, qty: number, avgPrice: number): void {
    this.pos.set(symbol, { market: 'KR', symbol, qty, avgPrice, realizedPnl: 0 });
  }

  async submit(intent: OrderIntent): Promise<JournalOrder> {
    this.submitted.push({ ...intent });
    const t = this.now();
    const order: JournalOrder = { ...intent, clientOrderId: `c${++this.seq}`, state: 'acknowledged', kisOrderNo: String(this.seq).padStart(10, '0'), kisOrgNo: '91252', filledQty: 0, createdAtMs: t, sentAtMs: t, updatedAtMs: t };
    this.orders.push(order);
    if (this.rejectNext) {
      this.rejectNext = false;
      this.setState(order, 'rejected');
      return { ...order };
    }
    if (this.autoFill) {
      const px = this.price(intent.symbol);
      if (px !== undefined) {
        if (intent.type === 'market') this.fill(order.clientOrderId, intent.qty, px);
        else if (intent.price !== undefined && (intent.side === 'buy' ? intent.price >= px : intent.price <= px)) this.fill(order.clientOrderId, intent.qty, intent.price);
      }
    }
    return { ...order };
  }

  fill(clientOrderId: string, qty: number, price: number): void {
    const o = this.orders.find((x) => x.clientOrderId === clientOrderId);
    if (!o) throw new Error(`no order ${clientOrderId}`);
    const t = this.now();
    o.avgFillPrice = ((o.avgFillPrice ?? 0) * o.filledQty + price * qty) / (o.filledQty + qty);
    o.filledQty += qty;
    o.updatedAtMs = t;
    const p = this.pos.get(o.symbol) ?? { market: 'KR' as const, symbol: o.symbol, qty: 0, avgPrice: 0, realizedPnl: 0 };
    if (o.side === 'buy') {
      p.avgPrice = (p.avgPrice * p.qty + price * qty) / (p.qty + qty);
      p.qty += qty;
    } else {
      p.realizedPnl += (price - p.avgPrice) * qty;
      p.qty -= qty;
      if (p.qty === 0) p.avgPrice = 0;
    }
    this.pos.set(o.symbol, p);
    this.setState(o, o.filledQty >= o.qty ? 'filled' : 'partially_filled');
    const fill: Fill = { clientOrderId, kisOrderNo: o.kisOrderNo ?? '', market: 'KR', symbol: o.symbol, side: o.side, qty, price, atMs: t, source: 'notice' };
    this.fills.push(fill);
    for (const l of this.fillListeners) l(fill, { ...o });
  }

  async cancel(clientOrderId: string): Promise<JournalOrder> {
    const o = this.orders.find((x) => x.clientOrderId === clientOrderId);
    if (!o) throw new Error(`no order ${clientOrderId}`);
    if (!TERMINAL_STATES.has(o.state)) this.setState(o, 'cancelled');
    return { ...o };
  }

  async revise(clientOrderId: string): Promise<JournalOrder> {
    return { ...this.orders.find((x) => x.clientOrderId === clientOrderId)! };
  }

  get(clientOrderId: string): JournalOrder | undefined {
    const o = this.orders.find((x) => x.clientOrderId === clientOrderId);
    return o ? { ...o } : undefined;
  }

  openOrders(): JournalOrder[] {
    return this.orders.filter((o) => !TERMINAL_STATES.has(o.state)).map((o) => ({ ...o }));
  }

  ordersOfDay(dayMs?: number): JournalOrder[] {
    const ymd = kstYmd(dayMs ?? this.now());
    return this.orders.filter((o) => kstYmd(o.createdAtMs) === ymd).map((o) => ({ ...o }));
  }

  ownFills(dayMs?: number): { beforeToday: Fill[]; today: Fill[] } {
    const ymd = kstYmd(dayMs ?? this.now());
    return { beforeToday: this.fills.filter((f) => kstYmd(f.atMs) < ymd), today: this.fills.filter((f) => kstYmd(f.atMs) === ymd) };
  }

  positions(): Position[] {
    return [...this.pos.values()].filter((p) => p.qty !== 0).map((p) => ({ ...p }));
  }

  onFill(listener: (fill: Fill, order: JournalOrder | undefined) => void): () => void {
    this.fillListeners.add(listener);
    return () => this.fillListeners.delete(listener);
  }

  onOrderUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  async reconcile(): Promise<ReconcileReport> {
    const t = this.now();
    return { passed: true, startedAtMs: t, finishedAtMs: t, settledOrders: 0, addedFillQty: 0, differences: [], unresolved: [], positionsChecked: true };
  }

  private setState(o: JournalOrder, state: JournalOrder['state']): void {
    const previousState = o.state;
    o.state = state;
    o.updatedAtMs = this.now();
    for (const l of this.updateListeners) l({ order: { ...o }, previousState });
  }
}
