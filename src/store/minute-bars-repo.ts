// minute_bars: one-minute bars of KR symbols, one row per (symbol, day, minute). Gap-fill writes the bars it
// fetched after a feed gap here with backfilled = 1 and the gap's id; re-filling a minute overwrites it.
import type { SqliteDatabase } from './database.js';

export interface MinuteBarRow {
  symbol: string;
  /** KST trading day "YYYYMMDD". */
  day: string;
  /** Start of the minute, "HHMMSS" KST (KIS's stck_cntg_hour). */
  minute: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  backfilled: boolean;
  /** The feed gap it filled, when back-filled. */
  gapId: number | null;
}

export interface MinuteBarsRepo {
  /** Upserts in one transaction. */
  upsert(rows: readonly MinuteBarRow[], nowMs: number): void;
  /** A symbol's bars of a day, oldest first. */
  onDay(symbol: string, day: string): MinuteBarRow[];
  countOn(day: string): number;
}

interface Row {
  symbol: string;
  day: string;
  minute: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  backfilled: number;
  gap_id: number | null;
}

export function createMinuteBarsRepo(db: SqliteDatabase): MinuteBarsRepo {
  const upsertStmt = db.prepare(`
    INSERT INTO minute_bars (symbol, day, minute, open, high, low, close, volume, backfilled, gap_id, stored_at)
    VALUES (@symbol, @day, @minute, @open, @high, @low, @close, @volume, @backfilled, @gapId, @nowMs)
    ON CONFLICT (symbol, day, minute) DO UPDATE SET
      open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume,
      backfilled = excluded.backfilled, gap_id = excluded.gap_id, stored_at = excluded.stored_at`);
  const dayStmt = db.prepare('SELECT * FROM minute_bars WHERE symbol = ? AND day = ? ORDER BY minute');
  const countStmt = db.prepare('SELECT COUNT(*) FROM minute_bars WHERE day = ?').pluck();
  const upsertMany = db.transaction((rows: readonly MinuteBarRow[], nowMs: number) => {
    for (const r of rows) upsertStmt.run({ ...r, backfilled: r.backfilled ? 1 : 0, nowMs });
  });
  return {
    upsert: (rows, nowMs) => upsertMany(rows, nowMs),
    onDay: (symbol, day) =>
      (dayStmt.all(symbol, day) as Row[]).map((r) => ({
        symbol: r.symbol, day: r.day, minute: r.minute, open: r.open, high: r.high, low: r.low, close: r.close,
        volume: r.volume, backfilled: r.backfilled === 1, gapId: r.gap_id,
      })),
    countOn: (day) => countStmt.get(day) as number,
  };
}
