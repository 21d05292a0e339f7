// The KIS research endpoints (docs/data-sources.md): news-title FHKST01011800 (headlines at or before a cursor,
// 40 a page ❓), invest-opinion FHKST663300C0 (brokerage reports in a date range, one page) and estimate-perform
// HHKST668300C0 (the weekly consensus), all deterministic per symbol and date (market/news-feed.ts,
// market/analyst-data.ts) and visible only once their time has passed on the simulator clock.
import { kstHms, kstMinuteOfDay, kstYmd } from '../../core/kst.js';
import { estimateAsOf, opinionsBetween } from '../market/analyst-data.js';
import { headlinesBefore, marketArticles, symbolArticles } from '../market/news-feed.js';
import type { SyntheticMarket } from '../market/synthetic-market.js';
import { parseYmd } from '../market/trading-calendar.js';
import { fixed, int } from './format.js';
import { invalidInput, QUOTE_OK } from './quote-helpers.js';
import { param, type RouteDef } from './types.js';

export const NEWS_ROWS_PER_CALL = 40;
const same = (id: string) => ({ real: [id], paper: [id] });
/** Brokerage reports are out before the open: a day's reports are visible from 07:30 KST. */
const REPORTS_VISIBLE_FROM_MINUTE = 7 * 60 + 30;

const indexCache = new WeakMap<SyntheticMarket, Map<string, number>>();
function universeIndex(market: SyntheticMarket, code: string): number {
  let m = indexCache.get(market);
  if (!m) {
    m = new Map(market.universe.kr.map((s, i) => [s.code, i]));
    indexCache.set(market, m);
  }
  return m.get(code) ?? -1;
}

/** "00YYYYMMDD" (the portal's sample form) or "YYYYMMDD"; '' when blank; undefined when malformed. */
function dateParam(v: string): string | undefined {
  const t = v.length === 10 && v.startsWith('00') ? v.slice(2) : v;
  if (t === '') return '';
  return parseYmd(t) === undefined ? undefined : t;
}

function hourParam(v: string): string | undefined {
  const t = v.length === 10 && v.startsWith('0000') ? v.slice(4) : v;
  if (t === '') return '';
  return /^([01]\d|2[0-3])[0-5]\d[0-5]\d$/.test(t) ? t : undefined;
}

const newsTitle: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/news-title',
  auth: 'token',
  trIds: same('FHKST01011800'),
  handler(ctx) {
    const market = ctx.env.market;
    const date = dateParam(param(ctx, 'FID_INPUT_DATE_1'));
    if (date === undefined) return invalidInput('FID_INPUT_DATE_1');
    const hour = hourParam(param(ctx, 'FID_INPUT_HOUR_1'));
    if (hour === undefined) return invalidInput('FID_INPUT_HOUR_1');
    const now = `${kstYmd(ctx.nowMs)}${kstHms(ctx.nowMs)}`;
    const asked = date === '' ? now : `${date}${hour === '' ? '235959' : hour}`;
    const cursor = asked < now ? asked : now; // nothing from the future
    const code = param(ctx, 'FID_INPUT_ISCD').trim();
    const sym = code === '' ? undefined : market.krSymbol(code);
    // An unknown code simply matches no headline (the field is a filter).
    const days = code === '' ? marketArticles : sym ? (ymd: string) => symbolArticles(sym, universeIndex(market, sym.code), ymd) : () => [];
    const rows = headlinesBefore(days, cursor, NEWS_ROWS_PER_CALL).map((a) => ({
      cntt_usiq_srno: a.id,
      news_ofer_entp_code: a.providerCode,
      data_dt: a.ymd,
      data_tm: a.hms,
      hts_pbnt_titl_cntt: a.title,
      news_lrdv_code: a.categoryCode,
      dorg: a.source,
      iscd1: a.codes[0] ?? '',
      iscd2: a.codes[1] ?? '',
      iscd3: '',
      iscd4: '',
      iscd5: '',
    }));
    return { body: { ...QUOTE_OK, output: rows } };
  },
};

