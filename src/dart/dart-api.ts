// The OpenDART calls kisd makes, over one DartClient: the corp-code list, the disclosure list (every page),
// the company overview and the key financial accounts. "No data" (013) is an empty answer here — [] or null —
// and every other failure is a typed error from the client (docs/data-sources.md §OpenDART).
import type { DartClient, DartRequestOptions } from './client.js';
import { DartMalformedReplyError } from './errors.js';
import { DART_PATHS } from './paths.js';
import { parseCompany, type CompanyOverview } from './wire/company.js';
import { parseCorpCodeZip, type CorpCodeEntry } from './wire/corp-codes.js';
import { parseDisclosurePage, type CorpClass, type Disclosure, type DisclosurePage } from './wire/disclosures.js';
import { parseKeyAccounts, type KeyAccount, type ReportCode } from './wire/key-accounts.js';

export interface DisclosureQuery extends DartRequestOptions {
  /** One company; absent = every filer (DART then refuses ranges longer than 3 months ❓). */
  corpCode?: string;
  /** bgn_de / end_de, YYYYMMDD (receipt dates, inclusive). */
  fromYmd: string;
  toYmd: string;
  corpClass?: CorpClass;
  /** pblntf_ty: A 정기, B 주요사항, C 발행, D 지분, E 기타, F 외부감사, G 펀드, H 자산유동화, I 거래소, J 공정위. */
  kind?: 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J';
  /** last_reprt_at Y: only the final version of amended reports. */
  finalOnly?: boolean;
  /** page_count, 1..100; default 100. */
  pageSize?: number;
  /** Bound on pages, default 100 (10,000 disclosures). */
  maxPages?: number;
}

const YMD = /^\d{8}$/;

export class DartApi {
  constructor(readonly client: DartClient) {}

  /** Every filer in corpCode.xml (listed and unlisted). */
  async corpCodes(o: DartRequestOptions = {}): Promise<CorpCodeEntry[]> {
    const res = await this.client.getFile(DART_PATHS.corpCode, {}, o);
    if (res.kind === 'no-data') throw new DartMalformedReplyError(DART_PATHS.corpCode, `status ${res.status}: the corp-code file is never empty`);
    const parsed = parseCorpCodeZip(res.value);
    if (!parsed.ok) throw new DartMalformedReplyError(DART_PATHS.corpCode, parsed.reason);
    return parsed.value;
  }

  /** One page of list.json; null on 013 (no disclosures match). */
  async disclosurePage(q: DisclosureQuery, pageNo: number): Promise<DisclosurePage | null> {
    if (!YMD.test(q.fromYmd) || !YMD.test(q.toYmd)) throw new RangeError(`fromYmd/toYmd must be YYYYMMDD, got ${q.fromYmd}/${q.toYmd}`);
    const pageSize = q.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new RangeError(`pageSize must be 1..100 (DART's page_count), got ${pageSize}`);
    const res = await this.client.getJson(
      DART_PATHS.list,
      {
        corp_code: q.corpCode,
        bgn_de: q.fromYmd,
        end_de: q.toYmd,
        corp_cls: q.corpClass,
        pblntf_ty: q.kind,
        last_reprt_at: q.finalOnly ? 'Y' : undefined,
        // Oldest first, so a disclosure filed while we page lands on the last page instead of shifting the others.
        sort: 'date',
        sort_mth: 'asc',
        page_no: pageNo,
        page_count: pageSize,
      },
      parseDisclosurePage,
      q,
    );
    return res.kind === 'ok' ? res.value : null;
  }

  /**
   * Every disclosure matching the query in DART's order (receipt date ascending; within a day, as DART lists
   * them), one per receipt number. [] when there are none (013).
   */
  async listDisclosures(q: DisclosureQuery): Promise<Disclosure[]> {
    const byNo = new Map<string, Disclosure>();
    const maxPages = q.maxPages ?? 100;
    let totalPage = 1;
    for (let pageNo = 1; pageNo <= Math.min(totalPage, maxPages); pageNo++) {
      const page = await this.disclosurePage(q, pageNo);
      if (!page) break;
      for (const d of page.items) if (!byNo.has(d.receiptNo)) byNo.set(d.receiptNo, d);
      totalPage = page.totalPage; // re-read: it grows when a filing arrives mid-listing
    }
    return [...byNo.values()];
  }

  /** The company overview; null on 013. */
  async company(corpCode: string, o: DartRequestOptions = {}): Promise<CompanyOverview | null> {
    if (!/^\d{8}$/.test(corpCode)) throw new RangeError(`corpCode must be 8 digits, got ${JSON.stringify(corpCode)}`);
    const res = await this.client.getJson(DART_PATHS.company, { corp_code: corpCode }, parseCompany, o);
    return res.kind === 'ok' ? res.value : null;
  }

  /** Key accounts of one report (bsnsYear ≥ 2015 per the guide); [] on 013 (not filed yet, or no such report). */
  async keyAccounts(corpCode: string, bsnsYear: number, reportCode: ReportCode, o: DartRequestOptions = {}): Promise<KeyAccount[]> {
    if (!/^\d{8}$/.test(corpCode)) throw new RangeError(`corpCode must be 8 digits, got ${JSON.stringify(corpCode)}`);
    if (!Number.isInteger(bsnsYear) || bsnsYear < 2015 || bsnsYear > 2100) throw new RangeError(`bsnsYear must be 2015 or later (DART has no earlier data), got ${bsnsYear}`);
    const res = await this.client.getJson(DART_PATHS.keyAccounts, { corp_code: corpCode, bsns_year: bsnsYear, reprt_code: reportCode }, parseKeyAccounts, o);
    return res.kind === 'ok' ? res.value : [];
  }
}
