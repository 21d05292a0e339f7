// Market-data routes (fact sheet §4.1): domestic current price (FHKST01010100), period chart (FHKST03010100,
// ≤100 rows, newest first), investor trend (FHKST01010900) and overseas current price (HHDFS00000300). Field
// names and formats follow KIS recordings; quote tr_ids are the same on the real and paper servers.
import type { SimKrQuote } from '../contracts.js';
import { hash32, keyedUnit } from '../market/prng.js';
import type { DailyBar } from '../market/price-series.js';
import { parseYmd } from '../market/exchange-calendar.js';
import type { KrSymbol } from '../market/universe.js';
import { aggregateBars, chartRows } from './chart-bars.js';
import { fixed, int, rate, signCode } from './format.js';
import { fundamentals, invalidInput, MARKET_DIV_CODES, QUOTE_OK, thousands } from './quote-helpers.js';
import { param, type RestContext, type RouteDef } from './types.js';

const same = (id: string) => ({ real: [id], paper: [id] });
const MAX_CHART_ROWS = 100;
const INVESTOR_DAYS = 30;

function krTarget(ctx: RestContext): { sym: KrSymbol; quote: SimKrQuote } | { error: ReturnType<typeof invalidInput> } {
  if (!MARKET_DIV_CODES.has(param(ctx, 'FID_COND_MRKT_DIV_CODE'))) return { error: invalidInput('FID_COND_MRKT_DIV_CODE') };
  const sym = ctx.env.market.krSymbolForRequest(param(ctx, 'FID_INPUT_ISCD'));
  const quote = sym && ctx.env.market.krQuote(sym.code, ctx.nowMs);
  if (!sym || !quote) return { error: invalidInput('FID_INPUT_ISCD') };
  return { sym, quote };
}

/** What inquire-price derives from the series besides the live quote: ranges, the previous bar, fundamentals. */
function priceFacts(ctx: RestContext, sym: KrSymbol, q: SimKrQuote) {
  const market = ctx.env.market;
  const w52 = market.krWeek52(sym.code, ctx.nowMs);
  const st = market.krSession(ctx.nowMs);
  const yearStart = Math.floor(st.tradingYmd / 10000) * 10000 + 101;
  const year = market.krDailyBars(sym.code, yearStart, st.tradingYmd, ctx.nowMs);
  const yHigh = year.reduce((b, x) => (x.high > b.high ? x : b), year[0] ?? emptyBar(q.price));
  const yLow = year.reduce((b, x) => (x.low < b.low ? x : b), year[0] ?? emptyBar(q.price));
  const prev = st.dayIndex > 0 ? market.krSeries(sym).bar(st.dayIndex - 1) : undefined;
  const f = fundamentals(sym);
  const pivot = prev ? (prev.high + prev.low + prev.close) / 3 : q.prevClose;
  const capital = (sym.listedShares * f.parValue) / 1e8;
  return { market, w52, yHigh, yLow, prev, f, pivot, capital };
}
type PriceFacts = ReturnType<typeof priceFacts>;

/** inquire-price output, first half: status flags, the session's prices and volumes, limits and pivots. */
function sessionFields(sym: KrSymbol, q: SimKrQuote, { prev, f, pivot }: PriceFacts): Record<string, string> {
  return {
    iscd_stat_cls_code: '55',
    marg_rate: '20.00',
    rprs_mrkt_kor_name: sym.market === 'KOSPI' ? (sym.kind === 'stock' ? 'KOSPI200' : 'KOSPI') : 'KOSDAQ',
    // Some real listings omit bstp_kor_isnm entirely (PK issue #48); ETFs/ETNs do so here.
    ...(sym.kind === 'etf' || sym.kind === 'etn' ? {} : { bstp_kor_isnm: sym.sector }),
    temp_stop_yn: 'N',
    oprc_rang_cont_yn: 'N',
    clpr_rang_cont_yn: 'N',
    crdt_able_yn: sym.kind === 'stock' ? 'Y' : 'N',
    grmn_rate_cls_code: '40',
    elw_pblc_yn: sym.kind === 'stock' ? 'Y' : 'N',
    stck_prpr: int(q.price),
    prdy_vrss: int(q.price - q.prevClose),
    prdy_vrss_sign: signCode(q.price, q.prevClose, q.upperLimit, q.lowerLimit),
    prdy_ctrt: rate(q.price, q.prevClose),
    acml_tr_pbmn: int(q.turnover),
    acml_vol: int(q.volume),
    prdy_vrss_vol_rate: prev && prev.volume > 0 ? fixed((q.volume / prev.volume) * 100, 2) : '0.00',
    stck_oprc: int(q.open),
    stck_hgpr: int(q.high),
    stck_lwpr: int(q.low),
    stck_mxpr: int(q.upperLimit),
    stck_llam: int(q.lowerLimit),
    stck_sdpr: int(q.prevClose),
    wghn_avrg_stck_prc: fixed(q.volume > 0 ? q.turnover / q.volume : q.price, 2),
    hts_frgn_ehrt: fixed(f.foreignRatio, 2),
    frgn_ntby_qty: '0',
    pgtr_ntby_qty: '0',
    pvt_scnd_dmrs_prc: int(pivot + (prev ? prev.high - prev.low : 0)),
    pvt_frst_dmrs_prc: int(2 * pivot - (prev?.low ?? q.prevClose)),
    pvt_pont_val: int(pivot),
    pvt_frst_dmsp_prc: int(2 * pivot - (prev?.high ?? q.prevClose)),
    pvt_scnd_dmsp_prc: int(pivot - (prev ? prev.high - prev.low : 0)),
    dmrs_val: int(prev ? (prev.high + pivot) / 2 : q.prevClose),
    dmsp_val: int(prev ? (prev.low + pivot) / 2 : q.prevClose),
  };
}

