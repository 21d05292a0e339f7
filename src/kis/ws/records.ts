// Record builders: turn the fields at offset `o` of the last scanned payload (field-scanner.ts) into a
// typed event, following the field orders in wire.ts. Return undefined when a required field is unusable.
import { fieldIs, fieldNum, fieldNums, fieldStr, fieldStrs } from './field-scanner.js';
import type { KrBook, KrExecutionNotice, KrTick, RealtimeEvent, UsTick } from './events.js';
import { TR } from './wire.js';

export type RecordBuilder = (trId: string, o: number, width: number, receivedAtMs: number, keepFields: boolean) => RealtimeEvent | undefined;

function krTick(trId: string, o: number, width: number, receivedAtMs: number, keepFields: boolean): KrTick | undefined {
  const code = fieldStr(o);
  const price = fieldNum(o + 2);
  if (code.length === 0 || !(price > 0)) return undefined;
  const ev: KrTick = {
    kind: 'kr-tick',
    trId,
    receivedAtMs,
    code,
    time: fieldStr(o + 1),
    price,
    sign: fieldNum(o + 3),
    change: fieldNum(o + 4),
    changeRate: fieldNum(o + 5),
    vwap: fieldNum(o + 6),
    open: fieldNum(o + 7),
    high: fieldNum(o + 8),
    low: fieldNum(o + 9),
    ask1: fieldNum(o + 10),
    bid1: fieldNum(o + 11),
    tradeVolume: fieldNum(o + 12),
    accVolume: fieldNum(o + 13),
    accTurnover: fieldNum(o + 14),
    side: fieldNum(o + 21),
    strength: fieldNum(o + 18),
    businessDate: fieldStr(o + 33),
    sessionCode: fieldStr(o + 34),
    halted: fieldIs(o + 35, 'Y'),
    askQty1: fieldNum(o + 36),
    bidQty1: fieldNum(o + 37),
    totalAskQty: fieldNum(o + 38),
    totalBidQty: fieldNum(o + 39),
    hourClass: fieldStr(o + 43),
    viStandardPrice: fieldNum(o + 45),
  };
  if (keepFields) ev.fields = fieldStrs(o, width);
  return ev;
}

function krBook(trId: string, o: number, width: number, receivedAtMs: number, keepFields: boolean): KrBook | undefined {
  const code = fieldStr(o);
  if (code.length === 0) return undefined;
  const ev: KrBook = {
    kind: 'kr-book',
    trId,
    receivedAtMs,
    code,
    time: fieldStr(o + 1),
    hourClass: fieldStr(o + 2),
    askPrices: fieldNums(o + 3, 10),
    bidPrices: fieldNums(o + 13, 10),
    askQtys: fieldNums(o + 23, 10),
    bidQtys: fieldNums(o + 33, 10),
    totalAskQty: fieldNum(o + 43),
    totalBidQty: fieldNum(o + 44),
    expectedPrice: fieldNum(o + 47),
    expectedQty: fieldNum(o + 48),
    accVolume: fieldNum(o + 53),
  };
  if (keepFields) ev.fields = fieldStrs(o, width);
  return ev;
}

function usTick(trId: string, o: number, width: number, receivedAtMs: number, keepFields: boolean): UsTick | undefined {
  const rsym = fieldStr(o);
  const last = fieldNum(o + 11);
  if (rsym.length === 0 || !(last > 0)) return undefined;
  const ev: UsTick = {
    kind: 'us-tick',
    trId,
    receivedAtMs,
    rsym,
    symbol: fieldStr(o + 1),
    decimals: fieldNum(o + 2),
    localBusinessDate: fieldStr(o + 3),
    localDate: fieldStr(o + 4),
    localTime: fieldStr(o + 5),
    kstDate: fieldStr(o + 6),
    kstTime: fieldStr(o + 7),
    open: fieldNum(o + 8),
    high: fieldNum(o + 9),
    low: fieldNum(o + 10),
    last,
    sign: fieldNum(o + 12),
    change: fieldNum(o + 13),
    changeRate: fieldNum(o + 14),
    bid: fieldNum(o + 15),
    ask: fieldNum(o + 16),
    bidQty: fieldNum(o + 17),
    askQty: fieldNum(o + 18),
    tradeVolume: fieldNum(o + 19),
    accVolume: fieldNum(o + 20),
    accTurnover: fieldNum(o + 21),
    sellTradeVolume: fieldNum(o + 22),
    buyTradeVolume: fieldNum(o + 23),
    strength: fieldNum(o + 24),
    marketType: fieldStr(o + 25),
  };
  if (keepFields) ev.fields = fieldStrs(o, width);
  return ev;
}

function krNotice(trId: string, o: number, width: number, receivedAtMs: number, keepFields: boolean): KrExecutionNotice | undefined {
  const orderNo = fieldStr(o + 2);
  if (orderNo.length === 0) return undefined;
  const ev: KrExecutionNotice = {
    kind: 'kr-notice',
    trId,
    receivedAtMs,
    htsId: fieldStr(o),
    accountNo: fieldStr(o + 1),
    orderNo,
    originalOrderNo: fieldStr(o + 3),
    sideCode: fieldStr(o + 4),
    correctionCode: fieldStr(o + 5),
    orderType: fieldStr(o + 6),
    orderCondition: fieldStr(o + 7),
    code: fieldStr(o + 8),
    qty: fieldNum(o + 9),
    price: fieldNum(o + 10),
    time: fieldStr(o + 11),
    rejected: fieldIs(o + 12, '1'),
    isFill: fieldIs(o + 13, '2'),
    acceptCode: fieldStr(o + 14),
    branchNo: fieldStr(o + 15),
    orderQty: fieldNum(o + 16),
    name: fieldStr(o + 24),
    exchangeCode: fieldStr(o + 19),
    orderPrice: fieldNum(o + 25),
  };
  if (keepFields) ev.fields = fieldStrs(o, width);
  return ev;
}

/** Builder per decodable TR. */
export const RECORD_BUILDERS: Readonly<Record<string, RecordBuilder>> = {
  [TR.krTick]: krTick,
  [TR.krBook]: krBook,
  [TR.usTick]: usTick,
  [TR.krNotice]: krNotice,
  [TR.krNoticePaper]: krNotice,
};
