// Latest quote per (market, symbol). Upserts are idempotent and never move a quote back in time.
import type { SqliteDatabase } from './database.js';

export interface QuoteRow {
  /** 'KR' or an overseas exchange code such as 'NAS'. */
  market: string;
  symbol: string;
  price: number;
  change?: number | null;
  changeRate?: number | null;
  open?: number | null;
  high?: number | null;
  low?: number | null;
  volume?: number | null;
  turnover?: number | null;
  /** When the price was observed, epoch ms. */
  asOfMs: number;
}

interface QuoteDbRow {
  market: string;
  symbol: string;
  price: number;
  change: number | null;
  change_rate: number | null;
  open: number | null;
  high: number | null;
  low: number | null;
  volume: number | null;
  turnover: number | null;
  as_of: number;
}

export interface QuotesRepo {
  /** Upserts in one transaction; an older quote than the stored one is ignored. */
  upsert(rows: readonly QuoteRow[], nowMs: number): void;
  get(market: string, symbol: string): QuoteRow | undefined;
  /** Newest as_of over the market (all markets when omitted), epoch ms. */
  latestAsOfMs(market?: string): number | undefined;
}

export function createQuotesRepo(db: SqliteDatabase): QuotesRepo {
  const upsertStmt = db.prepare(`
    INSERT INTO quotes (market, symbol, price, change, change_rate, open, high, low, volume, turnover, as_of, updated_at)
    VALUES (@market, @symbol, @price, @change, @changeRate, @open, @high, @low, @volume, @turnover, @asOfMs, @nowMs)
    ON CONFLICT (market, symbol) DO UPDATE SET
      price = excluded.price, change = excluded.change, change_rate = excluded.change_rate,
      open = excluded.open, high = excluded.high, low = excluded.low, volume = excluded.volume,
      turnover = excluded.turnover, as_of = excluded.as_of, updated_at = excluded.updated_at
    WHERE excluded.as_of >= quotes.as_of`);
  const getStmt = db.prepare('SELECT * FROM quotes WHERE market = ? AND symbol = ?');
  const latestAll = db.prepare('SELECT MAX(as_of) AS v FROM quotes');
  const latestMarket = db.prepare('SELECT MAX(as_of) AS v FROM quotes WHERE market = ?');
  const upsertMany = db.transaction((rows: readonly QuoteRow[], nowMs: number) => {
    for (const r of rows) {
      upsertStmt.run({
        market: r.market,
        symbol: r.symbol,
        price: r.price,
        change: r.change ?? null,
        changeRate: r.changeRate ?? null,
        open: r.open ?? null,
        high: r.high ?? null,
        low: r.low ?? null,
        volume: r.volume ?? null,
        turnover: r.turnover ?? null,
        asOfMs: r.asOfMs,
        nowMs,
      });
    }
  });
  return {
    upsert: (rows, nowMs) => upsertMany(rows, nowMs),
    get(market, symbol) {
      const r = getStmt.get(market, symbol) as QuoteDbRow | undefined;
      if (!r) return undefined;
      return {
        market: r.market,
        symbol: r.symbol,
        price: r.price,
        change: r.change,
        changeRate: r.change_rate,
        open: r.open,
        high: r.high,
        low: r.low,
        volume: r.volume,
        turnover: r.turnover,
        asOfMs: r.as_of,
      };
    },
    latestAsOfMs(market) {
      const r = (market === undefined ? latestAll.get() : latestMarket.get(market)) as { v: number | null };
      return r.v ?? undefined;
    },
  };
}
