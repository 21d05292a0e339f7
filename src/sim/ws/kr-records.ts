// Domestic realtime records in KIS field order (fact sheet §5.1): H0STCNT0 tick (46 fields) and
// H0STASP0 10-level book (59 fields), derived from a SimKrQuote snapshot. Pure: same input, same strings.
import type { SimKrQuote } from '../contracts.js';
import { kstParts } from './time-parts.js';

export const H0STCNT0_FIELD_COUNT = 46;
export const H0STASP0_FIELD_COUNT = 59;
const BOOK_LEVELS = 10;

/** KIS sign code vs the previous close: 1 upper limit, 2 up, 3 unchanged, 4 lower limit, 5 down. */
export function krSignCode(price: number, prevClose: number, upperLimit: number, lowerLimit: number): string {
  if (upperLimit > 0 && price >= upperLimit) return '1';
  if (lowerLimit > 0 && price <= lowerLimit) return '4';
  if (price > prevClose) return '2';
  if (price < prevClose) return '5';
  return '3';
}

/** Session codes by KST time: NEW_MKOP_CLS_CODE and HOUR_CLS_CODE. */
function krPhase(nowMs: number): { mkop: string; hourCls: string; ccldPreOpen: boolean } {
  const minute = kstParts(nowMs).minuteOfDay;
  if (minute < 9 * 60) return { mkop: '10', hourCls: 'B', ccldPreOpen: true };
  if (minute < 15 * 60 + 30) return { mkop: '20', hourCls: '0', ccldPreOpen: false };
  if (minute < 16 * 60) return { mkop: '30', hourCls: 'A', ccldPreOpen: false };
  return { mkop: '40', hourCls: 'D', ccldPreOpen: false };
}

function pct(numerator: number, denominator: number): string {
  return denominator === 0 ? '0.00' : ((numerator / denominator) * 100).toFixed(2);
}

function int(n: number): string {
  return String(Math.round(n));
}

/** Quantity at book level i (0-based): grows with depth, deterministic. */
function levelQty(qty1: number, i: number): number {
  return Math.round(qty1 * (1 + 0.35 * i) + 17 * i);
}

