// Daily bars over any range: inquire-daily-itemchartprice returns at most 100 rows per call, newest
// first, so page backwards by moving the end date to the day before the oldest bar received.
import { DateTime } from 'luxon';
import { KST_ZONE } from '../../../core/kst.js';
import type { DailyBar } from '../wire/domestic-quotes.js';
import type { EndpointContext } from './context.js';
import { assertYmd, inquireDailyItemChart, type QuoteCallOptions } from './quotes.js';

/** KIS's row cap per chart call. A shorter page means the range is exhausted. */
export const CHART_ROWS_PER_CALL = 100;

export interface FetchDailyBarsOptions extends QuoteCallOptions {
  /** Default true (FID_ORG_ADJ_PRC 0). */
  adjusted?: boolean;
  /** Upper bound on calls, default 200 (20,000 trading days). */
  maxCalls?: number;
}

function dayBefore(ymd: string): string {
  return DateTime.fromFormat(ymd, 'yyyyMMdd', { zone: KST_ZONE }).minus({ days: 1 }).toFormat('yyyyMMdd');
}

/** All daily bars with fromYmd ≤ date ≤ toYmd, oldest first, one per date. */
export async function fetchDailyBars(ctx: EndpointContext, code: string, fromYmd: string, toYmd: string, o: FetchDailyBarsOptions = {}): Promise<DailyBar[]> {
  assertYmd(fromYmd, 'fromYmd');
  assertYmd(toYmd, 'toYmd');
  const byDate = new Map<string, DailyBar>();
  const maxCalls = o.maxCalls ?? 200;
  let end = toYmd;
  for (let call = 0; call < maxCalls && end >= fromYmd; call++) {
    const chart = await inquireDailyItemChart(ctx, code, fromYmd, end, 'D', o.adjusted ?? true, o);
    let oldest: string | undefined;
    for (const bar of chart.bars) {
      if (bar.date < fromYmd || bar.date > toYmd) continue;
      byDate.set(bar.date, bar);
      if (oldest === undefined || bar.date < oldest) oldest = bar.date;
    }
    if (oldest === undefined || chart.bars.length < CHART_ROWS_PER_CALL || oldest <= fromYmd) break;
    const next = dayBefore(oldest);
    if (next >= end) break; // no progress: never loop on the same window
    end = next;
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
