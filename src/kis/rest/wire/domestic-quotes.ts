// Wire → domain for domestic quote TRs (fact sheet §4.1): inquire-price (FHKST01010100),
// inquire-daily-itemchartprice (FHKST03010100), inquire-investor (FHKST01010900). Pure functions.
import { isBlankRow, readObject, readRows, RowError, type FieldReader, type Parsed, type ParseIssue } from './fields.js';

/** prdy_vrss_sign: 1 upper limit, 2 up, 3 unchanged, 4 lower limit, 5 down. */
export type ChangeSign = '1' | '2' | '3' | '4' | '5' | '';

function sign(r: FieldReader, key: string): ChangeSign {
  const s = r.str(key).trim();
  return s === '1' || s === '2' || s === '3' || s === '4' || s === '5' ? s : '';
}

export interface DomesticQuote {
  price: number;
  change: number;
  changeSign: ChangeSign;
  changeRatePct: number | null;
  open: number;
  high: number;
  low: number;
  /** Accumulated volume today, shares. */
  volume: number;
  /** Accumulated turnover today, KRW. */
  turnover: number | null;
  /** stck_sdpr: base price (previous close). */
  basePrice: number | null;
  upperLimit: number | null;
  lowerLimit: number | null;
  per: number | null;
  pbr: number | null;
  /** hts_avls: market cap, 100M KRW. */
  marketCap: number | null;
  tickSize: number | null;
  high52w: number | null;
  low52w: number | null;
}

/** inquire-price `output`. value undefined when the required fields are unreadable (issues say why). */
export function parseInquirePrice(body: Record<string, unknown>): Parsed<DomesticQuote | undefined> {
  const issues: ParseIssue[] = [];
  const r = readObject(body, 'output', issues);
  if (!r) return { value: undefined, issues };
  try {
    return {
      value: {
        price: r.num('stck_prpr'),
        change: r.optNum('prdy_vrss') ?? 0,
        changeSign: sign(r, 'prdy_vrss_sign'),
        changeRatePct: r.optNum('prdy_ctrt'),
        open: r.num('stck_oprc'),
        high: r.num('stck_hgpr'),
        low: r.num('stck_lwpr'),
        volume: r.num('acml_vol'),
        turnover: r.optNum('acml_tr_pbmn'),
        basePrice: r.optNum('stck_sdpr'),
        upperLimit: r.optNum('stck_mxpr'),
        lowerLimit: r.optNum('stck_llam'),
        per: r.optNum('per'),
        pbr: r.optNum('pbr'),
        marketCap: r.optNum('hts_avls'),
        tickSize: r.optNum('aspr_unit'),
        high52w: r.optNum('w52_hgpr'),
        low52w: r.optNum('w52_lwpr'),
      },
      issues,
    };
  } catch (err) {
    if (err instanceof RowError) return { value: undefined, issues };
    throw err;
  }
}

export interface DailyBar {
  /** YYYYMMDD (KST trading day). */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number | null;
  change: number | null;
  changeSign: ChangeSign;
  /** mod_yn: the bar was adjusted for a corporate action. */
  modified: boolean;
}

export interface DailyChart {
  /** hts_kor_isnm */
  name: string;
  /** Newest first, as KIS returns them; blank filler rows dropped. */
  bars: DailyBar[];
}

const YMD = /^\d{8}$/;

/** inquire-daily-itemchartprice: output1 (name) + output2[] bars (max 100 per call). */
export function parseDailyChart(body: Record<string, unknown>): Parsed<DailyChart> {
  const issues: ParseIssue[] = [];
  const head = readObject(body, 'output1', issues);
  const bars = readRows(
    body,
    'output2',
    issues,
    (r) => ({
      date: r.req('stck_bsop_date', YMD),
      open: r.num('stck_oprc'),
      high: r.num('stck_hgpr'),
      low: r.num('stck_lwpr'),
      close: r.num('stck_clpr'),
      volume: r.num('acml_vol'),
      turnover: r.optNum('acml_tr_pbmn'),
      change: r.optNum('prdy_vrss'),
      changeSign: sign(r, 'prdy_vrss_sign'),
      modified: r.str('mod_yn').trim() === 'Y',
    }),
    (raw) => isBlankRow(raw) || raw['stck_bsop_date'] === '',
  );
  return { value: { name: head?.str('hts_kor_isnm').trim() ?? '', bars }, issues };
}

export interface InvestorDay {
  date: string;
  close: number | null;
  /** Net buy quantity (shares) by individuals / foreigners / institutions; null before the close. */
  individualNetQty: number | null;
  foreignNetQty: number | null;
  institutionNetQty: number | null;
  /** Net buy amount (KIS unit: 1M KRW ❓ unconfirmed). */
  individualNetAmount: number | null;
  foreignNetAmount: number | null;
  institutionNetAmount: number | null;
}

/** inquire-investor output[] (today's row only fills in after the close). */
export function parseInvestor(body: Record<string, unknown>): Parsed<InvestorDay[]> {
  const issues: ParseIssue[] = [];
  const rows = readRows(
    body,
    'output',
    issues,
    (r) => ({
      date: r.req('stck_bsop_date', YMD),
      close: r.optNum('stck_clpr'),
      individualNetQty: r.optNum('prsn_ntby_qty'),
      foreignNetQty: r.optNum('frgn_ntby_qty'),
      institutionNetQty: r.optNum('orgn_ntby_qty'),
      individualNetAmount: r.optNum('prsn_ntby_tr_pbmn'),
      foreignNetAmount: r.optNum('frgn_ntby_tr_pbmn'),
      institutionNetAmount: r.optNum('orgn_ntby_tr_pbmn'),
    }),
    isBlankRow,
  );
  return { value: rows, issues };
}
