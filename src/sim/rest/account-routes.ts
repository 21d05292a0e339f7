// Account queries (fact sheet §4.3): inquire-balance (TTTC8434R, holdings in output1[], one summary row in
// output2[], 50 rows a page real / 20 paper) and inquire-daily-ccld (TTTC0081R and legacy TTTC8001R, output1[]
// orders, output2 totals, 100 rows a page real / 15 paper), both with key-based continuation paging.
import { kstYmd } from '../../core/kst.js';
import { remainingQty, type SimOrder } from '../exchange/types.js';
import { parseYmd } from '../market/exchange-calendar.js';
import { fixed, int } from './format.js';
import { continuationKey, paginate } from './paging.js';
import { invalidInput } from './quote-helpers.js';
import { param, type RestContext, type RestResult, type RouteDef } from './types.js';

export const PAGE_SIZE = { balance: { real: 50, paper: 20 }, dailyCcld: { real: 100, paper: 15 } } as const;

/** ❓ Success codes: paper replies "모의투자 조회가 완료되었습니다." per recordings; the real code is a guess. */
function doneMsg(ctx: RestContext): { rt_cd: string; msg_cd: string; msg1: string } {
  return ctx.env.flavor === 'paper' ? { rt_cd: '0', msg_cd: '20310000', msg1: '모의투자 조회가 완료되었습니다.' } : { rt_cd: '0', msg_cd: 'KIOK0510', msg1: '조회가 완료되었습니다' };
}

function ownAccount(ctx: RestContext): string | undefined {
  const accountNo = `${param(ctx, 'CANO')}-${param(ctx, 'ACNT_PRDT_CD')}`;
  return ctx.app?.accountNo === accountNo ? accountNo : undefined;
}

function oneOf(ctx: RestContext, field: string, allowed: readonly string[]): RestResult | undefined {
  return allowed.includes(param(ctx, field)) ? undefined : invalidInput(field);
}

