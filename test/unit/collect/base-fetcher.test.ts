import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { createBaseFetcher, NotFoundError } from '../../../src/collect/index.js';

const err500 = () => Object.assign(new Error('HTTP 500'), { statusCode: 500 });

describe('BaseFetcher retry', () => {
  it('backs off 1, 2, 4, 8, 16 s and then reports the symbol as failed', async () => {
    const clock = createFakeClock();
    const t0 = clock.nowMs();
    const calls: number[] = [];
    const f = createBaseFetcher<string>({
      name: 'x',
      clock,
      fetchOne: async () => {
        calls.push(clock.nowMs() - t0);
        throw err500();
      },
    });
    const p = f.fetch({ targetCodes: ['005930'] });
    await clock.tickAsync(31_000);
    const res = await p;
    expect(calls).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000]);
    expect(res.ok).toEqual([]);
    expect(res.failed).toHaveLength(1);
    expect(res.failed[0]).toMatchObject({ code: '005930', attempts: 6 });
    expect(res.requests).toBe(6);
  });

  it('waits at least a minute after a rate limit, renews the token once on auth errors, and skips not-found at once', async () => {
    const clock = createFakeClock();
    const t0 = clock.nowMs();
    let renewals = 0;
    const script: Record<string, (Error | string)[]> = {
      A: [Object.assign(new Error('EGW00201'), { msgCd: 'EGW00201' }), 'A-row'],
      B: [Object.assign(new Error('EGW00123'), { msgCd: 'EGW00123' }), Object.assign(new Error('EGW00123'), { msgCd: 'EGW00123' }), 'B-row'],
      C: [new NotFoundError('delisted')],
    };
    const when: Record<string, number[]> = { A: [], B: [], C: [] };
    const f = createBaseFetcher<string>({
      name: 'x',
      clock,
      renewToken: async () => void renewals++,
      fetchOne: async (code) => {
        when[code]?.push(clock.nowMs() - t0);
        const next = script[code]?.shift();
        if (next instanceof Error) throw next;
        return [next as string];
      },
    });
    const p = f.fetch({ targetCodes: ['A', 'B', 'C'] });
    await clock.tickAsync(70_000);
    const res = await p;
    expect(res.ok).toEqual(['A-row', 'B-row']);
    expect(when['A']).toEqual([0, 60_000]);
    expect(when['B']).toEqual([60_000, 61_000, 63_000]);
    expect(renewals).toBe(1);
    expect(res.failed.map((x) => [x.code, x.attempts])).toEqual([['C', 1]]);
  });

  it('stops at once when the signal aborts during a back-off', async () => {
    const clock = createFakeClock();
    const ac = new AbortController();
    const f = createBaseFetcher<string>({ name: 'x', clock, fetchOne: async () => Promise.reject(err500()) });
    const p = f.fetch({ targetCodes: ['A'], signal: ac.signal });
    await clock.tickAsync(500);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'KISD_ABORTED' });
  });
});
