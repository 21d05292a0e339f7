// inquire-time-itemchartprice (FHKST03010200, docs/data-sources.md §KIS minute chart): up to 30 one-minute bars
// whose minute starts at or before FID_INPUT_HOUR_1, newest first, read off the same minute path as the quotes
// and the WebSocket ticks (market/minute-bars.ts), so a gap-fill can be checked against the ticks exactly.
import { krMinuteBars } from '../market/minute-bars.js';
import { int, rate, signCode } from './format.js';
import { invalidInput, MARKET_DIV_CODES, QUOTE_OK } from './quote-helpers.js';
import { param, type RouteDef } from './types.js';

export const MINUTE_BARS_PER_CALL = 30;
const HMS = /^([01]\d|2[0-3])[0-5]\d[0-5]\d$/;

export const minuteChartRoute: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice',
  auth: 'token',
  trIds: { real: ['FHKST03010200'], paper: ['FHKST03010200'] },
  handler(ctx) {
    if (!MARKET_DIV_CODES.has(param(ctx, 'FID_COND_MRKT_DIV_CODE'))) return invalidInput('FID_COND_MRKT_DIV_CODE');
    const market = ctx.env.market;
    const sym = market.krSymbolForRequest(param(ctx, 'FID_INPUT_ISCD'));
    const q = sym && market.krQuote(sym.code, ctx.nowMs);
    if (!sym || !q) return invalidInput('FID_INPUT_ISCD');
    const hour = param(ctx, 'FID_INPUT_HOUR_1');
    if (!HMS.test(hour)) return invalidInput('FID_INPUT_HOUR_1');
    // A time in the future reads as now (portal note); bars only exist up to now anyway.
    const bars = krMinuteBars(market, sym.code, ctx.nowMs)
      .filter((b) => b.hhmmss <= hour)
      .slice(-MINUTE_BARS_PER_CALL)
      .reverse();
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
        },
        // ❓ what KIS sends when no bar exists yet (before 09:00) is unrecorded; an empty array is chosen.
        output2: bars.map((b) => ({
          stck_bsop_date: String(b.ymd),
          stck_cntg_hour: b.hhmmss,
          stck_prpr: int(b.price),
          stck_oprc: int(b.price),
          stck_hgpr: int(b.price),
          stck_lwpr: int(b.price),
          cntg_vol: int(b.volume),
          acml_tr_pbmn: int(b.accumulatedTurnover),
        })),
      },
    };
  },
};
