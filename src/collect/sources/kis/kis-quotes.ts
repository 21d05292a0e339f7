// Quote fetchers: domestic inquire-price (FHKST01010100) → market 'KR'; overseas price (HHDFS00000300)
// for codes written "EXCD:SYMB" (e.g. "NAS:AAPL") → market = EXCD. as_of is the clock's time of the reply.
import type { QuoteRow } from '../../../store/quotes-repo.js';
import { createBaseFetcher } from '../../base-fetcher.js';
import type { Fetcher } from '../../fetcher.js';
import type { KisFetcherOptions } from './kis-daily-bars.js';

export function createKisQuotesFetcher(opts: KisFetcherOptions): Fetcher<QuoteRow> {
  return createBaseFetcher<QuoteRow>({
    name: 'kis-quotes',
    clock: opts.clock,
    logger: opts.logger,
    retry: opts.retry,
    renewToken: opts.renewToken,
    async fetchOne(code, ctx) {
      const q = await opts.api.inquirePrice(code, { signal: ctx.signal, priority: 'bulk' });
      return [{ market: 'KR', symbol: code, price: q.price, change: q.change, changeRate: q.changeRatePct, open: q.open, high: q.high, low: q.low, volume: q.volume, turnover: q.turnover, asOfMs: opts.clock.nowMs() }];
    },
  });
}

export function createKisOverseasQuotesFetcher(opts: KisFetcherOptions): Fetcher<QuoteRow> {
  return createBaseFetcher<QuoteRow>({
    name: 'kis-overseas-quotes',
    clock: opts.clock,
    logger: opts.logger,
    retry: opts.retry,
    renewToken: opts.renewToken,
    async fetchOne(code, ctx) {
      const [excd, symb] = code.split(':');
      if (!excd || !symb) throw Object.assign(new Error(`overseas code must look like EXCD:SYMB, got ${JSON.stringify(code)}`), { code: 'KISD_INVALID_CODE' });
      const q = await opts.api.overseasPrice(excd, symb, { signal: ctx.signal, priority: 'bulk' });
      return [{ market: excd, symbol: symb, price: q.last, change: q.change, changeRate: q.changeRatePct, volume: q.volume, turnover: q.turnover, asOfMs: opts.clock.nowMs() }];
    },
  });
}
