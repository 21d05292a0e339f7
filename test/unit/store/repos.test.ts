import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';

const bar = (symbol: string, date: string, close: number) => ({ symbol, date, open: close - 1, high: close + 1, low: close - 2, close, volume: 100, turnover: close * 100 });

describe('repositories', () => {
  it('daily bars: upserting the same rows twice leaves one row per (symbol, date) with the latest values', () => {
    const s = openStore({ path: ':memory:' });
    s.dailyBars.upsert([bar('005930', '20261120', 100), bar('005930', '20261123', 101)], 1);
    s.dailyBars.upsert([bar('005930', '20261120', 100), bar('005930', '20261123', 105)], 2);
    expect(s.dailyBars.count()).toBe(2);
    expect(s.dailyBars.get('005930', '20261123')?.close).toBe(105);
    expect(s.dailyBars.latest('005930')?.date).toBe('20261123');
    expect(s.dailyBars.latestDate()).toBe('20261123');
    expect(s.dailyBars.symbolsOn('20261120')).toEqual(['005930']);
  });

  it('investor flows: idempotent upsert on (symbol, date)', () => {
    const s = openStore({ path: ':memory:' });
    const row = { symbol: '000660', date: '20261123', personNetQty: -5, personNetAmount: -500, foreignNetQty: 3, foreignNetAmount: 300, institutionNetQty: 2, institutionNetAmount: 200 };
    s.investorFlows.upsert([row, row], 1);
    s.investorFlows.upsert([{ ...row, foreignNetQty: 4 }], 2);
    expect(s.investorFlows.count()).toBe(1);
    expect(s.investorFlows.get('000660', '20261123')).toEqual({ ...row, foreignNetQty: 4 });
  });

  it('quotes: one row per (market, symbol); an older quote never overwrites a newer one', () => {
    const s = openStore({ path: ':memory:' });
    s.quotes.upsert([{ market: 'KR', symbol: '005930', price: 70000, asOfMs: 2000 }], 1);
    s.quotes.upsert([{ market: 'KR', symbol: '005930', price: 69000, asOfMs: 1000 }], 2);
    expect(s.quotes.get('KR', '005930')?.price).toBe(70000);
    s.quotes.upsert([{ market: 'KR', symbol: '005930', price: 71000, asOfMs: 3000 }], 3);
    expect(s.quotes.get('KR', '005930')).toMatchObject({ price: 71000, asOfMs: 3000, change: null });
    expect(s.quotes.latestAsOfMs('KR')).toBe(3000);
    expect(s.quotes.latestAsOfMs('NAS')).toBeUndefined();
  });

  it('recovery queue: re-enqueueing an open task updates it instead of duplicating', () => {
    const s = openStore({ path: ':memory:' });
    const a = s.recoveryQueue.enqueue({ fetcherName: 'f', targetCode: '005930', taskType: 'daily_bars', errorMessage: 'first' }, 10);
    const b = s.recoveryQueue.enqueue({ fetcherName: 'f', targetCode: '005930', taskType: 'daily_bars', errorMessage: 'second' }, 20);
    expect(b).toEqual({ id: a.id, created: false });
    expect(s.recoveryQueue.get(a.id)).toMatchObject({ errorMessage: 'second', status: 'pending', retryCount: 0, maxRetries: 5, nextRetryAtMs: 10 });
    s.recoveryQueue.complete(a.id, 30);
    const c = s.recoveryQueue.enqueue({ fetcherName: 'f', targetCode: '005930', taskType: 'daily_bars' }, 40);
    expect(c.created).toBe(true);
    expect(s.recoveryQueue.counts()).toEqual({ pending: 1, processing: 0, completed: 1, failed: 0 });
  });

  it('alert history: reserve refuses the same key inside the window', () => {
    const s = openStore({ path: ':memory:' });
    const e = { alertKey: 'k', level: 'ERROR', title: 't' };
    const id = s.alertHistory.reserve(e, 1_000, 60_000);
    expect(id).toBeGreaterThan(0);
    expect(s.alertHistory.reserve(e, 60_999, 60_000)).toBeUndefined();
    expect(s.alertHistory.reserve({ ...e, alertKey: 'other' }, 2_000, 60_000)).toBeGreaterThan(0);
    expect(s.alertHistory.reserve(e, 61_000, 60_000)).toBeGreaterThan(0);
    s.alertHistory.recordSinks(id as number, { email: 'ok' });
    expect(s.alertHistory.recent().find((r) => r.id === id)?.sinks).toEqual({ email: 'ok' });
  });
});
