// One-minute bars of a KR listing read off the same minute path the quotes and the WebSocket ticks come from
// (price-series.ts): every tick the simulator streams during minute k of the session carries price[k], so the
// bar of minute k is open = high = low = close = price[k], and its volume is the share of the day's volume the
// path assigns to that minute (volBefore[k+1] − volBefore[k]); a forming minute holds what has traded so far.
// Minute 390 (15:30) is the closing-auction print. Used by the minute-chart route and by gap-fill tests.
import { SESSION_MINUTES } from './price-series.js';
import type { SyntheticMarket } from './synthetic-market.js';

export interface SimMinuteBar {
  /** trading day YYYYMMDD */
  ymd: number;
  /** session minute 0..390 (0 = 09:00) */
  minute: number;
  /** "HHMMSS" KST start of the minute */
  hhmmss: string;
  price: number;
  volume: number;
  /** turnover accumulated from the open through the end of this bar (or now, for a forming bar) */
  accumulatedTurnover: number;
  /** volume accumulated from the open through this bar */
  accumulatedVolume: number;
}

const KR_OPEN_MINUTE = 9 * 60;

export function minuteLabel(minute: number): string {
  const m = KR_OPEN_MINUTE + minute;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}00`;
}

/**
 * The bars of the trading day nowMs shows, oldest first, up to and including the forming minute: none before
 * the open; the whole day (through the 15:30 close) once it has closed, and on a holiday the last trading day.
 */
export function krMinuteBars(market: SyntheticMarket, code: string, nowMs: number): SimMinuteBar[] {
  const sym = market.krSymbol(code);
  if (!sym) return [];
  const st = market.krSession(nowMs);
  if (st.phase === 'preOpen') return [];
  const path = market.krSeries(sym).dayPath(st.dayIndex);
  const last = st.phase === 'open' ? st.minute : SESSION_MINUTES;
  const out: SimMinuteBar[] = [];
  for (let k = 0; k <= last; k++) {
    const price = path.price[k] ?? 0;
    const full = (path.volBefore[k + 1] ?? 0) - (path.volBefore[k] ?? 0);
    // Same arithmetic as the quote at a point inside the minute (synthetic-market.ts pointQuote).
    const volume = st.phase === 'open' && k === last ? Math.floor(full * st.fraction) : full;
    const before = path.volBefore[k] ?? 0;
    out.push({
      ymd: st.tradingYmd,
      minute: k,
      hhmmss: minuteLabel(k),
      price,
      volume,
      accumulatedVolume: before + volume,
      accumulatedTurnover: (path.turnoverBefore[k] ?? 0) + volume * price,
    });
  }
  return out;
}
