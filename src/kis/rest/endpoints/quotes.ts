// Quote endpoints (fact sheet §4.1): domestic price, daily chart, investor trend; US price.
import { parseDomesticCode } from '../../symbols/domestic.js';
import { parseOverseasSymbol } from '../../symbols/overseas.js';
import { KIS_PATHS } from '../paths.js';
import { resolveTrId } from '../tr-ids.js';
import { parseDailyChart, parseInquirePrice, parseInvestor, type DailyChart, type DomesticQuote, type InvestorDay } from '../wire/domestic-quotes.js';
import { parseOverseasPrice, type OverseasQuote } from '../wire/overseas-quotes.js';
import { reportIssues, requireOutputKey, requireValue, type EndpointContext } from './context.js';
import type { RatePriority } from '../../../net/rate-limiter.js';

export interface QuoteCallOptions {
  /** FID_COND_MRKT_DIV_CODE: J (KRX, default), NX (NXT), UN (combined). */
  market?: 'J' | 'NX' | 'UN';
  priority?: RatePriority;
  signal?: AbortSignal;
}

/** Current price of a domestic code (ETN codes get the Q prefix). Throws SymbolError, KisApiError, KisMalformedReplyError. */
export async function inquirePrice(ctx: EndpointContext, code: string, o: QuoteCallOptions = {}): Promise<DomesticQuote> {
  const sym = parseDomesticCode(code);
  const trId = resolveTrId('domesticPrice', ctx.client.mode);
  const res = await ctx.client.request(
    { method: 'GET', path: KIS_PATHS.inquirePrice, trId, priority: o.priority, params: { FID_COND_MRKT_DIV_CODE: o.market ?? 'J', FID_INPUT_ISCD: sym.apiCode } },
    o.signal,
  );
  return requireValue(ctx, trId, parseInquirePrice(res.body));
}

export type ChartPeriod = 'D' | 'W' | 'M' | 'Y';

/** One call: at most 100 bars between fromYmd and toYmd (YYYYMMDD), newest first. */
export async function inquireDailyItemChart(
  ctx: EndpointContext,
  code: string,
  fromYmd: string,
  toYmd: string,
  period: ChartPeriod = 'D',
  adjusted = true,
  o: QuoteCallOptions = {},
): Promise<DailyChart> {
  const sym = parseDomesticCode(code);
  assertYmd(fromYmd, 'fromYmd');
  assertYmd(toYmd, 'toYmd');
  const trId = resolveTrId('domesticDailyChart', ctx.client.mode);
  const res = await ctx.client.request(
    {
      method: 'GET',
      path: KIS_PATHS.inquireDailyItemChart,
      trId,
      priority: o.priority,
      params: {
        FID_COND_MRKT_DIV_CODE: o.market ?? 'J',
        FID_INPUT_ISCD: sym.apiCode,
        FID_INPUT_DATE_1: fromYmd,
        FID_INPUT_DATE_2: toYmd,
        FID_PERIOD_DIV_CODE: period,
        FID_ORG_ADJ_PRC: adjusted ? '0' : '1',
      },
    },
    o.signal,
  );
  requireOutputKey(ctx, trId, res.body, 'output2');
  return reportIssues(ctx, trId, parseDailyChart(res.body));
}

/** Daily investor flows (individual / foreign / institution), newest first. */
export async function inquireInvestor(ctx: EndpointContext, code: string, o: QuoteCallOptions = {}): Promise<InvestorDay[]> {
  const sym = parseDomesticCode(code);
  const trId = resolveTrId('domesticInvestor', ctx.client.mode);
  const res = await ctx.client.request(
    { method: 'GET', path: KIS_PATHS.inquireInvestor, trId, priority: o.priority, params: { FID_COND_MRKT_DIV_CODE: o.market ?? 'J', FID_INPUT_ISCD: sym.apiCode } },
    o.signal,
  );
  requireOutputKey(ctx, trId, res.body, 'output');
  return reportIssues(ctx, trId, parseInvestor(res.body));
}

/** US current price; `excd` NAS/NYS/AMS (NASD/NYSE/AMEX accepted). */
export async function overseasPrice(ctx: EndpointContext, excd: string, symb: string, o: Omit<QuoteCallOptions, 'market'> = {}): Promise<OverseasQuote> {
  const sym = parseOverseasSymbol(symb, excd);
  const trId = resolveTrId('overseasPrice', ctx.client.mode);
  const res = await ctx.client.request(
    { method: 'GET', path: KIS_PATHS.overseasPrice, trId, priority: o.priority, params: { AUTH: '', EXCD: sym.exchange, SYMB: sym.symbol } },
    o.signal,
  );
  return requireValue(ctx, trId, parseOverseasPrice(res.body));
}

export function assertYmd(v: string, name: string): void {
  if (!/^\d{8}$/.test(v)) throw new RangeError(`${name} must be YYYYMMDD, got ${JSON.stringify(v)}`);
}
