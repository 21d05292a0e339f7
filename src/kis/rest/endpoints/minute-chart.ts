// Today's one-minute bars (inquire-time-itemchartprice FHKST03010200): one call returns at most 30 bars ending
// at FID_INPUT_HOUR_1, newest first, so a time range is covered by paging backwards — the next call asks for
// the minute before the oldest bar received. Only the current trading day exists (KIS gives no earlier days).
import { parseDomesticCode } from '../../symbols/domestic.js';
import { KisMalformedReplyError } from '../errors.js';
import { KIS_PATHS } from '../paths.js';
import { resolveTrId } from '../tr-ids.js';
import { hasMinuteRows, parseMinuteChart, type MinuteBar, type MinuteChart } from '../wire/minute-chart.js';
import { reportIssues, type EndpointContext } from './context.js';
import type { QuoteCallOptions } from './quotes.js';

/** KIS's cap on bars per call (official sample docstring: "한 번의 호출에 최대 30건"). */
export const MINUTE_BARS_PER_CALL = 30;

const HMS = /^([01]\d|2[0-3])[0-5]\d[0-5]\d$/;

export function assertHms(v: string, name: string): void {
  if (!HMS.test(v)) throw new RangeError(`${name} must be HHMMSS (000000–235959), got ${JSON.stringify(v)}`);
}

/**
 * One call: up to 30 bars whose minute starts at or before `hhmmss` (a time in the future reads as now).
 * Throws KisMalformedReplyError when the reply has no output2 array (an empty array is "no bars yet").
 */
export async function inquireTimeItemChart(ctx: EndpointContext, code: string, hhmmss: string, o: QuoteCallOptions = {}): Promise<MinuteChart> {
  const sym = parseDomesticCode(code);
  assertHms(hhmmss, 'hhmmss');
  const trId = resolveTrId('domesticMinuteChart', ctx.client.mode);
  const res = await ctx.client.request(
    {
      method: 'GET',
      path: KIS_PATHS.inquireTimeItemChart,
      trId,
      priority: o.priority,
      // FID_PW_DATA_INCU_YN only acts on sector (U) charts per the portal; the samples send Y.
      params: { FID_ETC_CLS_CODE: '', FID_COND_MRKT_DIV_CODE: o.market ?? 'J', FID_INPUT_ISCD: sym.apiCode, FID_INPUT_HOUR_1: hhmmss, FID_PW_DATA_INCU_YN: 'Y' },
    },
    o.signal,
  );
  if (!hasMinuteRows(res.body)) throw new KisMalformedReplyError(trId, 'output2 (the bars) missing from a success reply');
  return reportIssues(ctx, trId, parseMinuteChart(res.body));
}

export interface FetchMinuteBarsOptions extends QuoteCallOptions {
  /** Keep only bars of this trading day (YYYYMMDD); default: the day of the newest bar returned. */
  date?: string;
  /** Upper bound on calls, default 14 (a full 390-minute session is 13 calls). */
  maxCalls?: number;
}

function minuteBefore(hhmmss: string): string | undefined {
  const minutes = Number(hhmmss.slice(0, 2)) * 60 + Number(hhmmss.slice(2, 4)) - 1;
  if (minutes < 0) return undefined;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}00`;
}

/**
 * Every bar whose minute starts within [fromHhmmss, toHhmmss] on today's session, oldest first, one per
 * minute. Stops early when a page is short (the session's first bar was reached) or makes no progress.
 */
export async function fetchMinuteBars(ctx: EndpointContext, code: string, fromHhmmss: string, toHhmmss: string, o: FetchMinuteBarsOptions = {}): Promise<MinuteBar[]> {
  assertHms(fromHhmmss, 'fromHhmmss');
  assertHms(toHhmmss, 'toHhmmss');
  const byTime = new Map<string, MinuteBar>();
  let day = o.date;
  let cursor: string | undefined = toHhmmss;
  const maxCalls = o.maxCalls ?? 14;
  for (let call = 0; call < maxCalls && cursor !== undefined && cursor >= fromHhmmss; call++) {
    const chart = await inquireTimeItemChart(ctx, code, cursor, o);
    day ??= chart.bars[0]?.date;
    let oldest: string | undefined;
    for (const bar of chart.bars) {
      if (bar.date !== day) continue;
      if (oldest === undefined || bar.time < oldest) oldest = bar.time;
      if (bar.time >= fromHhmmss && bar.time <= toHhmmss) byTime.set(bar.time, bar);
    }
    if (oldest === undefined || chart.bars.length < MINUTE_BARS_PER_CALL || oldest <= fromHhmmss) break;
    const next = minuteBefore(oldest);
    if (next === undefined || next >= cursor) break; // no progress: never loop on the same window
    cursor = next;
  }
  return [...byTime.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
