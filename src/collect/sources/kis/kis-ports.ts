// The slice of the KIS REST adapter (src/kis/rest KisRestApi) the collection fetchers call, declared
// structurally so collection code depends on a port, not on the client's construction.

export type KisCallPriority = 'order' | 'normal' | 'bulk';

export interface KisCallOptions {
  signal?: AbortSignal;
  /** Bulk collection draws on the shared limiter at 'bulk' priority so orders go first. */
  priority?: KisCallPriority;
}

export interface KisDailyBarLike {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number | null;
}

export interface KisInvestorDayLike {
  date: string;
  individualNetQty: number | null;
  foreignNetQty: number | null;
  institutionNetQty: number | null;
  individualNetAmount: number | null;
  foreignNetAmount: number | null;
  institutionNetAmount: number | null;
}

export interface KisDomesticQuoteLike {
  price: number;
  change: number;
  changeRatePct: number | null;
  open: number;
  high: number;
  low: number;
  volume: number;
  turnover: number | null;
}

export interface KisOverseasQuoteLike {
  last: number;
  change: number | null;
  changeRatePct: number | null;
  volume: number | null;
  turnover: number | null;
}

export interface KisMarketDataPort {
  fetchDailyBars(code: string, fromYmd: string, toYmd: string, o?: KisCallOptions): Promise<KisDailyBarLike[]>;
  inquireInvestor(code: string, o?: KisCallOptions): Promise<KisInvestorDayLike[]>;
  inquirePrice(code: string, o?: KisCallOptions): Promise<KisDomesticQuoteLike>;
  overseasPrice(excd: string, symb: string, o?: KisCallOptions): Promise<KisOverseasQuoteLike>;
}

export interface KisNewsTitleLike {
  id: string;
  providerCode: string;
  /** YYYYMMDD and HHMMSS, KST */
  date: string;
  time: string;
  title: string;
  source: string;
}

export interface KisInvestOpinionLike {
  date: string;
  broker: string;
  opinion: string;
  targetPrice: number | null;
  prevClose: number | null;
}

export interface KisEarningsEstimateLike {
  estimateDate: string | null;
  recommendation: string;
  periods: string[];
  income: Record<string, (number | null)[]>;
  indicators: Record<string, (number | null)[]>;
}

/** The research endpoints (news-title, invest-opinion, estimate-perform) the research fetchers call. */
export interface KisResearchPort {
  fetchNewsTitles(code: string, o: KisCallOptions & { since: string }): Promise<KisNewsTitleLike[]>;
  inquireInvestOpinions(code: string, fromYmd: string, toYmd: string, o?: KisCallOptions): Promise<KisInvestOpinionLike[]>;
  inquireEstimatePerform(code: string, o?: KisCallOptions): Promise<KisEarningsEstimateLike | null>;
}
