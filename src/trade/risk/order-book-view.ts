// Builds the risk gate's RiskView from the order manager — kisd's own fills and open orders, never the whole
// account — and price sources (the quote cache: marks and yesterday's close). Today's P&L comes from the
// journaled fills through the PositionLedger, so it includes fees and survives restarts (the journal does).
import type { Fill, JournalOrder, OrderManager } from '../orders/types.js';
import { PositionLedger, type LedgerFill } from './pnl-ledger.js';
import type { RiskView } from './risk-types.js';

/** Latest price per KR code, e.g. `(s) => quotes.krTick(s)?.price`. */
export type MarkSource = (symbol: string) => number | undefined;

/** One aggregated fill per journaled order (qty = filledQty at avgFillPrice, stamped at updatedAtMs). */
export function fillsFromOrders(orders: readonly JournalOrder[], market: 'KR' | 'US' = 'KR'): LedgerFill[] {
  const out: LedgerFill[] = [];
  for (const o of orders) {
    if (o.market !== market || o.filledQty <= 0 || o.avgFillPrice === undefined) continue;
    out.push({ symbol: o.symbol, side: o.side, qty: o.filledQty, price: o.avgFillPrice, atMs: o.updatedAtMs });
  }
  return out;
}

/** Yesterday's close per KR code, e.g. `(s) => { const t = quotes.krTick(s); return t && t.price - t.change; }`. */
export type PrevCloseSource = (symbol: string) => number | undefined;

const usable = (v: number | undefined): number | undefined => (v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined);

/**
 * kisd's own KR book for today, from its journal's fills only (never the operator's holdings, which the
 * balance and the position ledger include): shares held overnight enter at yesterday's close (their average
 * cost when no close is known), today's buys at their fill price. So realized + (mark − avgPrice) × qty is
 * today's P&L of kisd's own positions (issue 9 item 2).
 */
export function ownDayLedger(om: Pick<OrderManager, 'ownFills'>, prevClose?: PrevCloseSource, dayMs?: number): PositionLedger {
  const { beforeToday, today } = om.ownFills(dayMs);
  const toLedger = (fs: readonly Fill[]): LedgerFill[] => fs.filter((f) => f.market === 'KR').map((f) => ({ symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, atMs: f.atMs }));
  const overnight = new PositionLedger().applyAll(toLedger(beforeToday));
  const ledger = new PositionLedger();
  for (const p of overnight.positions()) if (p.qty > 0) ledger.seed(p.symbol, p.qty, usable(prevClose?.(p.symbol)) ?? p.avgPrice);
  return ledger.applyAll(toLedger(today));
}

function remaining(o: JournalOrder): number {
  return Math.max(0, o.qty - o.filledQty);
}

/**
 * A consistent snapshot of kisd's own KR book for one risk check: held quantities and their day cost basis
 * from ownDayLedger, open orders from the journal. Operator holdings count for nothing here.
 */
export function orderBookRiskView(om: OrderManager, mark: MarkSource, opts: { prevClose?: PrevCloseSource; dayMs?: number } = {}): RiskView {
  const ledger = ownDayLedger(om, opts.prevClose, opts.dayMs);
  const positions = new Map(ledger.positions().filter((p) => p.qty > 0).map((p) => [p.symbol, p]));
  const open = om.openOrders().filter((o) => o.market === 'KR');
  const buyValue = new Map<string, number>();
  const sellQty = new Map<string, number>();
  for (const o of open) {
    if (o.side === 'buy') {
      const px = o.price ?? mark(o.symbol) ?? 0;
      buyValue.set(o.symbol, (buyValue.get(o.symbol) ?? 0) + remaining(o) * px);
    } else {
      sellQty.set(o.symbol, (sellQty.get(o.symbol) ?? 0) + remaining(o));
    }
  }
  const symbols = [...new Set([...positions.keys(), ...open.map((o) => o.symbol)])];
  return {
    heldQty: (s) => positions.get(s)?.qty ?? 0,
    avgPrice: (s) => positions.get(s)?.avgPrice ?? 0,
    symbols: () => symbols,
    markPrice: (s) => usable(mark(s)),
    openBuyValueKrw: (s) => buyValue.get(s) ?? 0,
    openSellQty: (s) => sellQty.get(s) ?? 0,
    realizedTodayKrw: () => ledger.realizedKrw(),
  };
}
