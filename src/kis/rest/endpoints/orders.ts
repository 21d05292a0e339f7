// Order endpoints (fact sheet §4.2–4.4): domestic cash order, revise/cancel, US order. All are kind
// 'order': never resent once they may have reached KIS (OrderOutcomeUnknownError → reconcile).
import { randomUUID } from 'node:crypto';
import { KisdError } from '../../../core/errors.js';
import { parseDomesticCode } from '../../symbols/domestic.js';
import { parseOverseasSymbol } from '../../symbols/overseas.js';
import type { ParamValue } from '../blank-fields.js';
import { OrderOutcomeUnknownError } from '../errors.js';
import { KIS_PATHS } from '../paths.js';
import { resolveTrId, type TrName } from '../tr-ids.js';
import { parseOrderAck, type OrderAck } from '../wire/orders.js';
import { reportIssues, type EndpointContext } from './context.js';

export type DomesticExchange = 'KRX' | 'NXT' | 'SOR';

/** How an order request may leave (the REST client's send seam; see KisRequestSpec). */
export interface OrderSendOptions {
  /** No attempt starts after this monotonic instant: OrderNotSentError instead (never sent late). */
  deadlineMonoMs?: number;
  /** Called with the wall time just before each attempt's bytes leave (the journal's attempt record). */
  onSend?: (sentAtEpochMs: number) => void;
  /** Called when that attempt provably never reached KIS (connect refused): the record is retracted. */
  onNotReached?: (sentAtEpochMs: number) => void;
}

export interface CashOrderInput {
  side: 'buy' | 'sell';
  code: string;
  /** Shares, integer ≥ 1. */
  qty: number;
  /** KRW, integer ≥ 0; sent as "0" for market orders (ORD_DVSN 01). */
  price: number;
  /** ORD_DVSN, two digits: 00 limit (default), 01 market, … (fact sheet §4.2). */
  ordDvsn?: string;
  /** EXCG_ID_DVSN_CD; omitted (KRX) unless given. */
  exchange?: DomesticExchange;
  /** Stop price for ORD_DVSN 22. */
  conditionPrice?: number;
  /** Use the legacy TTTC0801U/0802U ids. */
  legacyTrId?: boolean;
  /** Your reference, carried by OrderOutcomeUnknownError; default a UUID. */
  clientRef?: string;
  send?: OrderSendOptions;
}

export class OrderInputError extends KisdError {
  constructor(message: string) {
    super('KISD_BAD_ORDER', message, { disposition: 'fatal' });
  }
}

function positiveInt(v: number, name: string): string {
  if (!Number.isInteger(v) || v < 1) throw new OrderInputError(`${name} must be an integer >= 1, got ${v}`);
  return String(v);
}
function nonNegativeInt(v: number, name: string): string {
  if (!Number.isInteger(v) || v < 0) throw new OrderInputError(`${name} must be an integer >= 0 (KRW), got ${v}`);
  return String(v);
}
function ordDvsnOf(v: string | undefined): string {
  const d = v ?? '00';
  if (!/^\d{2}$/.test(d)) throw new OrderInputError(`ORD_DVSN must be two digits, got ${JSON.stringify(d)}`);
  return d;
}

async function sendOrder(
  ctx: EndpointContext,
  path: string,
  trId: string,
  params: Record<string, ParamValue>,
  clientRef: string,
  send: OrderSendOptions | undefined,
  signal: AbortSignal | undefined,
): Promise<OrderAck> {
  const spec = { method: 'POST' as const, path, trId, kind: 'order' as const, params, clientRef };
  const seam = { ...(send?.deadlineMonoMs !== undefined ? { sendDeadlineMonoMs: send.deadlineMonoMs } : {}), ...(send?.onSend ? { onSend: send.onSend } : {}), ...(send?.onNotReached ? { onNotReached: send.onNotReached } : {}) };
  const res = await ctx.client.request({ ...spec, ...seam }, signal);
  const ack = reportIssues(ctx, trId, parseOrderAck(res.body));
  // KIS's acceptance time is a second clock reading next to the Date header (host-vs-KIS offset).
  if (ack) ctx.client.clockOffset.observeOrderTime(ack.orderTime, res.sentAtEpochMs, res.receivedAtEpochMs);
  if (ack === undefined) {
    // rt_cd 0: KIS accepted an order we cannot identify. Treat as unresolved, never resend.
    const masked: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) masked[k] = k === 'CANO' ? '[REDACTED]' : String(v);
    throw new OrderOutcomeUnknownError({ trId, sentBody: masked, sentAtEpochMs: res.sentAtEpochMs, clientRef, reason: 'accepted (rt_cd 0) but the reply has no readable ODNO' });
  }
  return ack;
}