const balance: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/trading/inquire-balance',
  auth: 'token',
  trIds: { real: ['TTTC8434R'], paper: ['VTTC8434R'] },
  handler(ctx) {
    const accountNo = ownAccount(ctx);
    if (!accountNo) return invalidInput('ACNO');
    const bad =
      oneOf(ctx, 'AFHR_FLPR_YN', ['N', 'Y', 'X']) ??
      // INQR_DVSN 02 (by stock) has been refused since the 2026-02-10 KIS notice (PK issue #81).
      oneOf(ctx, 'INQR_DVSN', ['01']) ??
      oneOf(ctx, 'UNPR_DVSN', ['01']) ??
      oneOf(ctx, 'FUND_STTL_ICLD_YN', ['N', 'Y']) ??
      oneOf(ctx, 'FNCG_AMT_AUTO_RDPT_YN', ['N', 'Y']) ??
      oneOf(ctx, 'PRCS_DVSN', ['00', '01']);
    if (bad) return bad;
    const { exchange, market } = ctx.env;
    exchange.sweep(accountNo);
    const ledger = exchange.ledger(accountNo);
    if (!ledger) return invalidInput('ACNO');
    const today = Number(kstYmd(ctx.nowMs));
    // The trading day before today (or the last one, on a holiday): what KIS calls 전일 (bfdy).
    const prevYmd = market.krCalendar.at(market.krCalendar.indexOnOrBefore(today) - (market.krCalendar.isTradingDay(today) ? 1 : 0)) ?? 0;
    const rows = ledger.visibleHoldings('KR', today).map((h) => {
      const sym = market.krSymbol(h.code);
      const q = market.krQuote(h.code, ctx.nowMs);
      const price = q?.price ?? 0;
      const evlu = price * h.qty;
      const avg = h.qty > 0 ? h.costBasis / h.qty : 0;
      const pfls = evlu - h.costBasis;
      const t = ledger.dayTrades('KR', h.code, today);
      const y = ledger.dayTrades('KR', h.code, prevYmd);
      return {
        key: h.code,
        row: {
          pdno: sym?.requestCode ?? h.code,
          prdt_name: h.name,
          trad_dvsn_name: '현금',
          bfdy_buy_qty: int(y.bought),
          bfdy_sll_qty: int(y.sold),
          thdt_buyqty: int(t.bought),
          thdt_sll_qty: int(t.sold),
          hldg_qty: int(h.qty),
          ord_psbl_qty: int(Math.max(0, exchange.sellableQty(accountNo, 'KR', h.code))),
          pchs_avg_pric: fixed(avg, 4),
          pchs_amt: int(h.costBasis),
          prpr: int(price),
          evlu_amt: int(evlu),
          evlu_pfls_amt: int(pfls),
          evlu_pfls_rt: fixed(h.costBasis > 0 ? (pfls / h.costBasis) * 100 : 0, 2),
          evlu_erng_rt: fixed(h.costBasis > 0 ? (pfls / h.costBasis) * 100 : 0, 8),
          loan_dt: '',
          loan_amt: '0',
          stln_slng_chgs: '0',
          expd_dt: '',
          fltt_rt: fixed(q && q.prevClose > 0 ? ((q.price - q.prevClose) / q.prevClose) * 100 : 0, 8),
          bfdy_cprs_icdc: int(q ? q.price - q.prevClose : 0),
          item_mgna_rt_name: '',
          grta_rt_name: '',
          sbst_pric: '0',
          stck_loan_unpr: '0.0000',
        },
        evlu,
        prevEvlu: (q?.prevClose ?? 0) * h.qty,
      };
    });
    const page = paginate(rows, (r) => r.key, continuationKey(ctx), PAGE_SIZE.balance[ctx.env.flavor], accountNo.replace('-', '^'));
    const cash = ledger.krwCash(today);
    const sum = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((s, r) => s + f(r), 0);
    const scts = sum((r) => r.evlu);
    const pchs = ledger.visibleHoldings('KR', today).reduce((s, h) => s + h.costBasis, 0);
    const tot = scts + cash.d2;
    const bfdyTot = sum((r) => r.prevEvlu) + cash.d2;
    const dayAmounts = (ymd: number, side: 'buyAmount' | 'sellAmount'): number =>
      [...new Set(ledger.fills.filter((f) => f.venue === 'KR' && f.ymd === ymd).map((f) => f.code))].reduce((s, c) => s + ledger.dayTrades('KR', c, ymd)[side], 0);
    return {
      trCont: page.more ? 'M' : 'D',
      body: {
        ctx_area_fk100: page.fk100,
        ctx_area_nk100: page.nk100,
        output1: page.rows.map((r) => r.row),
        output2: [
          {
            dnca_tot_amt: int(cash.deposit),
            nxdy_excc_amt: int(cash.nextDay),
            prvs_rcdl_excc_amt: int(cash.d2),
            cma_evlu_amt: '0',
            bfdy_buy_amt: int(dayAmounts(prevYmd, 'buyAmount')),
            thdt_buy_amt: int(dayAmounts(today, 'buyAmount')),
            nxdy_auto_rdpt_amt: '0',
            bfdy_sll_amt: int(dayAmounts(prevYmd, 'sellAmount')),
            thdt_sll_amt: int(dayAmounts(today, 'sellAmount')),
            d2_auto_rdpt_amt: '0',
            bfdy_tlex_amt: int(ledger.feesOn(prevYmd)),
            thdt_tlex_amt: int(ledger.feesOn(today)),
            tot_loan_amt: '0',
            scts_evlu_amt: int(scts),
            tot_evlu_amt: int(tot),
            nass_amt: int(tot),
            fncg_gld_auto_rdpt_yn: '',
            pchs_amt_smtl_amt: int(pchs),
            evlu_amt_smtl_amt: int(scts),
            evlu_pfls_smtl_amt: int(scts - pchs),
            tot_stln_slng_chgs: '0',
            bfdy_tot_asst_evlu_amt: int(bfdyTot),
            asst_icdc_amt: int(tot - bfdyTot),
            asst_icdc_erng_rt: fixed(bfdyTot > 0 ? ((tot - bfdyTot) / bfdyTot) * 100 : 0, 8),
          },
        ],
        ...doneMsg(ctx),
      },
    };
  },
};

const ORD_DVSN_NAME: Record<string, string> = { '00': '지정가', '01': '시장가', '03': '최유리지정가', '04': '최우선지정가', '11': 'IOC지정가', '12': 'FOK지정가', '13': 'IOC시장가', '14': 'FOK시장가' };

function sideName(o: SimOrder): string {
  const side = o.side === 'buy' ? '매수' : '매도';
  return o.kind === 'cancel' ? `${side}취소*` : o.kind === 'revise' ? `${side}정정*` : `현금${side}`;
}