function bookLevels(q: SimKrQuote): { asks: number[]; bids: number[]; askQty: number[]; bidQty: number[] } {
  const asks: number[] = [];
  const bids: number[] = [];
  const askQty: number[] = [];
  const bidQty: number[] = [];
  const tick = Math.max(1, q.tick);
  for (let i = 0; i < BOOK_LEVELS; i++) {
    const ask = q.askPrice1 + i * tick;
    const bid = q.bidPrice1 - i * tick;
    // Past the daily price limits there is no level: KIS sends 0 price and 0 quantity.
    const askOk = q.askPrice1 > 0 && (q.upperLimit <= 0 || ask <= q.upperLimit);
    const bidOk = q.bidPrice1 > 0 && bid > 0 && (q.lowerLimit <= 0 || bid >= q.lowerLimit);
    asks.push(askOk ? ask : 0);
    bids.push(bidOk ? bid : 0);
    askQty.push(askOk ? levelQty(q.askQty1, i) : 0);
    bidQty.push(bidOk ? levelQty(q.bidQty1, i) : 0);
  }
  return { asks, bids, askQty, bidQty };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * H0STCNT0 record (46 fields). tradeVolume is CNTG_VOL, the size of this trade (defaults to a small
 * deterministic number). PRDY_VRSS is signed (e.g. "-100") ❓ as in recorded KIS frames.
 */
export function krTickRecord(q: SimKrQuote, nowMs: number, tradeVolume?: number): string[] {
  const phase = krPhase(nowMs);
  const { ymd, hms } = kstParts(nowMs);
  const book = bookLevels(q);
  const diff = q.price - q.prevClose;
  const buyVolume = Math.round(q.volume * 0.52);
  const sellVolume = q.volume - buyVolume;
  const buyCount = Math.round(buyVolume / 37);
  const sellCount = Math.round(sellVolume / 41);
  const prevSameTimeVolume = Math.round(q.volume * 1.07) + 1;
  const cntgVol = tradeVolume ?? Math.max(1, (q.volume % 97) + 1);
  const ccldDvsn = phase.ccldPreOpen ? '3' : q.price >= q.askPrice1 ? '1' : '5';
  const fields = [
    q.code, // 0 MKSC_SHRN_ISCD
    hms, // 1 STCK_CNTG_HOUR
    int(q.price), // 2 STCK_PRPR
    krSignCode(q.price, q.prevClose, q.upperLimit, q.lowerLimit), // 3 PRDY_VRSS_SIGN
    int(diff), // 4 PRDY_VRSS
    pct(diff, q.prevClose), // 5 PRDY_CTRT
    q.volume > 0 ? (q.turnover / q.volume).toFixed(2) : '0.00', // 6 WGHN_AVRG_STCK_PRC
    int(q.open), // 7 STCK_OPRC
    int(q.high), // 8 STCK_HGPR
    int(q.low), // 9 STCK_LWPR
    int(q.askPrice1), // 10 ASKP1
    int(q.bidPrice1), // 11 BIDP1
    int(cntgVol), // 12 CNTG_VOL
    int(q.volume), // 13 ACML_VOL
    int(q.turnover), // 14 ACML_TR_PBMN
    int(sellCount), // 15 SELN_CNTG_CSNU
    int(buyCount), // 16 SHNU_CNTG_CSNU
    int(buyCount - sellCount), // 17 NTBY_CNTG_CSNU
    pct(buyVolume, sellVolume), // 18 CTTR
    int(sellVolume), // 19 SELN_CNTG_SMTN
    int(buyVolume), // 20 SHNU_CNTG_SMTN
    ccldDvsn, // 21 CCLD_DVSN
    pct(buyVolume, q.volume), // 22 SHNU_RATE
    pct(q.volume, prevSameTimeVolume), // 23 PRDY_VOL_VRSS_ACML_VOL_RATE
    '090000', // 24 OPRC_HOUR
    krSignCode(q.price, q.open, 0, 0), // 25 OPRC_VRSS_PRPR_SIGN
    int(q.price - q.open), // 26 OPRC_VRSS_PRPR
    q.price === q.high ? hms : '090000', // 27 HGPR_HOUR (synthetic: the market keeps no history)
    krSignCode(q.price, q.high, 0, 0), // 28 HGPR_VRSS_PRPR_SIGN
    int(q.price - q.high), // 29 HGPR_VRSS_PRPR
    q.price === q.low ? hms : '090000', // 30 LWPR_HOUR
    krSignCode(q.price, q.low, 0, 0), // 31 LWPR_VRSS_PRPR_SIGN
    int(q.price - q.low), // 32 LWPR_VRSS_PRPR
    ymd, // 33 BSOP_DATE
    phase.mkop, // 34 NEW_MKOP_CLS_CODE
    'N', // 35 TRHT_YN
    int(book.askQty[0] ?? 0), // 36 ASKP_RSQN1
    int(book.bidQty[0] ?? 0), // 37 BIDP_RSQN1
    int(sum(book.askQty)), // 38 TOTAL_ASKP_RSQN
    int(sum(book.bidQty)), // 39 TOTAL_BIDP_RSQN
    (q.volume / 5_969_782_550 * 100).toFixed(2), // 40 VOL_TNRT (turnover of a fixed synthetic share count)
    int(prevSameTimeVolume), // 41 PRDY_SMNS_HOUR_ACML_VOL
    pct(q.volume, prevSameTimeVolume), // 42 PRDY_SMNS_HOUR_ACML_VOL_RATE
    phase.hourCls, // 43 HOUR_CLS_CODE
    'N', // 44 MRKT_TRTM_CLS_CODE
    '0', // 45 VI_STND_PRC
  ];
  return fields;
}

/** H0STASP0 record (59 fields): 10 ask and 10 bid levels one tick apart from the best quotes. */
export function krBookRecord(q: SimKrQuote, nowMs: number): string[] {
  const phase = krPhase(nowMs);
  const { hms } = kstParts(nowMs);
  const book = bookLevels(q);
  const inAuction = phase.hourCls !== '0';
  return [
    q.code, // 0 MKSC_SHRN_ISCD
    hms, // 1 BSOP_HOUR
    phase.hourCls, // 2 HOUR_CLS_CODE
    ...book.asks.map(int), // 3-12 ASKP1..10
    ...book.bids.map(int), // 13-22 BIDP1..10
    ...book.askQty.map(int), // 23-32 ASKP_RSQN1..10
    ...book.bidQty.map(int), // 33-42 BIDP_RSQN1..10
    int(sum(book.askQty)), // 43 TOTAL_ASKP_RSQN
    int(sum(book.bidQty)), // 44 TOTAL_BIDP_RSQN
    '0', // 45 OVTM_TOTAL_ASKP_RSQN
    '0', // 46 OVTM_TOTAL_BIDP_RSQN
    inAuction ? int(q.price) : '0', // 47 ANTC_CNPR (expected price only during auctions)
    inAuction ? int(Math.min(sum(book.askQty), sum(book.bidQty))) : '0', // 48 ANTC_CNQN
    inAuction ? int(q.volume) : '0', // 49 ANTC_VOL
    inAuction ? int(q.price - q.prevClose) : '0', // 50 ANTC_CNTG_VRSS
    inAuction ? krSignCode(q.price, q.prevClose, q.upperLimit, q.lowerLimit) : '3', // 51 ANTC_CNTG_VRSS_SIGN
    inAuction ? pct(q.price - q.prevClose, q.prevClose) : '0.00', // 52 ANTC_CNTG_PRDY_CTRT
    int(q.volume), // 53 ACML_VOL
    '0', // 54 TOTAL_ASKP_RSQN_ICDC
    '0', // 55 TOTAL_BIDP_RSQN_ICDC
    '0', // 56 OVTM_TOTAL_ASKP_ICDC
    '0', // 57 OVTM_TOTAL_BIDP_ICDC
    '0', // 58 STCK_DEAL_CLS_CODE
  ];
}
