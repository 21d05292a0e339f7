// The rolling one-second window at exact instants, and the stats recorder's exact counts.
import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../src/sim/rate-window.js';

describe('RateWindow', () => {
  it('admits `limit` calls in any window (t-1000, t] and frees a slot exactly 1000 ms later', () => {
    const w = new RateWindow({ limit: 3 });
    expect([w.tryAcquire('k', 0), w.tryAcquire('k', 400), w.tryAcquire('k', 999)]).toEqual([true, true, true]);
    expect(w.tryAcquire('k', 999)).toBe(false);
    expect(w.tryAcquire('k', 999.999)).toBe(false);
    expect(w.tryAcquire('k', 1000)).toBe(true); // the call at 0 left the window
    expect(w.tryAcquire('k', 1399)).toBe(false);
    expect(w.tryAcquire('k', 1400)).toBe(true);
    expect(w.inWindow('k', 1400)).toBe(3);
  });

  it('rejected calls consume nothing; keys are independent; limit 0 is unlimited', () => {
    const w = new RateWindow({ limit: 1 });
    expect(w.tryAcquire('a', 0)).toBe(true);
    for (let t = 1; t < 1000; t += 100) expect(w.tryAcquire('a', t)).toBe(false);
    expect(w.tryAcquire('a', 1000)).toBe(true);
    expect(w.tryAcquire('b', 0)).toBe(true);
    const off = new RateWindow({ limit: 0 });
    for (let i = 0; i < 100; i++) expect(off.tryAcquire('a', 0)).toBe(true);
  });

  it('honours a custom window length', () => {
    const w = new RateWindow({ limit: 2, windowMs: 60_000 });
    expect([w.tryAcquire('k', 0), w.tryAcquire('k', 1), w.tryAcquire('k', 59_999)]).toEqual([true, true, false]);
    expect(w.tryAcquire('k', 60_000)).toBe(true);
  });
});

describe('StatsRecorder', () => {
  it('counts exactly for the whole run while the request ring stays bounded', async () => {
    const { StatsRecorder, outcomeOf } = await import('../../../src/sim/stats.js');
    const s = new StatsRecorder(5);
    for (let i = 0; i < 23; i++) {
      const status = i % 2 === 0 ? 200 : 500;
      const msgCd = status === 200 ? 'MCA00000' : 'EGW00201';
      s.record({ path: '/p', trId: 'T1', status, msgCd, outcome: outcomeOf(status, msgCd, undefined, status === 200), atMs: i });
    }
    expect(s.count()).toBe(23);
    expect(s.count({ outcome: 'ok' })).toBe(12);
    expect(s.count({ msgCd: 'EGW00201' })).toBe(11);
    expect(s.count({ path: '/p', trId: 'T2' })).toBe(0);
    expect(s.requests().map((r) => r.atMs)).toEqual([18, 19, 20, 21, 22]);
    expect(s.snapshot().byOutcome).toEqual({ ok: 12, EGW00201: 11 });
  });
});