/** inquire-price output, second half: listing facts, valuation ratios, 250-day / yearly / 52-week ranges. */
function listingFields(sym: KrSymbol, q: SimKrQuote, { market, w52, yHigh, yLow, f, capital }: PriceFacts): Record<string, string> {
  return {
    cpfn: int(capital),
    rstc_wdth_prc: int(q.upperLimit - q.prevClose),
    stck_fcam: int(f.parValue),
    stck_sspr: int(q.prevClose * 0.76),
    aspr_unit: int(q.tick),
    hts_deal_qty_unit_val: '1',
    lstn_stcn: int(sym.listedShares),
    hts_avls: int((q.price * sym.listedShares) / 1e8),
    per: fixed(f.per, 2),
    pbr: fixed(f.pbr, 2),
    stac_month: '12',
    vol_tnrt: fixed((q.volume / sym.listedShares) * 100, 2),
    eps: fixed(f.per > 0 ? q.price / f.per : 0, 2),
    bps: fixed(f.pbr > 0 ? q.price / f.pbr : 0, 2),
    d250_hgpr: int(w52?.high ?? q.high),
    d250_hgpr_date: String(w52?.highYmd ?? ''),
    d250_hgpr_vrss_prpr_rate: rate(q.price, w52?.high ?? q.price),
    d250_lwpr: int(w52?.low ?? q.low),
    d250_lwpr_date: String(w52?.lowYmd ?? ''),
    d250_lwpr_vrss_prpr_rate: rate(q.price, w52?.low ?? q.price),
    stck_dryy_hgpr: int(yHigh.high),
    dryy_hgpr_vrss_prpr_rate: rate(q.price, yHigh.high),
    dryy_hgpr_date: String(market.krCalendar.at(yHigh.dayIndex) ?? ''),
    stck_dryy_lwpr: int(yLow.low),
    dryy_lwpr_vrss_prpr_rate: rate(q.price, yLow.low),
    dryy_lwpr_date: String(market.krCalendar.at(yLow.dayIndex) ?? ''),
    w52_hgpr: int(w52?.high ?? q.high),
    w52_hgpr_vrss_prpr_ctrt: rate(q.price, w52?.high ?? q.price),
    w52_hgpr_date: String(w52?.highYmd ?? ''),
    w52_lwpr: int(w52?.low ?? q.low),
    w52_lwpr_vrss_prpr_ctrt: rate(q.price, w52?.low ?? q.price),
    w52_lwpr_date: String(w52?.lowYmd ?? ''),
    whol_loan_rmnd_rate: '0.00',
    ssts_yn: sym.kind === 'stock' ? 'Y' : 'N',
    stck_shrn_iscd: sym.code,
    fcam_cnnm: thousands(f.parValue),
    cpfn_cnnm: `${thousands(capital)} 억`,
    frgn_hldn_qty: int((sym.listedShares * f.foreignRatio) / 100),
    vi_cls_code: 'N',
    ovtm_vi_cls_code: 'N',
    last_ssts_cntg_qty: '0',
    invt_caful_yn: 'N',
    mrkt_warn_cls_code: '00',
    short_over_yn: 'N',
    sltr_yn: 'N',
  };
}