function ccldRow(o: SimOrder, requestCode: string): Record<string, string> {
  return {
    ord_dt: o.ymd,
    ord_gno_brno: o.branch,
    odno: o.odno,
    orgn_odno: o.orgnOdno,
    ord_dvsn_name: ORD_DVSN_NAME[o.ordDvsn] ?? o.ordDvsn,
    sll_buy_dvsn_cd: o.side === 'sell' ? '01' : '02',
    sll_buy_dvsn_cd_name: sideName(o),
    pdno: requestCode,
    prdt_name: o.name,
    ord_qty: int(o.qty),
    ord_unpr: int(o.price),
    ord_tmd: o.tmd,
    tot_ccld_qty: int(o.filledQty),
    avg_prvs: int(o.filledQty > 0 ? o.filledAmount / o.filledQty : 0),
    cncl_yn: o.kind === 'cancel' ? 'Y' : 'N',
    tot_ccld_amt: int(o.filledAmount),
    loan_dt: '',
    ordr_empno: '',
    ord_dvsn_cd: o.ordDvsn,
    cnc_cfrm_qty: int(o.kind === 'cancel' ? o.qty : 0),
    rmn_qty: int(o.kind === 'cancel' ? 0 : remainingQty(o)),
    rjct_qty: int(o.rejectedQty),
    ccld_cndt_name: '없음',
    inqr_ip_addr: '',
    cpbc_ordp_ord_rcit_dvsn_cd: '',
    cpbc_ordp_infm_mthd_dvsn_cd: '',
    infm_tmd: '',
    ctac_tlno: '',
    prdt_type_cd: '300',
    excg_dvsn_cd: '02',
    cpbc_ordp_mtrl_dvsn_cd: '',
    ord_orgno: '',
    rsvn_ord_end_dt: '',
    excg_id_dvsn_cd: 'KRX',
    stpm_cndt_pric: '0',
    stpm_efct_occr_dtmd: '',
  };
}

const dailyCcld: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/trading/inquire-daily-ccld',
  auth: 'token',
  trIds: { real: ['TTTC0081R', 'TTTC8001R'], paper: ['VTTC0081R', 'VTTC8001R'] },
  handler(ctx) {
    const accountNo = ownAccount(ctx);
    if (!accountNo) return invalidInput('ACNO');
    const from = parseYmd(param(ctx, 'INQR_STRT_DT'));
    if (from === undefined) return invalidInput('INQR_STRT_DT');
    const to = parseYmd(param(ctx, 'INQR_END_DT'));
    if (to === undefined) return invalidInput('INQR_END_DT');
    const bad = oneOf(ctx, 'SLL_BUY_DVSN_CD', ['00', '01', '02']) ?? oneOf(ctx, 'INQR_DVSN', ['00', '01']) ?? oneOf(ctx, 'CCLD_DVSN', ['00', '01', '02']);
    if (bad) return bad;
    const { exchange, market } = ctx.env;
    exchange.sweep(accountNo);
    const side = param(ctx, 'SLL_BUY_DVSN_CD');
    const ccld = param(ctx, 'CCLD_DVSN');
    const pdno = param(ctx, 'PDNO');
    const odno = param(ctx, 'ODNO');
    const selected = exchange.orders(accountNo).filter((o) => {
      const ymd = Number(o.ymd);
      if (o.venue !== 'KR' || ymd < from || ymd > to) return false;
      if (side === '01' && o.side !== 'sell') return false;
      if (side === '02' && o.side !== 'buy') return false;
      if (ccld === '01' && o.filledQty === 0) return false;
      if (ccld === '02' && (o.kind === 'cancel' || remainingQty(o) === 0)) return false;
      if (pdno && pdno !== o.code && pdno !== market.krSymbol(o.code)?.requestCode) return false;
      if (odno && Number(odno) !== Number(o.odno)) return false;
      return true;
    });
    // INQR_DVSN 00 = newest first (the default), 01 = oldest first.
    const ordered = param(ctx, 'INQR_DVSN') === '01' ? selected : [...selected].reverse();
    const page = paginate(ordered, (o) => o.odno, continuationKey(ctx), PAGE_SIZE.dailyCcld[ctx.env.flavor], `${accountNo.replace('-', '^')}^${from}^${to}`);
    const fills = exchange.ledger(accountNo)?.fills.filter((f) => f.venue === 'KR' && f.ymd >= from && f.ymd <= to && selected.some((o) => o.odno === f.odno)) ?? [];
    const buys = selected.filter((o) => o.side === 'buy');
    const buyQty = buys.reduce((s, o) => s + o.filledQty, 0);
    return {
      trCont: page.more ? 'M' : 'D',
      body: {
        ctx_area_fk100: page.fk100,
        ctx_area_nk100: page.nk100,
        output1: page.rows.map((o) => ccldRow(o, market.krSymbol(o.code)?.requestCode ?? o.code)),
        output2: {
          tot_ord_qty: int(selected.filter((o) => o.kind !== 'cancel').reduce((s, o) => s + o.qty, 0)),
          tot_ccld_qty: int(selected.reduce((s, o) => s + o.filledQty, 0)),
          tot_ccld_amt: int(selected.reduce((s, o) => s + o.filledAmount, 0)),
          prsm_tlex_smtl: int(fills.reduce((s, f) => s + f.fees, 0)),
          pchs_avg_pric: fixed(buyQty > 0 ? buys.reduce((s, o) => s + o.filledAmount, 0) / buyQty : 0, 4),
        },
        ...doneMsg(ctx),
      },
    };
  },
};

export const accountRoutes: readonly RouteDef[] = [balance, dailyCcld];
