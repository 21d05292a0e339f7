// Wire → domain for the intraday minute chart inquire-time-itemchartprice (FHKST03010200, docs/data-sources.md
// §KIS minute chart): output1 is today's summary, output2[] up to 30 one-minute bars ending at FID_INPUT_HOUR_1,
// newest first, each labelled by the minute it starts (13:06:00 holds trades 13:06:00–13:06:59). Pure.
import { isBlankRow, readObject, readRows, type Parsed, type ParseIssue } from './fields.js';

export interface MinuteBar {
  /** stck_bsop_date, YYYYMMDD (KST trading day). */
  date: string;
  /** stck_cntg_hour, HHMMSS: the start of the minute the bar covers. */
  time: string;
  open: number;
  high: number;
  low: number;
  /** stck_prpr: the last price in the minute. */
  close: number;
  /** cntg_vol: shares traded in the minute. */
  volume: number;
  /** acml_tr_pbmn: turnover accumulated since the open up to this bar, KRW. */
  accumulatedTurnover: number | null;
}

export interface MinuteChart {
  /** hts_kor_isnm (blank when output1 is missing). */
  name: string;
  /** stck_prpr at the time of the call. */
  price: number | null;
  /** stck_prdy_clpr */
  prevClose: number | null;
  /** acml_vol at the time of the call. */
  accumulatedVolume: number | null;
  /** Newest first, as KIS returns them; blank filler rows dropped. */
  bars: MinuteBar[];
}

const YMD = /^\d{8}$/;
const HMS = /^([01]\d|2[0-3])[0-5]\d[0-5]\d$/;

export function parseMinuteChart(body: Record<string, unknown>): Parsed<MinuteChart> {
  const issues: ParseIssue[] = [];
  // output1 is informational: its absence is recorded as an issue but the bars still count.
  const head = body['output1'] === undefined ? undefined : readObject(body, 'output1', issues);
  const bars = readRows(
    body,
    'output2',
    issues,
    (r) => ({
      date: r.req('stck_bsop_date', YMD),
      time: r.req('stck_cntg_hour', HMS),
      open: r.num('stck_oprc'),
      high: r.num('stck_hgpr'),
      low: r.num('stck_lwpr'),
      close: r.num('stck_prpr'),
      volume: r.num('cntg_vol'),
      accumulatedTurnover: r.optNum('acml_tr_pbmn'),
    }),
    (raw) => isBlankRow(raw) || raw['stck_cntg_hour'] === '',
  );
  return {
    value: {
      name: head?.str('hts_kor_isnm').trim() ?? '',
      price: head?.optNum('stck_prpr') ?? null,
      prevClose: head?.optNum('stck_prdy_clpr') ?? null,
      accumulatedVolume: head?.optNum('acml_vol') ?? null,
      bars,
    },
    issues,
  };
}

/** True when the body carries the output2 array a minute-chart reply must have (empty is allowed). */
export function hasMinuteRows(body: Record<string, unknown>): boolean {
  return Array.isArray(body['output2']);
}
