// list.json (공시검색) page: status/message, page_no, page_count, total_count, total_page and list[] of
// disclosures (docs/data-sources.md §OpenDART list.json). Pure; a page that does not match is a malformed reply.
import { z } from 'zod';
import { parseWith, type ParseOutcome } from './parse-result.js';

/** corp_cls: Y 유가(KOSPI), K 코스닥, N 코넥스, E 기타. */
export type CorpClass = 'Y' | 'K' | 'N' | 'E';

export interface Disclosure {
  /** rcept_no, 14 digits: YYYYMMDD + serial; the key of a disclosure (viewer: dart.fss.or.kr/dsaf001/main.do?rcpNo=…). */
  receiptNo: string;
  /** rcept_dt YYYYMMDD */
  receiptDate: string;
  corpCode: string;
  corpName: string;
  /** 6-char listing code, null for an unlisted filer. */
  stockCode: string | null;
  corpClass: CorpClass;
  /** report_nm, e.g. "주요사항보고서(자기주식취득결정)" */
  reportName: string;
  /** flr_nm: who filed */
  filerName: string;
  /** rm: remarks letters (유 KOSPI, 코 KOSDAQ, 연 consolidated, 정 amended, 철 withdrawn …), '' if none. */
  remarks: string;
}

export interface DisclosurePage {
  pageNo: number;
  pageCount: number;
  totalCount: number;
  totalPage: number;
  items: Disclosure[];
}

// DART sends the counters as JSON numbers; numeric strings are accepted too (XML-to-JSON gateways send them).
const count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

const row = z.object({
  corp_cls: z.enum(['Y', 'K', 'N', 'E']),
  corp_name: z.string(),
  corp_code: z.string().regex(/^\d{8}$/),
  stock_code: z.string().optional().default(''),
  report_nm: z.string(),
  rcept_no: z.string().regex(/^\d{14}$/),
  flr_nm: z.string().optional().default(''),
  rcept_dt: z.string().regex(/^\d{8}$/),
  rm: z.string().optional().default(''),
});

const page = z.object({
  status: z.literal('000'),
  page_no: count,
  page_count: count,
  total_count: count,
  total_page: count,
  list: z.array(row),
});

export function parseDisclosurePage(json: Record<string, unknown>): ParseOutcome<DisclosurePage> {
  return parseWith(page, json, (p) => ({
    pageNo: p.page_no,
    pageCount: p.page_count,
    totalCount: p.total_count,
    totalPage: p.total_page,
    items: p.list.map((r) => ({
      receiptNo: r.rcept_no,
      receiptDate: r.rcept_dt,
      corpCode: r.corp_code,
      corpName: r.corp_name.trim(),
      stockCode: r.stock_code.trim() === '' ? null : r.stock_code.trim(),
      corpClass: r.corp_cls,
      reportName: r.report_nm.trim(),
      filerName: r.flr_nm.trim(),
      remarks: r.rm.trim(),
    })),
  }));
}
