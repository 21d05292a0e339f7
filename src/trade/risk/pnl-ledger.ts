// Average-cost position accounting from fills: positions, realized P&L net of fees, and round-trip trades.
// Pure and deterministic; the risk gate uses it live (daily loss) and the daily report uses it after the close.
import { KR_COMMISSION_RATE, KR_SELL_TAX_RATE } from '../../core/constants.js';

export interface LedgerFill {
  symbol: string;
  side: 'buy' | 'sell';
  /** Shares, > 0. */
  qty: number;
  /** KRW per share. */
  price: number;
  /** Wall time of the execution, epoch ms. */
  atMs: number;
  /** Commission + tax charged for this fill, KRW; estimated with estimateKrFees when absent. */
  feesKrw?: number;
}

export interface LedgerPosition {
  symbol: string;
  qty: number;
  /** Average cost per share of the open quantity, KRW (0 when flat). */
  avgPrice: number;
  /** Realized P&L of this symbol today, net of fees, KRW. */
  realizedKrw: number;
  feesKrw: number;
}

/** One round trip: from flat to flat in one symbol. `exitAtMs` is undefined while it is still open. */
export interface RoundTrip {
  symbol: string;
  entryAtMs: number;
  exitAtMs?: number;
  /** Largest quantity held during the trip. */
  maxQty: number;
  /** Average entry price over all buys of the trip, KRW. */
  avgEntryPrice: number;
  /** Average exit price over all sells of the trip, KRW (0 while none). */
  avgExitPrice: number;
  /** Realized P&L of the trip so far, net of fees, KRW. */
  pnlKrw: number;
}

/** Commission (both sides) plus the sell tax, each floored to the won, as the simulator and KIS charge them. */
export function estimateKrFees(side: 'buy' | 'sell', amountKrw: number): number {
  const commission = floorWon(amountKrw * KR_COMMISSION_RATE);
  return side === 'sell' ? commission + floorWon(amountKrw * KR_SELL_TAX_RATE) : commission;
}

/** Floors to the won, forgiving binary rounding (240,000 × 0.00015 is 35.999… in floating point, not 36). */
function floorWon(v: number): number {
  return Math.floor(v + 1e-6);
}

interface OpenTrip extends RoundTrip {
  buyQty: number;
  buyAmount: number;
  sellQty: number;
  sellAmount: number;
}

export class PositionLedger {
  private readonly book = new Map<string, LedgerPosition>();
  private readonly open = new Map<string, OpenTrip>();
  private readonly closed: RoundTrip[] = [];
  /** Sells beyond the held quantity (a cash account cannot short: indicates a missed fill). */
  oversoldQty = 0;

  /**
   * Starts a symbol with a quantity carried over from before the fills (e.g. yesterday's holding) at an
   * average cost, so selling it realizes P&L instead of counting as oversold. Opens no round trip.
   */
  seed(symbol: string, qty: number, avgPrice: number): void {
    if (!(qty > 0) || !(avgPrice > 0) || this.book.has(symbol)) return;
    this.book.set(symbol, { symbol, qty, avgPrice, realizedKrw: 0, feesKrw: 0 });
  }

  /** Applies one fill; ignores (and counts nothing for) fills with a non-positive quantity or price. */
  apply(fill: LedgerFill): void {
    if (!(fill.qty > 0) || !(fill.price > 0)) return;
    const fees = fill.feesKrw ?? estimateKrFees(fill.side, fill.qty * fill.price);
    const p = this.book.get(fill.symbol) ?? { symbol: fill.symbol, qty: 0, avgPrice: 0, realizedKrw: 0, feesKrw: 0 };
    p.feesKrw += fees;
    p.realizedKrw -= fees;
    let trip = this.open.get(fill.symbol);
    if (fill.side === 'buy') {
      if (!trip) {
        trip = { symbol: fill.symbol, entryAtMs: fill.atMs, maxQty: 0, avgEntryPrice: 0, avgExitPrice: 0, pnlKrw: 0, buyQty: 0, buyAmount: 0, sellQty: 0, sellAmount: 0 };
        this.open.set(fill.symbol, trip);
      }
      p.avgPrice = (p.avgPrice * p.qty + fill.price * fill.qty) / (p.qty + fill.qty);
      p.qty += fill.qty;
      trip.buyQty += fill.qty;
      trip.buyAmount += fill.qty * fill.price;
      trip.maxQty = Math.max(trip.maxQty, p.qty);
      trip.pnlKrw -= fees;
    } else {
      const closing = Math.min(fill.qty, p.qty);
      this.oversoldQty += fill.qty - closing;
      const gross = (fill.price - p.avgPrice) * closing;
      p.realizedKrw += gross;
      p.qty -= closing;
      if (p.qty === 0) p.avgPrice = 0;
      if (trip) {
        trip.sellQty += closing;
        trip.sellAmount += closing * fill.price;
        trip.pnlKrw += gross - fees;
        if (p.qty === 0) {
          this.closed.push(finish(trip, fill.atMs));
          this.open.delete(fill.symbol);
        }
      }
    }
    this.book.set(fill.symbol, p);
  }

  applyAll(fills: readonly LedgerFill[]): this {
    for (const f of [...fills].sort((a, b) => a.atMs - b.atMs)) this.apply(f);
    return this;
  }

  position(symbol: string): LedgerPosition | undefined {
    const p = this.book.get(symbol);
    return p ? { ...p } : undefined;
  }

  positions(): LedgerPosition[] {
    return [...this.book.values()].map((p) => ({ ...p }));
  }

  /** Realized P&L over all symbols, net of fees, KRW. */
  realizedKrw(): number {
    let sum = 0;
    for (const p of this.book.values()) sum += p.realizedKrw;
    return sum;
  }

  feesKrw(): number {
    let sum = 0;
    for (const p of this.book.values()) sum += p.feesKrw;
    return sum;
  }

  /** Open quantity marked at mark(symbol) against its average cost; symbols without a mark count at cost (0). */
  unrealizedKrw(mark: (symbol: string) => number | undefined): number {
    let sum = 0;
    for (const p of this.book.values()) {
      if (p.qty === 0) continue;
      const m = mark(p.symbol);
      if (m !== undefined && Number.isFinite(m) && m > 0) sum += (m - p.avgPrice) * p.qty;
    }
    return sum;
  }

  /** Closed round trips in closing order, then the still-open ones. */
  trades(): RoundTrip[] {
    return [...this.closed.map((t) => ({ ...t })), ...[...this.open.values()].map((t) => finish(t, undefined))];
  }
}

function finish(t: OpenTrip, exitAtMs: number | undefined): RoundTrip {
  return {
    symbol: t.symbol,
    entryAtMs: t.entryAtMs,
    ...(exitAtMs !== undefined ? { exitAtMs } : {}),
    maxQty: t.maxQty,
    avgEntryPrice: t.buyQty > 0 ? t.buyAmount / t.buyQty : 0,
    avgExitPrice: t.sellQty > 0 ? t.sellAmount / t.sellQty : 0,
    pnlKrw: t.pnlKrw,
  };
}