const investOpinion: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/invest-opinion',
  auth: 'token',
  trIds: same('FHKST663300C0'),
  handler(ctx) {
    if (param(ctx, 'FID_COND_MRKT_DIV_CODE') !== 'J') return invalidInput('FID_COND_MRKT_DIV_CODE');
    if (param(ctx, 'FID_COND_SCR_DIV_CODE') !== '16633') return invalidInput('FID_COND_SCR_DIV_CODE');
    const sym = ctx.env.market.krSymbol(param(ctx, 'FID_INPUT_ISCD'));
    if (!sym) return invalidInput('FID_INPUT_ISCD');
    const from = dateParam(param(ctx, 'FID_INPUT_DATE_1'));
    if (!from) return invalidInput('FID_INPUT_DATE_1');
    const to = dateParam(param(ctx, 'FID_INPUT_DATE_2'));
    if (!to) return invalidInput('FID_INPUT_DATE_2');
    const today = Number(kstYmd(ctx.nowMs));
    const visibleThrough = kstMinuteOfDay(ctx.nowMs) >= REPORTS_VISIBLE_FROM_MINUTE ? today : today - 1;
    const rows = opinionsBetween(ctx.env.market, sym, Number(from), Number(to), visibleThrough).map((o) => {
      const gap = o.targetPrice - o.prevClose;
      return {
        stck_bsop_date: String(o.ymd),
        invt_opnn: o.opinion,
        invt_opnn_cls_code: o.opinionCode,
        rgbf_invt_opnn: o.previousOpinion,
        rgbf_invt_opnn_cls_code: o.previousOpinionCode,
        mbcr_name: o.broker,
        hts_goal_prc: int(o.targetPrice),
        stck_prdy_clpr: int(o.prevClose),
        stck_nday_esdg: int(gap),
        nday_dprt: fixed(o.prevClose > 0 ? (gap / o.prevClose) * 100 : 0, 2),
        stft_esdg: '0',
        dprt: fixed(o.prevClose > 0 ? (gap / o.prevClose) * 100 : 0, 2),
      };
    });
    return { body: { ...QUOTE_OK, output: rows } };
  },
};

const estimatePerform: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/estimate-perform',
  auth: 'token',
  trIds: same('HHKST668300C0'),
  handler(ctx) {
    const market = ctx.env.market;
    const sym = market.krSymbol(param(ctx, 'SHT_CD'));
    const q = sym && market.krQuote(sym.code, ctx.nowMs);
    if (!sym || !q) return invalidInput('SHT_CD');
    const est = estimateAsOf(market, sym, Number(kstYmd(ctx.nowMs)), q.prevClose);
    if (!est) {
      // No coverage: the blocks come back empty (❓ KIS's exact shape for an uncovered code is unrecorded).
      return { body: { ...QUOTE_OK, output1: { sht_cd: sym.code, item_kor_nm: sym.name, name1: '', name2: '', estdate: '', rcmd_name: '', capital: '', forn_item_lmtrt: '' }, output2: [], output3: [], output4: [] } };
    }
    const row = (values: number[]): Record<string, string> => Object.fromEntries(values.map((v, i) => [`data${i + 1}`, fixed(v, 1)]));
    return {
      body: {
        ...QUOTE_OK,
        output1: { sht_cd: sym.code, item_kor_nm: sym.name, name1: est.analyst, name2: '', estdate: String(est.estimateYmd), rcmd_name: est.recommendation, capital: fixed(est.capital, 1), forn_item_lmtrt: '100.00' },
        output2: est.income.map(row),
        output3: est.indicators.map(row),
        output4: est.periods.map((dt) => ({ dt })),
      },
    };
  },
};

export const researchRoutes: readonly RouteDef[] = [newsTitle, investOpinion, estimatePerform];
