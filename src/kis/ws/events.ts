// Typed realtime events decoded from KIS data frames (fact sheet §5.1). Prices are numbers in the
// instrument's currency as sent; dates/times stay KIS strings (YYYYMMDD / HHMMSS). A numeric field that is
// empty or not a decimal becomes NaN (the required ones — price, code — make the record malformed instead).

interface EventBase {
  trId: string;
  /** Wall-clock epoch ms when the frame carrying this record was received. */
  receivedAtMs: number;
  /** All raw fields in wire order; only present when parsing with keepFields. */
  fields?: string[];
}

/** H0STCNT0: one domestic trade. */
export interface KrTick extends EventBase {
  kind: 'kr-tick';
  code: string;
  /** STCK_CNTG_HOUR, HHMMSS KST */
  time: string;
  price: number;
  /** PRDY_VRSS_SIGN: 1 upper limit, 2 up, 3 unchanged, 4 lower limit, 5 down */
  sign: number;
  change: number;
  changeRate: number;
  vwap: number;
  open: number;
  high: number;
  low: number;
  ask1: number;
  bid1: number;
  /** CNTG_VOL: this trade's quantity */
  tradeVolume: number;
  accVolume: number;
  accTurnover: number;
  /** CCLD_DVSN: 1 buy-initiated, 3 pre-open, 5 sell-initiated */
  side: number;
  /** CTTR 체결강도 */
  strength: number;
  /** BSOP_DATE YYYYMMDD */
  businessDate: string;
  /** NEW_MKOP_CLS_CODE (1st digit: 1 pre-open, 2 session, 3 post-close, 4 after-hours) */
  sessionCode: string;
  /** TRHT_YN === 'Y' */
  halted: boolean;
  askQty1: number;
  bidQty1: number;
  totalAskQty: number;
  totalBidQty: number;
  /** HOUR_CLS_CODE: 0 regular, A/B/C/D expected-price phases */
  hourClass: string;
  viStandardPrice: number;
}

/** H0STASP0: domestic 10-level book. */
export interface KrBook extends EventBase {
  kind: 'kr-book';
  code: string;
  time: string;
  hourClass: string;
  /** ASKP1..10 (index 0 = best) */
  askPrices: number[];
  bidPrices: number[];
  askQtys: number[];
  bidQtys: number[];
  totalAskQty: number;
  totalBidQty: number;
  /** ANTC_CNPR / ANTC_CNQN: expected match price/qty during auctions */
  expectedPrice: number;
  expectedQty: number;
  accVolume: number;
}

/** HDFSCNT0: one overseas trade. */
export interface UsTick extends EventBase {
  kind: 'us-tick';
  /** RSYM, the subscription key, e.g. "DNASAAPL" */
  rsym: string;
  symbol: string;
  /** ZDIV: decimals of the price fields */
  decimals: number;
  /** TYMD local business date, XYMD/XHMS local date/time, KYMD/KHMS Korean date/time */
  localBusinessDate: string;
  localDate: string;
  localTime: string;
  kstDate: string;
  kstTime: string;
  open: number;
  high: number;
  low: number;
  last: number;
  sign: number;
  change: number;
  changeRate: number;
  bid: number;
  ask: number;
  bidQty: number;
  askQty: number;
  /** EVOL: this trade's quantity */
  tradeVolume: number;
  accVolume: number;
  accTurnover: number;
  /** BIVL — KIS labels it 매도체결량 (sell-side executed volume) */
  sellTradeVolume: number;
  /** ASVL — KIS labels it 매수체결량 (buy-side executed volume) */
  buyTradeVolume: number;
  strength: number;
  /** MTYP: 1 regular, 2 pre-market, 3 after-market */
  marketType: string;
}

/** H0STCNI0 / H0STCNI9: decrypted domestic execution notice. Carries the account number: never log it whole. */
export interface KrExecutionNotice extends EventBase {
  kind: 'kr-notice';
  htsId: string;
  accountNo: string;
  orderNo: string;
  originalOrderNo: string;
  /** SELN_BYOV_CLS: "01" sell, "02" buy */
  sideCode: string;
  /** RCTF_CLS: "0" normal, "1" revise, "2" cancel */
  correctionCode: string;
  /** ODER_KIND: the ORD_DVSN code */
  orderType: string;
  /** ODER_COND: "0" none, "1" IOC, "2" FOK */
  orderCondition: string;
  code: string;
  /** CNTG_QTY / CNTG_UNPR: filled qty/price on a fill; order qty/price on an ack (CNTG_YN "1") */
  qty: number;
  price: number;
  time: string;
  rejected: boolean;
  /** CNTG_YN === "2" */
  isFill: boolean;
  /** ACPT_YN: "1" accepted, "2" confirmed, "3" IOC/FOK cancel */
  acceptCode: string;
  branchNo: string;
  orderQty: number;
  name: string;
  /** ORD_EXG_GB: 1 KRX, 2 NXT, 3 SOR-KRX, 4 SOR-NXT */
  exchangeCode: string;
  orderPrice: number;
}

export type RealtimeEvent = KrTick | KrBook | UsTick | KrExecutionNotice;

/** A JSON control reply (subscribe ack or error). */
export interface ControlReply {
  trId: string;
  trKey: string;
  encrypt: boolean;
  rtCd: string;
  msgCd: string;
  msg1: string;
  /** AES key/iv that come with a successful subscribe (used to decrypt notices of that TR). */
  key?: string;
  iv?: string;
}

export type MalformedReason =
  | 'empty'
  | 'bad-frame'
  | 'bad-count'
  | 'field-count'
  | 'short-record'
  | 'bad-record'
  | 'unknown-tr'
  | 'no-key'
  | 'bad-base64'
  | 'decrypt-failed'
  | 'bad-json'
  | 'bad-control';

export type ParseResult =
  | { kind: 'data'; trId: string; events: RealtimeEvent[]; /** records dropped as malformed */ rejected: number }
  | { kind: 'control'; control: ControlReply }
  | { kind: 'pingpong'; text: string }
  | { kind: 'malformed'; reason: MalformedReason; detail: string };
