// The slice of the OpenDART adapter (src/dart DartApi, CorpCodeMap) the collection fetchers call, declared
// structurally so collection code depends on a port, not on the client's construction.

export interface DartCallOptions {
  signal?: AbortSignal;
  /** Bulk collection draws on the key's limiter at 'bulk' priority. */
  priority?: 'order' | 'normal' | 'bulk';
}

export interface DartDisclosureLike {
  receiptNo: string;
  receiptDate: string;
  corpCode: string;
  corpName: string;
  stockCode: string | null;
  corpClass: string;
  reportName: string;
  filerName: string;
  remarks: string;
}

export interface DartKeyAccountLike {
  receiptNo: string;
  bsnsYear: string;
  reportCode: string;
  stockCode: string | null;
  accountName: string;
  fsDiv: string;
  sjDiv: string;
  currentPeriod: string;
  currentAmount: number | null;
  currentCumulative: number | null;
  previousAmount: number | null;
  beforePreviousAmount: number | null;
  order: number | null;
  currency: string;
}

/** reprt_code: 11013 Q1, 11012 half-year, 11014 Q3, 11011 annual. */
export type DartReportCode = '11013' | '11012' | '11014' | '11011';

export interface DartDataPort {
  /** Every disclosure of one company between two receipt dates; [] on DART's 013 (no data). */
  listDisclosures(q: DartCallOptions & { corpCode?: string; fromYmd: string; toYmd: string }): Promise<DartDisclosureLike[]>;
  /** Key accounts of one report; [] on 013 (not filed). */
  keyAccounts(corpCode: string, bsnsYear: number, reportCode: DartReportCode, o?: DartCallOptions): Promise<DartKeyAccountLike[]>;
}

/** The corp-code map: DART keys companies by an 8-digit corp_code, the market by the listing code. */
export interface DartCorpCodesLike {
  corpCodeFor(stockCode: string): string | undefined;
}