const inquirePrice: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/inquire-price',
  auth: 'token',
  trIds: same('FHKST01010100'),
  handler(ctx) {
    const t = krTarget(ctx);
    if ('error' in t) return t.error;
    const facts = priceFacts(ctx, t.sym, t.quote);
    return { body: { ...QUOTE_OK, output: { ...sessionFields(t.sym, t.quote, facts), ...listingFields(t.sym, t.quote, facts) } } };
  },
};

function emptyBar(price: number): DailyBar {
  return { dayIndex: -1, open: price, high: price, low: price, close: price, prevClose: price, volume: 0, turnover: 0 };
}

const dailyChart: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice',
  auth: 'token',
  trIds: same('FHKST03010100'),
  handler(ctx) {
    const t = krTarget(ctx);
    if ('error' in t) return t.error;
    const from = parseYmd(param(ctx, 'FID_INPUT_DATE_1'));
    if (from === undefined) return invalidInput('FID_INPUT_DATE_1');
    const to = parseYmd(param(ctx, 'FID_INPUT_DATE_2'));
    if (to === undefined) return invalidInput('FID_INPUT_DATE_2');
    const period = param(ctx, 'FID_PERIOD_DIV_CODE');
    if (!['D', 'W', 'M', 'Y'].includes(period)) return invalidInput('FID_PERIOD_DIV_CODE');
    if (!['0', '1'].includes(param(ctx, 'FID_ORG_ADJ_PRC'))) return invalidInput('FID_ORG_ADJ_PRC');
    const { sym, quote: q } = t;
    const market = ctx.env.market;
    const daily = from <= to ? market.krDailyBars(sym.code, from, to, ctx.nowMs) : [];
    const bars = aggregateBars(daily, period as 'D' | 'W' | 'M' | 'Y', (i) => market.krCalendar.at(i) ?? 0).slice(-MAX_CHART_ROWS).reverse();
    const dayIndex = market.krSession(ctx.nowMs).dayIndex;
    const prev = dayIndex > 0 ? market.krSeries(sym).bar(dayIndex - 1) : undefined;
    const f = fundamentals(sym);
    return {
      body: {
        ...QUOTE_OK,
        output1: {
          prdy_vrss: int(q.price - q.prevClose),
          prdy_vrss_sign: signCode(q.price, q.prevClose, q.upperLimit, q.lowerLimit),
          prdy_ctrt: rate(q.price, q.prevClose),
          stck_prdy_clpr: int(q.prevClose),
          acml_vol: int(q.volume),
          acml_tr_pbmn: int(q.turnover),
          hts_kor_isnm: sym.name,
          stck_prpr: int(q.price),
          stck_shrn_iscd: sym.code,
          prdy_vol: int(prev?.volume ?? 0),
          stck_mxpr: int(q.upperLimit),
          stck_llam: int(q.lowerLimit),
          stck_oprc: int(q.open),
          stck_hgpr: int(q.high),
          stck_lwpr: int(q.low),
          stck_prdy_oprc: int(prev?.open ?? 0),
          stck_prdy_hgpr: int(prev?.high ?? 0),
          stck_prdy_lwpr: int(prev?.low ?? 0),
          askp: int(q.askPrice1),
          bidp: int(q.bidPrice1),
          prdy_vrss_vol: int(q.volume - (prev?.volume ?? 0)),
          vol_tnrt: fixed((q.volume / sym.listedShares) * 100, 2),
          stck_fcam: int(f.parValue),
          lstn_stcn: int(sym.listedShares),
          cpfn: int((sym.listedShares * f.parValue) / 1e8),
          hts_avls: int((q.price * sym.listedShares) / 1e8),
          per: fixed(f.per, 2),
          eps: fixed(f.per > 0 ? q.price / f.per : 0, 2),
          pbr: fixed(f.pbr, 2),
          itewhol_loan_rmnd_ratem: '0.00',
        },
        output2: chartRows(bars),
      },
    };
  },
};

