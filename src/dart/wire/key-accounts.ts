// fnlttSinglAcnt.json (단일회사 주요계정): the key accounts (assets, liabilities, equity, revenue, operating
// profit, net income …) of one report, for the consolidated (CFS) and separate (OFS) statements, with the
// current (당기), previous (전기) and, in annual reports, the one before (전전기) amounts. Pure.
import { z } from 'zod';
import { parseWith, type ParseOutcome } from './parse-result.js';

/** reprt_code: 11013 Q1, 11012 half-year, 11014 Q3, 11011 annual (사업보고서). */
export const REPORT_CODES = { q1: '11013', half: '11012', q3: '11014', annual: '11011' } as const;
export type ReportCode = (typeof REPORT_CODES)[keyof typeof REPORT_CODES];

export interface KeyAccount {
  receiptNo: string;
  bsnsYear: string;
  reportCode: string;
  stockCode: string | null;
  /** account_nm, e.g. "자산총계", "매출액", "영업이익", "당기순이익" */
  accountName: string;
  /** fs_div: CFS consolidated, OFS separate */
  fsDiv: 'CFS' | 'OFS';
  /** sj_div: BS balance sheet, IS income statement */
  sjDiv: string;
  /** thstrm_dt, e.g. "2024.12.31 현재" or "2024.01.01 ~ 2024.12.31" */
  currentPeriod: string;
  /** Amounts in `currency` units (KRW); null when blank or "-". */
  currentAmount: number | null;
  /** thstrm_add_amount: cumulative amount in quarterly reports. */
  currentCumulative: number | null;
  previousAmount: number | null;
  beforePreviousAmount: number | null;
  order: number | null;
  currency: string;
}

const s = z.string().optional().default('');

const row = z.object({
  rcept_no: z.string().regex(/^\d{14}$/),
  bsns_year: z.string().regex(/^\d{4}$/),
  stock_code: s,
  reprt_code: z.string().regex(/^\d{5}$/),
  account_nm: z.string(),
  fs_div: z.enum(['CFS', 'OFS']),
  sj_div: z.string(),
  thstrm_dt: s,
  thstrm_amount: s,
  thstrm_add_amount: s,
  frmtrm_amount: s,
  bfefrmtrm_amount: s,
  ord: s,
  currency: s,
});

const body = z.object({ status: z.literal('000'), list: z.array(row) });

/** "9,999,999,999" / "-1,234" / "" / "-" → number | null. */
export function dartAmount(raw: string): number | null {
  const t = raw.trim().replace(/,/g, '');
  if (t === '' || t === '-') return null;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

export function parseKeyAccounts(json: Record<string, unknown>): ParseOutcome<KeyAccount[]> {
  return parseWith(body, json, (b) =>
    b.list.map((r) => ({
      receiptNo: r.rcept_no,
      bsnsYear: r.bsns_year,
      reportCode: r.reprt_code,
      stockCode: r.stock_code.trim() === '' ? null : r.stock_code.trim(),
      accountName: r.account_nm.trim(),
      fsDiv: r.fs_div,
      sjDiv: r.sj_div.trim(),
      currentPeriod: r.thstrm_dt.trim(),
      currentAmount: dartAmount(r.thstrm_amount),
      currentCumulative: dartAmount(r.thstrm_add_amount),
      previousAmount: dartAmount(r.frmtrm_amount),
      beforePreviousAmount: dartAmount(r.bfefrmtrm_amount),
      order: dartAmount(r.ord),
      currency: r.currency.trim() || 'KRW',
    })),
  );
}
