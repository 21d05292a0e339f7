// Overseas realtime tick HDFSCNT0 in KIS field order (fact sheet §5.1, 26 fields starting with RSYM,
// e.g. "DNASAAPL" — OTA os_ws.py omits RSYM, real frames do not), from a SimUsQuote snapshot.
import type { SimUsQuote } from '../contracts.js';
import { kstParts, newYorkParts } from './time-parts.js';

export const HDFSCNT0_FIELD_COUNT = 26;
/** ZDIV: US prices carry 4 decimals. */
const US_DECIMALS = 4;

/** Splits an overseas tr_key `D|R` + exchange(3) + symbol, e.g. DNASAAPL → NAS / AAPL. */
export function parseOverseasTrKey(trKey: string): { realtime: boolean; exchange: string; symbol: string } | undefined {
  const m = /^([DR])([A-Z]{3})([A-Z0-9.]{1,16})$/.exec(trKey);
  if (!m) return undefined;
  return { realtime: m[1] === 'R', exchange: m[2]!, symbol: m[3]! };
}

/** MTYP by New York time: 1 regular (09:30–16:00), 2 pre-market, 3 after-market. */
function usSessionType(nowMs: number): string {
  const minute = newYorkParts(nowMs).minuteOfDay;
  if (minute >= 9 * 60 + 30 && minute < 16 * 60) return '1';
  if (minute >= 4 * 60 && minute < 9 * 60 + 30) return '2';
  return '3';
}

const px = (n: number): string => n.toFixed(US_DECIMALS);

/**
 * HDFSCNT0 record (26 fields). tradeVolume is EVOL (this trade's size). DIFF is signed like RATE ❓.
 * BIVL/ASVL follow KIS's labels (매도체결량 / 매수체결량).
 */
export function usTickRecord(q: SimUsQuote, trKey: string, nowMs: number, tradeVolume?: number): string[] {
  const ny = newYorkParts(nowMs);
  const kst = kstParts(nowMs);
  const diff = q.price - q.prevClose;
  const sign = diff > 0 ? '2' : diff < 0 ? '5' : '3';
  const buyVolume = Math.round(q.volume * 0.52);
  const sellVolume = q.volume - buyVolume;
  const evol = tradeVolume ?? Math.max(1, (q.volume % 89) + 1);
  return [
    trKey, // 0 RSYM
    q.symbol, // 1 SYMB
    String(US_DECIMALS), // 2 ZDIV
    ny.ymd, // 3 TYMD (local business date)
    ny.ymd, // 4 XYMD
    ny.hms, // 5 XHMS
    kst.ymd, // 6 KYMD
    kst.hms, // 7 KHMS
    px(q.open), // 8 OPEN
    px(q.high), // 9 HIGH
    px(q.low), // 10 LOW
    px(q.price), // 11 LAST
    sign, // 12 SIGN
    px(diff), // 13 DIFF
    q.prevClose === 0 ? '0.00' : ((diff / q.prevClose) * 100).toFixed(2), // 14 RATE
    px(q.bid), // 15 PBID
    px(q.ask), // 16 PASK
    String(Math.round(q.bidQty)), // 17 VBID
    String(Math.round(q.askQty)), // 18 VASK
    String(Math.round(evol)), // 19 EVOL
    String(Math.round(q.volume)), // 20 TVOL
    String(Math.round(q.turnover)), // 21 TAMT
    String(sellVolume), // 22 BIVL
    String(buyVolume), // 23 ASVL
    sellVolume === 0 ? '0.00' : ((buyVolume / sellVolume) * 100).toFixed(2), // 24 STRN
    usSessionType(nowMs), // 25 MTYP
  ];
}
