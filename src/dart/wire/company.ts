// company.json (기업개황): one company's overview (docs/data-sources.md §OpenDART company.json). Pure.
import { z } from 'zod';
import type { CorpClass } from './disclosures.js';
import { parseWith, type ParseOutcome } from './parse-result.js';

export interface CompanyOverview {
  corpCode: string;
  corpName: string;
  corpNameEng: string;
  /** stock_name: the listing's short name */
  stockName: string;
  stockCode: string | null;
  ceoName: string;
  corpClass: CorpClass;
  /** jurir_no 법인등록번호, bizr_no 사업자등록번호 */
  jurirNo: string;
  bizrNo: string;
  address: string;
  homepage: string;
  irUrl: string;
  phone: string;
  fax: string;
  /** induty_code: KSIC industry code */
  industryCode: string;
  /** est_dt YYYYMMDD */
  establishedDate: string;
  /** acc_mt: fiscal year-end month "01".."12" */
  fiscalMonth: string;
}

const s = z.string().optional().default('');

const body = z.object({
  status: z.literal('000'),
  corp_code: z.string().regex(/^\d{8}$/),
  corp_name: z.string(),
  corp_name_eng: s,
  stock_name: s,
  stock_code: s,
  ceo_nm: s,
  corp_cls: z.enum(['Y', 'K', 'N', 'E']),
  jurir_no: s,
  bizr_no: s,
  adres: s,
  hm_url: s,
  ir_url: s,
  phn_no: s,
  fax_no: s,
  induty_code: s,
  est_dt: s,
  acc_mt: s,
});

export function parseCompany(json: Record<string, unknown>): ParseOutcome<CompanyOverview> {
  return parseWith(body, json, (c) => ({
    corpCode: c.corp_code,
    corpName: c.corp_name.trim(),
    corpNameEng: c.corp_name_eng.trim(),
    stockName: c.stock_name.trim(),
    stockCode: c.stock_code.trim() === '' ? null : c.stock_code.trim(),
    ceoName: c.ceo_nm.trim(),
    corpClass: c.corp_cls,
    jurirNo: c.jurir_no.trim(),
    bizrNo: c.bizr_no.trim(),
    address: c.adres.trim(),
    homepage: c.hm_url.trim(),
    irUrl: c.ir_url.trim(),
    phone: c.phn_no.trim(),
    fax: c.fax_no.trim(),
    industryCode: c.induty_code.trim(),
    establishedDate: c.est_dt.trim(),
    fiscalMonth: c.acc_mt.trim(),
  }));
}
