// Net buying by investor group per (symbol, date) from inquire-investor (FHKST01010900); idempotent upserts.
import type { SqliteDatabase } from './database.js';

export interface InvestorFlowRow {
  symbol: string;
  /** "YYYYMMDD" (KST); KIS publishes today's row only after the close. */
  date: string;
  personNetQty: number;
  personNetAmount: number;
  foreignNetQty: number;
  foreignNetAmount: number;
  institutionNetQty: number;
  institutionNetAmount: number;
}

export interface InvestorFlowsRepo {
  upsert(rows: readonly InvestorFlowRow[], nowMs: number): void;
  get(symbol: string, date: string): InvestorFlowRow | undefined;
  countOn(date: string): number;
  symbolsOn(date: string): string[];
  count(): number;
}

const SELECT = `SELECT symbol, date,
  person_net_qty AS personNetQty, person_net_amount AS personNetAmount,
  foreign_net_qty AS foreignNetQty, foreign_net_amount AS foreignNetAmount,
  institution_net_qty AS institutionNetQty, institution_net_amount AS institutionNetAmount
  FROM investor_flows`;

export function createInvestorFlowsRepo(db: SqliteDatabase): InvestorFlowsRepo {
  const upsertStmt = db.prepare(`
    INSERT INTO investor_flows (symbol, date, person_net_qty, person_net_amount, foreign_net_qty, foreign_net_amount,
      institution_net_qty, institution_net_amount, updated_at)
    VALUES (@symbol, @date, @personNetQty, @personNetAmount, @foreignNetQty, @foreignNetAmount,
      @institutionNetQty, @institutionNetAmount, @nowMs)
    ON CONFLICT (symbol, date) DO UPDATE SET
      person_net_qty = excluded.person_net_qty, person_net_amount = excluded.person_net_amount,
      foreign_net_qty = excluded.foreign_net_qty, foreign_net_amount = excluded.foreign_net_amount,
      institution_net_qty = excluded.institution_net_qty, institution_net_amount = excluded.institution_net_amount,
      updated_at = excluded.updated_at`);
  const getStmt = db.prepare(`${SELECT} WHERE symbol = ? AND date = ?`);
  const countOnStmt = db.prepare('SELECT COUNT(*) AS n FROM investor_flows WHERE date = ?');
  const symbolsOnStmt = db.prepare('SELECT symbol FROM investor_flows WHERE date = ? ORDER BY symbol').pluck();
  const countStmt = db.prepare('SELECT COUNT(*) AS n FROM investor_flows');
  const upsertMany = db.transaction((rows: readonly InvestorFlowRow[], nowMs: number) => {
    for (const r of rows) upsertStmt.run({ ...r, nowMs });
  });
  return {
    upsert: (rows, nowMs) => upsertMany(rows, nowMs),
    get: (symbol, date) => getStmt.get(symbol, date) as InvestorFlowRow | undefined,
    countOn: (date) => (countOnStmt.get(date) as { n: number }).n,
    symbolsOn: (date) => symbolsOnStmt.all(date) as string[],
    count: () => (countStmt.get() as { n: number }).n,
  };
}
