// Wire → domain for invest-opinion (FHKST663300C0, 국내주식 종목투자의견, docs/data-sources.md §KIS analyst
// opinions): output[] one row per brokerage report on the symbol between FID_INPUT_DATE_1 and _2. Pure.
import { isBlankRow, readRows, type Parsed, type ParseIssue } from './fields.js';

export interface InvestOpinion {
  /** stck_bsop_date YYYYMMDD: the report's business day. */
  date: string;
  /** mbcr_name: the brokerage (회원사). */
  broker: string;
  /** invt_opnn: free text as the broker words it (BUY, 매수, Outperform …). */
  opinion: string;
  /** invt_opnn_cls_code: KIS's code; brokers map it inconsistently (3P), so normalise from the text. */
  opinionCode: string;
  previousOpinion: string;
  previousOpinionCode: string;
  /** hts_goal_prc in KRW; 0 or blank (no target, "Not Rated") becomes null. */
  targetPrice: number | null;
  /** stck_prdy_clpr: the close before the report. */
  prevClose: number | null;
  /** dprt: gap between target and price, percent (❓ KIS's exact definition is unconfirmed). */
  gapRatePct: number | null;
}

const YMD = /^\d{8}$/;

export function parseInvestOpinions(body: Record<string, unknown>): Parsed<InvestOpinion[]> {
  const issues: ParseIssue[] = [];
  const value = readRows(
    body,
    'output',
    issues,
    (r) => {
      const target = r.optNum('hts_goal_prc');
      return {
        date: r.req('stck_bsop_date', YMD),
        broker: r.str('mbcr_name').trim(),
        opinion: r.str('invt_opnn').trim(),
        opinionCode: r.str('invt_opnn_cls_code').trim(),
        previousOpinion: r.str('rgbf_invt_opnn').trim(),
        previousOpinionCode: r.str('rgbf_invt_opnn_cls_code').trim(),
        targetPrice: target === null || target <= 0 ? null : target,
        prevClose: r.optNum('stck_prdy_clpr'),
        gapRatePct: r.optNum('dprt'),
      };
    },
    isBlankRow,
  );
  return { value, issues };
}
