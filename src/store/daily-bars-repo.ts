// Daily OHLCV bars, one row per (symbol, date). Upserts are idempotent: re-collecting a day overwrites it.
import type { SqliteDatabase } from './database.js';

export interface DailyBarRow {
  symbol: string;
  /** KIS business date "YYYYMMDD" (KST). */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Traded value in KRW (acml_tr_pbmn); null when KIS left it blank. */
  turnover: number | null;
}

export interface DailyBarsRepo {
  /** Upserts in one transaction. */
  upsert(rows: readonly DailyBarRow[], nowMs: number): void;
  get(symbol: string, date: string): DailyBarRow | undefined;
  /** The most recent bar of a symbol (the "last collected close" fallback). */
  latest(symbol: string): DailyBarRow | undefined;
  /** Newest date present for any symbol. */
  latestDate(): string | undefined;
  countOn(date: string): number;
  symbolsOn(date: string): string[];
  count(): number;
}

const COLUMNS = 'symbol, date, open, high, low, close, volume, turnover';

export function createDailyBarsRepo(db: SqliteDatabase): DailyBarsRepo {
  const upsertStmt = db.prepare(`
    INSERT INTO daily_bars (${COLUMNS}, updated_at)
    VALUES (@symbol, @date, @open, @high, @low, @close, @volume, @turnover, @nowMs)
    ON CONFLICT (symbol, date) DO UPDATE SET
      open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
      volume = excluded.volume, turnover = excluded.turnover, updated_at = excluded.updated_at`);
  const getStmt = db.prepare(`SELECT ${COLUMNS} FROM daily_bars WHERE symbol = ? AND date = ?`);
  const latestStmt = db.prepare(`SELECT ${COLUMNS} FROM daily_bars WHERE symbol = ? ORDER BY date DESC LIMIT 1`);
  const latestDateStmt = db.prepare('SELECT MAX(date) AS v FROM daily_bars');
  const countOnStmt = db.prepare('SELECT COUNT(*) AS n FROM daily_bars WHERE date = ?');
  const symbolsOnStmt = db.prepare('SELECT symbol FROM daily_bars WHERE date = ? ORDER BY symbol').pluck();
  const countStmt = db.prepare('SELECT COUNT(*) AS n FROM daily_bars');
  const upsertMany = db.transaction((rows: readonly DailyBarRow[], nowMs: number) => {
    for (const r of rows) upsertStmt.run({ ...r, nowMs });
  });
  return {
    upsert: (rows, nowMs) => upsertMany(rows, nowMs),
    get: (symbol, date) => getStmt.get(symbol, date) as DailyBarRow | undefined,
    latest: (symbol) => latestStmt.get(symbol) as DailyBarRow | undefined,
    latestDate: () => (latestDateStmt.get() as { v: string | null }).v ?? undefined,
    countOn: (date) => (countOnStmt.get(date) as { n: number }).n,
    symbolsOn: (date) => symbolsOnStmt.all(date) as string[],
    count: () => (countStmt.get() as { n: number }).n,
  };
}
