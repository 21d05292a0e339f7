// Order routes (fact sheet §4.2–4.4): domestic order-cash (current TTTC0011U/0012U and legacy 0801U/0802U) and
// order-rvsecncl (TTTC0013U/0803U); US order (TTTT1002U buy / TTTT1006U sell; paper VTTT1002U / VTTT1001U) and
// its order-rvsecncl (TTTT1004U). Bodies are UPPERCASE keys with string values; replies carry the UPPERCASE
// output KRX_FWDG_ORD_ORGNO / ODNO / ORD_TMD with msg_cd APBK0013.
import type { OrderOutcome } from '../exchange/exchange.js';
import type { Side, Venue } from '../exchange/types.js';
import { invalidInput } from './quote-helpers.js';
import { nonStringField, param, type RestContext, type RestResult, type RouteDef } from './types.js';

const ACCEPTED = { rt_cd: '0', msg_cd: 'APBK0013', msg1: '주문 전송 완료 되었습니다.' } as const;

const KR_SIDE: Record<string, Side> = {
  TTTC0011U: 'sell', TTTC0801U: 'sell', VTTC0011U: 'sell', VTTC0801U: 'sell',
  TTTC0012U: 'buy', TTTC0802U: 'buy', VTTC0012U: 'buy', VTTC0802U: 'buy',
};
// US paper sell is VTTT1001U, not the "V + real" VTTT1006U that OTA's code builds (its docs say 1001U).
const US_SIDE: Record<string, Side> = { TTTT1002U: 'buy', VTTT1002U: 'buy', TTTT1006U: 'sell', VTTT1001U: 'sell' };

/** The account named by CANO + ACNT_PRDT_CD if it is the calling app's, else undefined. */
function ownAccount(ctx: RestContext): string | undefined {
  const accountNo = `${param(ctx, 'CANO')}-${param(ctx, 'ACNT_PRDT_CD')}`;
  return ctx.app && ctx.app.accountNo === accountNo ? accountNo : undefined;
}

function precheck(ctx: RestContext, fields: readonly string[]): { accountNo: string } | RestResult {
  const bad = nonStringField(ctx, fields);
  if (bad) return invalidInput(bad);
  const accountNo = ownAccount(ctx);
  if (!accountNo) return invalidInput('ACNO');
  ctx.env.exchange.sweep(accountNo);
  return { accountNo };
}

function reply(outcome: OrderOutcome): RestResult {
  if (!outcome.ok) return { body: { rt_cd: outcome.reject.rtCd ?? '1', msg_cd: outcome.reject.msgCd, msg1: outcome.reject.msg1 } };
  const o = outcome.order;
  return { body: { ...ACCEPTED, output: { KRX_FWDG_ORD_ORGNO: o.branch, ODNO: o.odno, ORD_TMD: o.tmd } } };
}

const trIds = (real: string[]) => ({ real, paper: real.map((t) => `V${t.slice(1)}`) });

const orderCash: RouteDef = {
  method: 'POST',
  path: '/uapi/domestic-stock/v1/trading/order-cash',
  auth: 'token',
  trIds: trIds(['TTTC0011U', 'TTTC0012U', 'TTTC0801U', 'TTTC0802U']),
  handler(ctx) {
    const pre = precheck(ctx, ['CANO', 'ACNT_PRDT_CD', 'PDNO', 'ORD_DVSN', 'ORD_QTY', 'ORD_UNPR', 'EXCG_ID_DVSN_CD', 'SLL_TYPE', 'CNDT_PRIC']);
    if ('body' in pre) return pre;
    const side = KR_SIDE[ctx.trId] ?? 'buy';
    return reply(ctx.env.exchange.placeKr(pre.accountNo, { side, pdno: param(ctx, 'PDNO'), ordDvsn: param(ctx, 'ORD_DVSN'), qty: param(ctx, 'ORD_QTY'), price: param(ctx, 'ORD_UNPR') }));
  },
};

function reviseCancel(ctx: RestContext, venue: Venue, priceField: 'ORD_UNPR' | 'OVRS_ORD_UNPR'): RestResult {
  const pre = precheck(ctx, ['CANO', 'ACNT_PRDT_CD', 'KRX_FWDG_ORD_ORGNO', 'ORGN_ODNO', 'ORD_DVSN', 'RVSE_CNCL_DVSN_CD', 'ORD_QTY', priceField, 'QTY_ALL_ORD_YN', 'OVRS_EXCG_CD', 'PDNO']);
  if ('body' in pre) return pre;
  return reply(
    ctx.env.exchange.reviseOrCancel(pre.accountNo, venue, {
      orgnOdno: param(ctx, 'ORGN_ODNO'),
      action: param(ctx, 'RVSE_CNCL_DVSN_CD'),
      ordDvsn: param(ctx, 'ORD_DVSN'),
      qty: param(ctx, 'ORD_QTY'),
      price: param(ctx, priceField),
      allQty: param(ctx, 'QTY_ALL_ORD_YN') === 'Y',
    }),
  );
}

const orderRvsecncl: RouteDef = {
  method: 'POST',
  path: '/uapi/domestic-stock/v1/trading/order-rvsecncl',
  auth: 'token',
  trIds: trIds(['TTTC0013U', 'TTTC0803U']),
  handler: (ctx) => reviseCancel(ctx, 'KR', 'ORD_UNPR'),
};

const overseasOrder: RouteDef = {
  method: 'POST',
  path: '/uapi/overseas-stock/v1/trading/order',
  auth: 'token',
  trIds: { real: ['TTTT1002U', 'TTTT1006U'], paper: ['VTTT1002U', 'VTTT1001U'] },
  handler(ctx) {
    const pre = precheck(ctx, ['CANO', 'ACNT_PRDT_CD', 'OVRS_EXCG_CD', 'PDNO', 'ORD_QTY', 'OVRS_ORD_UNPR', 'CTAC_TLNO', 'MGCO_APTM_ODNO', 'SLL_TYPE', 'ORD_SVR_DVSN_CD', 'ORD_DVSN']);
    if ('body' in pre) return pre;
    const side = US_SIDE[ctx.trId] ?? 'buy';
    return reply(
      ctx.env.exchange.placeUs(pre.accountNo, {
        side,
        pdno: param(ctx, 'PDNO'),
        exchangeCode: param(ctx, 'OVRS_EXCG_CD'),
        ordDvsn: param(ctx, 'ORD_DVSN') || '00',
        qty: param(ctx, 'ORD_QTY'),
        price: param(ctx, 'OVRS_ORD_UNPR'),
      }),
    );
  },
};

const overseasRvsecncl: RouteDef = {
  method: 'POST',
  path: '/uapi/overseas-stock/v1/trading/order-rvsecncl',
  auth: 'token',
  trIds: trIds(['TTTT1004U']),
  handler: (ctx) => reviseCancel(ctx, 'US', 'OVRS_ORD_UNPR'),
};

export const orderRoutes: readonly RouteDef[] = [orderCash, orderRvsecncl, overseasOrder, overseasRvsecncl];
