// Where screening reads collected history from: a small port and its SQLite adapter (daily_bars and
// investor_flows, filled by the collector). Read-only queries on the store's connection.
import type { SqliteDatabase } from '../../store/database.js';
import type { SymbolHistory } from './screening-rules.js';

export interface ScreeningData {
  /**
   * Newest bar date "YYYYMMDD" over all symbols strictly before `beforeYmd` (today: a partial bar of the
   * running session is not a close), undefined when nothing was collected.
   */
  latestDate(beforeYmd: string): string | undefined;
  /** Symbols with a bar on that date. */
  symbolsOn(date: string): string[];
  /** The last `bars` daily bars (oldest first) and investor flows of a symbol up to and including `toDate`. */
  history(symbol: string, bars: number, toDate: string): SymbolHistory;
}

export function sqliteScreeningData(db: SqliteDatabase): ScreeningData {
  const latest = db.prepare('SELECT MAX(date) AS v FROM daily_bars WHERE date < ?');
  const symbolsOn = db.prepare('SELECT symbol FROM daily_bars WHERE date = ? ORDER BY symbol').pluck();
  const bars = db.prepare('SELECT date, close, turnover, volume FROM daily_bars WHERE symbol = ? AND date <= ? ORDER BY date DESC LIMIT ?');
  const flows = db.prepare(
    'SELECT date, foreign_net_amount AS foreignNetAmount, institution_net_amount AS institutionNetAmount FROM investor_flows WHERE symbol = ? AND date <= ? ORDER BY date DESC LIMIT ?',
  );
  return {
    latestDate: (beforeYmd) => (latest.get(beforeYmd) as { v: string | null }).v ?? undefined,
    symbolsOn: (date) => symbolsOn.all(date) as string[],
    history: (symbol, n, toDate) => ({
      symbol,
      bars: (bars.all(symbol, toDate, n) as SymbolHistory['bars'][number][]).reverse(),
      flows: (flows.all(symbol, toDate, n) as SymbolHistory['flows'][number][]).reverse(),
    }),
  };
}