const investor: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/inquire-investor',
  auth: 'token',
  trIds: same('FHKST01010900'),
  handler(ctx) {
    const t = krTarget(ctx);
    if ('error' in t) return t.error;
    const market = ctx.env.market;
    const st = market.krSession(ctx.nowMs);
    // Today's row appears only once the day is complete (after 15:30 KST).
    const lastIdx = st.phase === 'closed' || st.phase === 'holiday' ? st.dayIndex : st.dayIndex - 1;
    const series = market.krSeries(t.sym);
    const key = hash32(`inv:${t.sym.code}`);
    const rows = [];
    for (let i = lastIdx; i > lastIdx - INVESTOR_DAYS && i >= 0; i--) {
      const bar = series.bar(i);
      const share = (k: number, lo: number, span: number) => lo + span * keyedUnit(market.seed, key, i, k);
      const v = bar.volume;
      const avg = v > 0 ? bar.turnover / v : bar.close;
      const frgnBuy = Math.round(v * share(1, 0.1, 0.25));
      const frgnSell = Math.round(v * share(2, 0.1, 0.25));
      const orgnBuy = Math.round(v * share(3, 0.05, 0.2));
      const orgnSell = Math.round(v * share(4, 0.05, 0.2));
      const flows = { prsn: [v - frgnBuy - orgnBuy, v - frgnSell - orgnSell], frgn: [frgnBuy, frgnSell], orgn: [orgnBuy, orgnSell] } as const;
      const row: Record<string, string> = {
        stck_bsop_date: String(market.krCalendar.at(i) ?? ''),
        stck_clpr: int(bar.close),
        prdy_vrss: int(bar.close - bar.prevClose),
        prdy_vrss_sign: signCode(bar.close, bar.prevClose),
      };
      // Amounts in millions of KRW (백만원), as KIS reports investor turnover.
      for (const [who, [buy, sell]] of Object.entries(flows)) {
        row[`${who}_ntby_qty`] = int(buy - sell);
        row[`${who}_ntby_tr_pbmn`] = int(((buy - sell) * avg) / 1e6);
        row[`${who}_shnu_vol`] = int(buy);
        row[`${who}_seln_vol`] = int(sell);
        row[`${who}_shnu_tr_pbmn`] = int((buy * avg) / 1e6);
        row[`${who}_seln_tr_pbmn`] = int((sell * avg) / 1e6);
      }
      rows.push(row);
    }
    return { body: { ...QUOTE_OK, output: rows } };
  },
};

const US_EXCD: Record<string, 'NAS' | 'NYS' | 'AMS'> = { NAS: 'NAS', NYS: 'NYS', AMS: 'AMS', BAQ: 'NAS', BAY: 'NYS', BAA: 'AMS' };

const overseasPrice: RouteDef = {
  method: 'GET',
  path: '/uapi/overseas-price/v1/quotations/price',
  auth: 'token',
  trIds: same('HHDFS00000300'),
  handler(ctx) {
    const excd = param(ctx, 'EXCD');
    const symb = param(ctx, 'SYMB');
    const sym = ctx.env.market.usSymbol(symb);
    const q = sym && US_EXCD[excd] === sym.exchange ? ctx.env.market.usQuote(sym.symbol, ctx.nowMs) : undefined;
    if (!q || !sym) {
      // KIS answers an unknown symbol/exchange pair with rt_cd 0 and empty fields (a known 3P complaint).
      const empty = Object.fromEntries(['rsym', 'zdiv', 'base', 'pvol', 'last', 'sign', 'diff', 'rate', 'tvol', 'tamt', 'ordy'].map((k) => [k, '']));
      return { body: { ...QUOTE_OK, output: empty } };
    }
    const account = ctx.app?.accountNo ?? '';
    const held = ctx.env.exchange.ledger(account)?.holding('US', sym.symbol)?.qty ?? 0;
    const diff = q.price - q.prevClose;
    const pct = q.prevClose > 0 ? (diff / q.prevClose) * 100 : 0;
    const prevVolume = ctx.env.market.usPrevDayVolume(sym.symbol, ctx.nowMs);
    return {
      body: {
        ...QUOTE_OK,
        output: {
          rsym: `D${excd}${sym.symbol}`,
          zdiv: '4',
          base: fixed(q.prevClose, 4),
          pvol: int(prevVolume),
          last: fixed(q.price, 4),
          sign: signCode(q.price, q.prevClose),
          diff: fixed(Math.abs(diff), 4),
          // Recorded replies carry an explicit sign or a space: "+1.44", "-0.52", " 0.00".
          rate: `${pct > 0 ? '+' : pct < 0 ? '-' : ' '}${fixed(Math.abs(pct), 2)}`,
          tvol: int(q.volume),
          tamt: int(q.turnover),
          ordy: held > 0 ? '매도가능' : '매도불가',
        },
      },
    };
  },
};

export const quoteRoutes: readonly RouteDef[] = [inquirePrice, dailyChart, investor, overseasPrice];