/** Domestic cash buy/sell (order-cash). Throws OrderInputError, SymbolError, KisApiError, OrderOutcomeUnknownError. */
export async function orderCash(ctx: EndpointContext, input: CashOrderInput, signal?: AbortSignal): Promise<OrderAck> {
  if (input.side !== 'buy' && input.side !== 'sell') throw new OrderInputError(`side must be 'buy' or 'sell'`);
  const sym = parseDomesticCode(input.code);
  const ordDvsn = ordDvsnOf(input.ordDvsn);
  const name: TrName = input.side === 'buy' ? (input.legacyTrId ? 'orderCashBuyLegacy' : 'orderCashBuy') : input.legacyTrId ? 'orderCashSellLegacy' : 'orderCashSell';
  const trId = resolveTrId(name, ctx.client.mode);
  const params: Record<string, ParamValue> = {
    CANO: ctx.account.cano,
    ACNT_PRDT_CD: ctx.account.acntPrdtCd,
    PDNO: sym.apiCode,
    ORD_DVSN: ordDvsn,
    ORD_QTY: positiveInt(input.qty, 'qty'),
    ORD_UNPR: ordDvsn === '01' ? '0' : nonNegativeInt(input.price, 'price'),
    EXCG_ID_DVSN_CD: input.exchange,
    SLL_TYPE: input.side === 'sell' ? '01' : undefined,
    CNDT_PRIC: input.conditionPrice === undefined ? undefined : nonNegativeInt(input.conditionPrice, 'conditionPrice'),
  };
  return sendOrder(ctx, KIS_PATHS.orderCash, trId, params, input.clientRef ?? randomUUID(), input.send, signal);
}

export interface ReviseInput {
  /** KRX_FWDG_ORD_ORGNO of the original order. */
  orgNo: string;
  /** ODNO of the original order. */
  orderNo: string;
  ordDvsn?: string;
  qty: number;
  price: number;
  /** Revise all remaining quantity (QTY_ALL_ORD_YN Y). Default false. */
  all?: boolean;
  exchange?: DomesticExchange;
  legacyTrId?: boolean;
  clientRef?: string;
  send?: OrderSendOptions;
}

export interface CancelInput {
  orgNo: string;
  orderNo: string;
  /** Shares to cancel; omit to cancel all remaining. */
  qty?: number;
  exchange?: DomesticExchange;
  legacyTrId?: boolean;
  clientRef?: string;
  send?: OrderSendOptions;
}

function rvsecnclTrId(ctx: EndpointContext, legacy: boolean | undefined): string {
  return resolveTrId(legacy ? 'orderReviseCancelLegacy' : 'orderReviseCancel', ctx.client.mode);
}

