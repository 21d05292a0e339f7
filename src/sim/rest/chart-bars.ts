// Period-chart rows (FHKST03010100 output2): daily bars grouped into weeks, months or years, and their KIS row
// format. A group is dated by its first trading day in range (❓ KIS's choice for W/M/Y is unconfirmed).
import type { DailyBar } from '../market/price-series.js';
import { isoWeekday, ymdToDayNumber } from '../market/exchange-calendar.js';
import { int, signCode } from './format.js';

export interface ChartBar {
  ymd: number;
  open: number;
  high: number;
  low: number;
  close: number;
  prevClose: number;
  volume: number;
  turnover: number;
}

function groupKey(ymd: number, period: 'D' | 'W' | 'M' | 'Y'): number {
  switch (period) {
    case 'D':
      return ymd;
    case 'W':
      return ymdToDayNumber(ymd) - (isoWeekday(ymd) - 1); // Monday of the week
    case 'M':
      return Math.floor(ymd / 100);
    case 'Y':
      return Math.floor(ymd / 10000);
  }
}

/** Groups daily bars (oldest first) by period; returns groups oldest first. */
export function aggregateBars(daily: readonly DailyBar[], period: 'D' | 'W' | 'M' | 'Y', ymdOf: (dayIndex: number) => number): ChartBar[] {
  const out: ChartBar[] = [];
  let key: number | undefined;
  for (const b of daily) {
    const ymd = ymdOf(b.dayIndex);
    const k = groupKey(ymd, period);
    const cur = out.at(-1);
    if (cur && k === key) {
      cur.high = Math.max(cur.high, b.high);
      cur.low = Math.min(cur.low, b.low);
      cur.close = b.close;
      cur.volume += b.volume;
      cur.turnover += b.turnover;
    } else {
      out.push({ ymd, open: b.open, high: b.high, low: b.low, close: b.close, prevClose: cur?.close ?? b.prevClose, volume: b.volume, turnover: b.turnover });
      key = k;
    }
  }
  return out;
}

const ROW_FIELDS = ['stck_bsop_date', 'stck_clpr', 'stck_oprc', 'stck_hgpr', 'stck_lwpr', 'acml_vol', 'acml_tr_pbmn', 'flng_cls_code', 'prtt_rate', 'mod_yn', 'prdy_vrss_sign', 'prdy_vrss', 'revl_issu_reas'] as const;

/** KIS rows; an empty range yields one all-blank row, as KIS does (PK drops such rows). */
export function chartRows(bars: readonly ChartBar[]): Record<string, string>[] {
  if (bars.length === 0) return [Object.fromEntries(ROW_FIELDS.map((f) => [f, '']))];
  return bars.map((b) => ({
    stck_bsop_date: String(b.ymd),
    stck_clpr: int(b.close),
    stck_oprc: int(b.open),
    stck_hgpr: int(b.high),
    stck_lwpr: int(b.low),
    acml_vol: int(b.volume),
    acml_tr_pbmn: int(b.turnover),
    flng_cls_code: '00',
    prtt_rate: '0.00',
    mod_yn: 'N',
    prdy_vrss_sign: signCode(b.close, b.prevClose),
    prdy_vrss: int(b.close - b.prevClose),
    revl_issu_reas: '',
  }));
}
