import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { createCurrentPriceService, type PricePoint } from '../../../src/collect/index.js';

const tokenError = () => Object.assign(new Error('기간이 만료된 token 입니다.'), { msgCd: 'EGW00123' });

function setup(restScript: (PricePoint | Error)[], opts: { cache?: PricePoint; lastClose?: number } = {}) {
  const clock = createFakeClock('2026-11-23 10:00:00');
  let recoveries = 0;
  let restCalls = 0;
  const svc = createCurrentPriceService({
    clock,
    logger: pino({ level: 'silent' }),
    cache: { get: () => opts.cache },
    rest: {
      fetchPrice: async () => {
        restCalls++;
        const next = restScript.shift() ?? new Error('HTTP 500');
        if (next instanceof Error) throw next;
        return next;
      },
    },
    lastClose: () => (opts.lastClose === undefined ? undefined : { close: opts.lastClose, date: '20261120' }),
    tokenRecovery: { recover: async () => void recoveries++ },
  });
  return { clock, svc, counts: () => ({ recoveries, restCalls }) };
}

describe('current price with fallbacks', () => {
  it('uses a fresh cache without calling REST', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const { svc, counts } = setup([], { cache: { price: 70_100, asOfMs: clock.nowMs() - 1_000 } });
    expect(await svc.getCurrentPrice('005930')).toMatchObject({ source: 'cache', price: 70_100, stale: false });
    expect(counts().restCalls).toBe(0);
  });

  it('goes to REST when the cache is old', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const { svc } = setup([{ price: 70_200, asOfMs: clock.nowMs() }], { cache: { price: 1, asOfMs: clock.nowMs() - 60_000 } });
    expect(await svc.getCurrentPrice('005930')).toMatchObject({ source: 'rest', price: 70_200 });
  });

  it('recovers the token once on a token error and retries REST once', async () => {
    const { svc, counts } = setup([tokenError(), { price: 70_300, asOfMs: 0 }]);
    expect(await svc.getCurrentPrice('005930')).toMatchObject({ source: 'rest', price: 70_300 });
    expect(counts()).toEqual({ recoveries: 1, restCalls: 2 });
  });

  it('never loops: repeated token errors fall back to the last close, and the cooldown holds off a second recovery', async () => {
    const { svc, counts, clock } = setup([tokenError(), tokenError(), tokenError(), tokenError()], { lastClose: 69_900 });
    const r = await svc.getCurrentPrice('005930');
    expect(r).toMatchObject({ source: 'last-close', price: 69_900, stale: true, date: '20261120' });
    expect(r.source === 'last-close' && r.reason).toMatch(/after token recovery/);
    expect(counts()).toEqual({ recoveries: 1, restCalls: 2 });
    await svc.getCurrentPrice('005930');
    expect(counts()).toEqual({ recoveries: 1, restCalls: 3 });
    await clock.tickAsync(60_000);
    await svc.getCurrentPrice('005930');
    expect(counts().recoveries).toBe(2);
  });

  it('answers none with the reasons when nothing is known', async () => {
    const { svc } = setup([new Error('HTTP 500')]);
    const r = await svc.getCurrentPrice('005930');
    expect(r).toMatchObject({ source: 'none', price: undefined });
    expect(r.source === 'none' && r.reason).toMatch(/not in cache; REST failed: HTTP 500; no collected close/);
  });
});
