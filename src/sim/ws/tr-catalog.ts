// Which realtime TRs the simulated server accepts, which are encrypted, and how a data record for a
// (tr_id, tr_key) is built from the synthetic market at an instant (fact sheet §5, §5.1).
import type { SimMarket } from '../contracts.js';
import { krBookRecord, krTickRecord } from './kr-records.js';
import { parseOverseasTrKey, usTickRecord } from './us-records.js';
import { kstParts, newYorkParts, type TimeParts } from './time-parts.js';

/** Market-data TRs the tick generator serves. */
export const DATA_TR_IDS: ReadonlySet<string> = new Set(['H0STCNT0', 'H0STASP0', 'HDFSCNT0']);
/** Domestic execution-notice TRs (real / paper); tr_key is the HTS id. */
export const DOMESTIC_NOTICE_TR_IDS: ReadonlySet<string> = new Set(['H0STCNI0', 'H0STCNI9']);
/**
 * Encrypted TRs. The overseas notices are accepted for registration (a client may subscribe them) but
 * the simulator does not publish them yet.
 */
export const ENCRYPTED_TR_IDS: ReadonlySet<string> = new Set([...DOMESTIC_NOTICE_TR_IDS, 'H0GSCNI0', 'H0GSCNI9']);
/** Everything else is refused with OPSP8991 so a client typo fails loudly instead of waiting forever. */
export const SUPPORTED_TR_IDS: ReadonlySet<string> = new Set([...DATA_TR_IDS, ...ENCRYPTED_TR_IDS]);

/**
 * Whether KIS would be sending this market-data TR at nowMs: executions (H0STCNT0) only in the KRX
 * regular session 09:00–15:30 KST, the book (H0STASP0) 08:30–16:00 through the auctions, US ticks
 * (HDFSCNT0) 04:00–20:00 New York time (pre, regular and after market; MTYP tells them apart). Weekdays
 * only; exchange holidays are not known here (the SimMarket contract has no calendar).
 */
export function trTradesAt(trId: string, nowMs: number): boolean {
  switch (trId) {
    case 'H0STCNT0':
      return within(kstParts(nowMs), 9 * 60, 15 * 60 + 30);
    case 'H0STASP0':
      return within(kstParts(nowMs), 8 * 60 + 30, 16 * 60);
    case 'HDFSCNT0':
      return within(newYorkParts(nowMs), 4 * 60, 20 * 60);
    default:
      return false;
  }
}

function within(t: TimeParts, fromMinute: number, toMinute: number): boolean {
  return t.weekday <= 5 && t.minuteOfDay >= fromMinute && t.minuteOfDay < toMinute;
}

/** Domestic tr_key → market code: ETNs subscribe as "Q" + 6 chars, the market lists them without Q. */
export function krCodeOfTrKey(trKey: string): string {
  return trKey.length === 7 && trKey.startsWith('Q') ? trKey.slice(1) : trKey;
}

/** Last accumulated volume per subscription, so CNTG_VOL/EVOL reflects volume since the previous record. */
export interface VolumeMemory {
  lastVolume: number | undefined;
}

/**
 * One data record for trId/trKey at tMs, or undefined when the market does not know the symbol
 * (KIS accepts such subscriptions and simply never sends data).
 */
export function marketRecord(market: SimMarket, trId: string, trKey: string, tMs: number, memory?: VolumeMemory): string[] | undefined {
  switch (trId) {
    case 'H0STCNT0': {
      const q = market.krQuote(krCodeOfTrKey(trKey), tMs);
      if (!q) return undefined;
      return krTickRecord(q, tMs, tradeVolume(q.volume, memory));
    }
    case 'H0STASP0': {
      const q = market.krQuote(krCodeOfTrKey(trKey), tMs);
      return q ? krBookRecord(q, tMs) : undefined;
    }
    case 'HDFSCNT0': {
      const key = parseOverseasTrKey(trKey);
      const q = key ? market.usQuote(key.symbol, tMs) : undefined;
      if (!q) return undefined;
      return usTickRecord(q, trKey, tMs, tradeVolume(q.volume, memory));
    }
    default:
      return undefined;
  }
}

function tradeVolume(volume: number, memory: VolumeMemory | undefined): number | undefined {
  if (!memory) return undefined;
  const last = memory.lastVolume;
  memory.lastVolume = volume;
  if (last === undefined || volume <= last) return undefined; // first record, or a new day: builder default
  return volume - last;
}