/** Revise an open order (order-rvsecncl, RVSE_CNCL_DVSN_CD 01). A filled quantity cannot be revised. */
export async function orderRevise(ctx: EndpointContext, input: ReviseInput, signal?: AbortSignal): Promise<OrderAck> {
  const ordDvsn = ordDvsnOf(input.ordDvsn);
  const params: Record<string, ParamValue> = {
    CANO: ctx.account.cano,
    ACNT_PRDT_CD: ctx.account.acntPrdtCd,
    KRX_FWDG_ORD_ORGNO: input.orgNo,
    ORGN_ODNO: input.orderNo,
    ORD_DVSN: ordDvsn,
    RVSE_CNCL_DVSN_CD: '01',
    ORD_QTY: input.all ? '0' : positiveInt(input.qty, 'qty'),
    ORD_UNPR: ordDvsn === '01' ? '0' : nonNegativeInt(input.price, 'price'),
    QTY_ALL_ORD_YN: input.all ? 'Y' : 'N',
    EXCG_ID_DVSN_CD: input.exchange,
  };
  return sendOrder(ctx, KIS_PATHS.orderRvsecncl, rvsecnclTrId(ctx, input.legacyTrId), params, input.clientRef ?? randomUUID(), input.send, signal);
}

/** Cancel an open order, all remaining by default (order-rvsecncl, RVSE_CNCL_DVSN_CD 02). */
export async function orderCancel(ctx: EndpointContext, input: CancelInput, signal?: AbortSignal): Promise<OrderAck> {
  const all = input.qty === undefined;
  const params: Record<string, ParamValue> = {
    CANO: ctx.account.cano,
    ACNT_PRDT_CD: ctx.account.acntPrdtCd,
    KRX_FWDG_ORD_ORGNO: input.orgNo,
    ORGN_ODNO: input.orderNo,
    ORD_DVSN: '00',
    RVSE_CNCL_DVSN_CD: '02',
    ORD_QTY: all ? '0' : positiveInt(input.qty!, 'qty'),
    ORD_UNPR: '0',
    QTY_ALL_ORD_YN: all ? 'Y' : 'N',
    EXCG_ID_DVSN_CD: input.exchange,
  };
  return sendOrder(ctx, KIS_PATHS.orderRvsecncl, rvsecnclTrId(ctx, input.legacyTrId), params, input.clientRef ?? randomUUID(), input.send, signal);
}

export interface OverseasOrderInput {
  side: 'buy' | 'sell';
  symbol: string;
  /** NAS/NYS/AMS or NASD/NYSE/AMEX. */
  exchange: string;
  qty: number;
  /** USD; 0 for market-type orders. Up to 4 decimals. */
  price: number;
  /** ORD_DVSN: 00 limit (default; the only one paper accepts), 32 LOO, 34 LOC, sells also 31 MOO, 33 MOC. */
  ordDvsn?: string;
  clientRef?: string;
  send?: OrderSendOptions;
}

/** US order (overseas-stock order). Paper mode accepts ORD_DVSN 00 only. */
export async function overseasOrder(ctx: EndpointContext, input: OverseasOrderInput, signal?: AbortSignal): Promise<OrderAck> {
  const sym = parseOverseasSymbol(input.symbol, input.exchange);
  const ordDvsn = ordDvsnOf(input.ordDvsn);
  if (ctx.client.mode === 'paper' && ordDvsn !== '00') throw new OrderInputError(`paper US orders accept ORD_DVSN 00 only, got ${ordDvsn}`);
  if (!Number.isFinite(input.price) || input.price < 0) throw new OrderInputError(`price must be a number >= 0 (USD), got ${input.price}`);
  const trId = resolveTrId(input.side === 'buy' ? 'overseasUsBuy' : 'overseasUsSell', ctx.client.mode);
  const params: Record<string, ParamValue> = {
    CANO: ctx.account.cano,
    ACNT_PRDT_CD: ctx.account.acntPrdtCd,
    OVRS_EXCG_CD: sym.orderExchange,
    PDNO: sym.symbol,
    ORD_QTY: positiveInt(input.qty, 'qty'),
    OVRS_ORD_UNPR: String(Number(input.price.toFixed(4))),
    CTAC_TLNO: '',
    MGCO_APTM_ODNO: '',
    SLL_TYPE: input.side === 'sell' ? '00' : '',
    ORD_SVR_DVSN_CD: '0',
    ORD_DVSN: ordDvsn,
  };
  return sendOrder(ctx, KIS_PATHS.overseasOrder, trId, params, input.clientRef ?? randomUUID(), input.send, signal);
}
