// Contracts inside the simulator: the REST side (server, market, auth) implements them and the
// WebSocket side (src/sim/ws) consumes them. Nothing here is imported by src/kis.

/** One registered KIS app (app key) with its account, as the simulator knows it. */
export interface SimApp {
  appKey: string;
  appSecret: string;
  /** "CANO-ACNT_PRDT_CD", e.g. "50000000-01". */
  accountNo: string;
  /** HTS id: the tr_key of execution-notice subscriptions. */
  htsId: string;
}

/** A domestic quote snapshot (KRW, integer prices). */
export interface SimKrQuote {
  code: string; // 6 chars, ETN without the Q prefix
  name: string;
  price: number;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  /** accumulated volume today */
  volume: number;
  /** accumulated turnover today (KRW) */
  turnover: number;
  askPrice1: number;
  bidPrice1: number;
  askQty1: number;
  bidQty1: number;
  /** price tick size (aspr_unit) */
  tick: number;
  upperLimit: number;
  lowerLimit: number;
}

/** An overseas (US) quote snapshot (USD, decimals). */
export interface SimUsQuote {
  symbol: string;
  exchange: 'NAS' | 'NYS' | 'AMS';
  price: number;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  volume: number;
  turnover: number;
  bid: number;
  ask: number;
  bidQty: number;
  askQty: number;
}

/** The synthetic market: deterministic for a seed and an instant. */
export interface SimMarket {
  /** All domestic codes, e.g. "005930", "005935", "0088M0", "Q500001"-style ETNs are listed as "500001"? see krSymbolInfo. */
  krCodes(): readonly string[];
  usSymbols(): readonly { symbol: string; exchange: 'NAS' | 'NYS' | 'AMS' }[];
  krQuote(code: string, nowMs: number): SimKrQuote | undefined;
  usQuote(symbol: string, nowMs: number): SimUsQuote | undefined;
}

/** What the REST side knows about approval keys (issued by /oauth2/Approval). */
export interface SimApprovalRegistry {
  /** The app an approval key belongs to, or undefined if unknown/revoked. */
  appForApprovalKey(approvalKey: string): SimApp | undefined;
}

/** Structured log sink the simulator writes to (a pino child logger fits). */
export interface SimLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
