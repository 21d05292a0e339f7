// Daily bars fetcher on KIS inquire-daily-itemchartprice (FHKST03010100, paged by fetchDailyBars):
// one symbol → its bars between params.fromYmd and params.toYmd (default: the 7 days up to yesterday,
// KST, so weekends and holidays never leave the window empty; re-storing a known bar is an idempotent upsert).
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import { kstYmd } from '../../../core/kst.js';
import type { DailyBarRow } from '../../../store/daily-bars-repo.js';
import { createBaseFetcher, type FetchRetryOptions } from '../../base-fetcher.js';
import { NotFoundError } from '../../fetch-errors.js';
import type { Fetcher } from '../../fetcher.js';
import type { KisMarketDataPort } from './kis-ports.js';

export interface KisFetcherOptions {
  api: Pick<KisMarketDataPort, 'fetchDailyBars' | 'inquireInvestor' | 'inquirePrice' | 'overseasPrice'> | KisMarketDataPort;
  clock: Clock;
  logger?: Logger;
  retry?: Partial<FetchRetryOptions>;
  renewToken?: () => Promise<void>;
}

const YMD = /^\d{8}$/;

function rangeFrom(params: Readonly<Record<string, unknown>> | undefined, nowMs: number): { fromYmd: string; toYmd: string } {
  const yesterday = kstYmd(nowMs - 86_400_000);
  const weekAgo = kstYmd(nowMs - 7 * 86_400_000);
  const from = typeof params?.['fromYmd'] === 'string' && YMD.test(params['fromYmd']) ? params['fromYmd'] : weekAgo;
  const to = typeof params?.['toYmd'] === 'string' && YMD.test(params['toYmd']) ? params['toYmd'] : from > yesterday ? from : yesterday;
  return { fromYmd: from, toYmd: to };
}

/** Fetcher 'kis-daily-bars'. A symbol with no bar in the range is NotFound (skipped, not queued). */
export function createKisDailyBarsFetcher(opts: KisFetcherOptions): Fetcher<DailyBarRow> {
  return createBaseFetcher<DailyBarRow>({
    name: 'kis-daily-bars',
    clock: opts.clock,
    logger: opts.logger,
    retry: opts.retry,
    renewToken: opts.renewToken,
    async fetchOne(code, ctx) {
      const { fromYmd, toYmd } = rangeFrom(ctx.params, opts.clock.nowMs());
      const bars = await opts.api.fetchDailyBars(code, fromYmd, toYmd, { signal: ctx.signal, priority: 'bulk' });
      if (bars.length === 0) throw new NotFoundError(`no daily bars for ${code} between ${fromYmd} and ${toYmd}`);
      return bars.map((b) => ({ symbol: code, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, turnover: b.turnover }));
    },
  });
}
