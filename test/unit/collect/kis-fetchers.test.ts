import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { createKisDailyBarsFetcher, createKisInvestorFlowsFetcher, createKisOverseasQuotesFetcher, createKisQuotesFetcher, classifyFetchError, type KisMarketDataPort } from '../../../src/collect/index.js';

class FakeKisApi implements KisMarketDataPort {
  calls: string[] = [];
  async fetchDailyBars(code: string, fromYmd: string, toYmd: string, o?: { priority?: string }) {
    this.calls.push(`bars ${code} ${fromYmd}-${toYmd} ${o?.priority}`);
    if (code === '999999') return [];
    return [{ date: fromYmd, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, turnover: null }];
  }
  async inquireInvestor(code: string) {
    this.calls.push(`investor ${code}`);
    return [
      { date: '20261123', individualNetQty: null, foreignNetQty: null, institutionNetQty: null, individualNetAmount: null, foreignNetAmount: null, institutionNetAmount: null },
      { date: '20261120', individualNetQty: -3, foreignNetQty: 2, institutionNetQty: 1, individualNetAmount: -300, foreignNetAmount: 200, institutionNetAmount: 100 },
    ];
  }
  async inquirePrice() {
    return { price: 70_000, change: 500, changeRatePct: 0.72, open: 69_500, high: 70_100, low: 69_400, volume: 1234, turnover: 86_000_000 };
  }
  async overseasPrice(excd: string, symb: string) {
    this.calls.push(`overseas ${excd} ${symb}`);
    return { last: 190.5, change: 1.5, changeRatePct: 0.8, volume: 100, turnover: null };
  }
}

describe('KIS collection fetchers (fake REST port)', () => {
  it('daily bars: defaults to the week up to yesterday (KST) at bulk priority; an empty range is not-found', async () => {
    const clock = createFakeClock('2026-11-23 08:00:00');
    const api = new FakeKisApi();
    const f = createKisDailyBarsFetcher({ api, clock });
    const res = await f.fetch({ targetCodes: ['005930', '999999'] });
    expect(api.calls).toEqual(['bars 005930 20261116-20261122 bulk', 'bars 999999 20261116-20261122 bulk']);
    expect(res.ok).toEqual([{ symbol: '005930', date: '20261116', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, turnover: null }]);
    expect(classifyFetchError(res.failed[0]?.error).kind).toBe('not-found');
    await f.fetch({ targetCodes: ['005930'], params: { fromYmd: '20261101', toYmd: '20261120' } });
    expect(api.calls.at(-1)).toBe('bars 005930 20261101-20261120 bulk');
  });

  it('investor flows: drops the blank pre-close row', async () => {
    const f = createKisInvestorFlowsFetcher({ api: new FakeKisApi(), clock: createFakeClock() });
    const res = await f.fetch({ targetCodes: ['005930'] });
    expect(res.ok).toEqual([{ symbol: '005930', date: '20261120', personNetQty: -3, personNetAmount: -300, foreignNetQty: 2, foreignNetAmount: 200, institutionNetQty: 1, institutionNetAmount: 100 }]);
    const today = await f.fetch({ targetCodes: ['005930'], params: { date: '20261123' } });
    expect(classifyFetchError(today.failed[0]?.error).kind).toBe('not-found');
  });

  it('quotes: domestic as market KR, overseas from EXCD:SYMB, stamped with the clock', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const api = new FakeKisApi();
    const kr = await createKisQuotesFetcher({ api, clock }).fetch({ targetCodes: ['005930'] });
    expect(kr.ok[0]).toMatchObject({ market: 'KR', symbol: '005930', price: 70_000, asOfMs: clock.nowMs() });
    const us = await createKisOverseasQuotesFetcher({ api, clock }).fetch({ targetCodes: ['NAS:AAPL', 'AAPL'] });
    expect(us.ok).toEqual([expect.objectContaining({ market: 'NAS', symbol: 'AAPL', price: 190.5 })]);
    expect(classifyFetchError(us.failed[0]?.error).kind).toBe('invalid-input');
  });
});
