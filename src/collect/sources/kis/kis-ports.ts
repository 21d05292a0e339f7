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
