// The position ledger (migration 4): quantity, average cost and realised P&L per (market, symbol), moved by
// recorded fills in the same transaction as the fill, and overwritten by reconciliation when KIS disagrees.
import type { SqliteDatabase } from './database.js';

export interface PositionRow {
  market: 'KR' | 'US';
  symbol: string;
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  updatedAtMs: number;
}

export interface PositionsRepo {
  get(market: 'KR' | 'US', symbol: string): PositionRow | undefined;
  /** Every row, flat ones included (their realised P&L still counts), ordered by market and symbol. */
  all(): PositionRow[];
  upsert(row: PositionRow): void;
  /**
   * Books a fill: a buy raises qty and blends the average cost; a sell lowers qty and realises
   * (price − avg) × qty. A sell beyond the held quantity (short, or a missed buy) leaves qty negative with
   * avg = price; reconciliation corrects it from the balance. Returns the new row.
   */
  applyFill(market: 'KR' | 'US', symbol: string, side: 'buy' | 'sell', qty: number, price: number, atMs: number): PositionRow;
}

const COLS = 'market, symbol, qty, avg_price AS avgPrice, realized_pnl AS realizedPnl, updated_at AS updatedAtMs';

export function createPositionsRepo(db: SqliteDatabase): PositionsRepo {
  const getStmt = db.prepare(`SELECT ${COLS} FROM positions WHERE market = ? AND symbol = ?`);
  const allStmt = db.prepare(`SELECT ${COLS} FROM positions ORDER BY market, symbol`);
  const upsertStmt = db.prepare(`INSERT INTO positions (market, symbol, qty, avg_price, realized_pnl, updated_at)
    VALUES (@market, @symbol, @qty, @avgPrice, @realizedPnl, @updatedAtMs)
    ON CONFLICT (market, symbol) DO UPDATE SET qty = excluded.qty, avg_price = excluded.avg_price,
      realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at`);
  const repo: PositionsRepo = {
    get: (market, symbol) => getStmt.get(market, symbol) as PositionRow | undefined,
    all: () => allStmt.all() as PositionRow[],
    upsert: (row) => void upsertStmt.run(row),
    applyFill(market, symbol, side, qty, price, atMs) {
      const cur = repo.get(market, symbol) ?? { market, symbol, qty: 0, avgPrice: 0, realizedPnl: 0, updatedAtMs: atMs };
      const next: PositionRow = { ...cur, updatedAtMs: atMs };
      if (side === 'buy') {
        const held = Math.max(0, cur.qty);
        next.qty = cur.qty + qty;
        next.avgPrice = next.qty > 0 ? (held * cur.avgPrice + qty * price) / (held + qty) : 0;
      } else {
        const closing = Math.min(qty, Math.max(0, cur.qty));
        next.realizedPnl = cur.realizedPnl + (price - cur.avgPrice) * closing;
        next.qty = cur.qty - qty;
        next.avgPrice = next.qty > 0 ? cur.avgPrice : next.qty < 0 ? price : 0;
      }
      repo.upsert(next);
      return next;
    },
  };
  return repo;
}
