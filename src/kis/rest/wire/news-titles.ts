// Wire → domain for news-title (FHKST01011800, 종합 시황/공시(제목), docs/data-sources.md §KIS news titles):
// output[] of headlines, newest first, each with up to five related codes. The portal documents `output` as
// an object; replies carry an array (a one-element array or a lone object are both accepted). Pure.
import { readRows, type FieldReader, type Parsed, type ParseIssue } from './fields.js';

export interface NewsTitle {
  /** cntt_usiq_srno: the serial KIS uses to fetch the article body; unique per article. */
  id: string;
  /** news_ofer_entp_code: provider code (e.g. 2 한경, 6 연합뉴스, A 매일경제, F 장내공시). */
  providerCode: string;
  /** data_dt YYYYMMDD and data_tm HHMMSS, KST. */
  date: string;
  time: string;
  /** hts_pbnt_titl_cntt */
  title: string;
  /** news_lrdv_code: the provider's category code. */
  categoryCode: string;
  /** dorg: source name (e.g. "연합뉴스"). */
  source: string;
  /** iscd1..iscd5 that are not blank. */
  codes: string[];
}

const YMD = /^\d{8}$/;
const HMS = /^\d{6}$/;

function codesOf(r: FieldReader): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const c = r.str(`iscd${i}`).trim();
    if (c !== '') out.push(c);
  }
  return out;
}

export function parseNewsTitles(body: Record<string, unknown>): Parsed<NewsTitle[]> {
  const issues: ParseIssue[] = [];
  const raw = body['output'];
  const container = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { output: [raw] } : body;
  const value = readRows(
    container,
    'output',
    issues,
    (r) => ({
      id: r.req('cntt_usiq_srno'),
      providerCode: r.str('news_ofer_entp_code').trim(),
      date: r.req('data_dt', YMD),
      time: r.req('data_tm', HMS),
      title: r.req('hts_pbnt_titl_cntt'),
      categoryCode: r.str('news_lrdv_code').trim(),
      source: r.str('dorg').trim(),
      codes: codesOf(r),
    }),
    (row) => Object.values(row).every((v) => v === '' || v === null || v === undefined),
  );
  return { value, issues };
}

/** True when the reply carries an `output` (array or object); a missing key is a malformed reply, not "no news". */
export function hasNewsOutput(body: Record<string, unknown>): boolean {
  const o = body['output'];
  return Array.isArray(o) || (o !== null && typeof o === 'object');
}
