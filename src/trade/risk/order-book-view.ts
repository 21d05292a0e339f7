// Builds the risk gate's RiskView from the order manager (positions, open orders, today's journal) and a
// price source (the quote cache). Realized P&L today comes from today's journaled fills through the
// PositionLedger, so it includes fees and survives restarts (the journal does).
import type { JournalOrder, OrderManager } from '../orders/types.js';
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

/**
 * Today's ledger from the journal, seeded with what was held before today's fills (current position minus
 * today's net buys, at the position's average cost — an approximation when today's buys moved the average).
 */
export function ledgerOfDay(om: Pick<OrderManager, 'ordersOfDay' | 'positions'>, dayMs?: number): PositionLedger {
  const fills = fillsFromOrders(om.ordersOfDay(dayMs));
  const netToday = new Map<string, number>();
  for (const f of fills) netToday.set(f.symbol, (netToday.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
  const ledger = new PositionLedger();
  for (const p of om.positions()) {
    if (p.market !== 'KR') continue;
    ledger.seed(p.symbol, p.qty - (netToday.get(p.symbol) ?? 0), p.avgPrice);
  }
  return ledger.applyAll(fills);
}

function remaining(o: JournalOrder): number {
  return Math.max(0, o.qty - o.filledQty);
}

/** A consistent snapshot of the KR book for one risk check. */
export function orderBookRiskView(om: OrderManager, mark: MarkSource, dayMs?: number): RiskView {
  const positions = new Map(om.positions().filter((p) => p.market === 'KR').map((p) => [p.symbol, p]));
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
  let realized: number | undefined;
  const symbols = [...new Set([...positions.keys(), ...open.map((o) => o.symbol)])];
  return {
    heldQty: (s) => positions.get(s)?.qty ?? 0,
    avgPrice: (s) => positions.get(s)?.avgPrice ?? 0,
    symbols: () => symbols,
    markPrice: (s) => {
      const m = mark(s);
      return m !== undefined && Number.isFinite(m) && m > 0 ? m : undefined;
    },
    openBuyValueKrw: (s) => buyValue.get(s) ?? 0,
    openSellQty: (s) => sellQty.get(s) ?? 0,
    realizedTodayKrw: () => (realized ??= ledgerOfDay(om, dayMs).realizedKrw()),
  };
}
