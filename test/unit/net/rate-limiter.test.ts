// The per-app-key limiter at exact instants of the fake clock.
import { describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { AbortedError } from '../../../src/core/errors.js';
import { createRateLimiter, type RateLimiter, type RatePriority } from '../../../src/net/rate-limiter.js';

/** Records the monotonic instant (relative to start) at which each acquire resolves. */
function track(clock: FakeClock, limiter: RateLimiter, label: string, out: { label: string; at: number }[], priority?: RatePriority, signal?: AbortSignal): Promise<void> {
  const start = clock.monotonicMs();
  return limiter.acquire({ priority, signal }).then(() => {
    out.push({ label, at: clock.monotonicMs() - start });
  });
}


describe('rate limiter windows', () => {
  it('1 s window: the (N+1)th request waits until the oldest is 1000 + safety ms old', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 2 }, windowSafetyMs: 25 });
    const got: { label: string; at: number }[] = [];
    void track(clock, limiter, 'a', got);
    void track(clock, limiter, 'b', got);
    void track(clock, limiter, 'c', got);
    await clock.tickAsync(0);
    expect(got.map((g) => g.label)).toEqual(['a', 'b']);
    await clock.tickAsync(1024);
    expect(got).toHaveLength(2);
    await clock.tickAsync(1);
    expect(got[2]).toEqual({ label: 'c', at: 1025 });
  });

  it('minSpacingMs spreads a second of grants evenly instead of a burst at its start', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 4 }, windowSafetyMs: 25, minSpacingMs: 250 });
    const got: { label: string; at: number }[] = [];
    for (const l of ['a', 'b', 'c', 'd', 'e']) void track(clock, limiter, l, got);
    await clock.tickAsync(2_000);
    // a..d 250 ms apart; e waits for the 1 s window (a + 1000 + 25), which is later than d + 250.
    expect(got).toEqual([
      { label: 'a', at: 0 },
      { label: 'b', at: 250 },
      { label: 'c', at: 500 },
      { label: 'd', at: 750 },
      { label: 'e', at: 1025 },
    ]);
  });

  it('the window slides: grants at 0 and 500 free slots at 1000 and 1500', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 2 }, windowSafetyMs: 0 });
    const got: { label: string; at: number }[] = [];
    void track(clock, limiter, 'a', got);
    await clock.tickAsync(500);
    void track(clock, limiter, 'b', got);
    await clock.tickAsync(0);
    const t0 = clock.monotonicMs();
    const later: number[] = [];
    void limiter.acquire().then(() => later.push(clock.monotonicMs() - t0));
    void limiter.acquire().then(() => later.push(clock.monotonicMs() - t0));
    await clock.tickAsync(499);
    expect(later).toEqual([]);
    await clock.tickAsync(1);
    expect(later).toEqual([500]); // t = 1000
    await clock.tickAsync(499);
    expect(later).toEqual([500]);
    await clock.tickAsync(1);
    expect(later).toEqual([500, 1000]); // t = 1500
  });

  it('1 min window', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 10, perMinute: 3 }, windowSafetyMs: 0 });
    const got: { label: string; at: number }[] = [];
    for (const l of ['a', 'b', 'c', 'd']) void track(clock, limiter, l, got);
    await clock.tickAsync(59_999);
    expect(got).toHaveLength(3);
    await clock.tickAsync(1);
    expect(got[3]).toEqual({ label: 'd', at: 60_000 });
  });

  it('1 h window', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 10, perMinute: 100, perHour: 2 }, windowSafetyMs: 0 });
    const got: { label: string; at: number }[] = [];
    for (const l of ['a', 'b', 'c']) void track(clock, limiter, l, got);
    await clock.tickAsync(3_599_999);
    expect(got).toHaveLength(2);
    await clock.tickAsync(1);
    expect(got[2]).toEqual({ label: 'c', at: 3_600_000 });
  });

  it('keeps one timer for the next free slot, however many wait', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 1 }, windowSafetyMs: 0 });
    for (let i = 0; i < 20; i++) void limiter.acquire();
    await clock.tickAsync(0);
    expect(limiter.pending).toBe(19);
    expect(clock.fake.countTimers()).toBe(1);
  });
});

describe('rate limiter priority and abort', () => {
  it('orders jump ahead of reads, reads ahead of bulk, FIFO within a priority', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 1 }, windowSafetyMs: 0 });
    const got: { label: string; at: number }[] = [];
    void track(clock, limiter, 'first', got);
    void track(clock, limiter, 'bulk1', got, 'bulk');
    void track(clock, limiter, 'read1', got, 'normal');
    void track(clock, limiter, 'bulk2', got, 'bulk');
    void track(clock, limiter, 'order1', got, 'order');
    void track(clock, limiter, 'read2', got);
    await clock.tickAsync(5_000);
    expect(got.map((g) => g.label)).toEqual(['first', 'order1', 'read1', 'read2', 'bulk1', 'bulk2']);
    expect(got.map((g) => g.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
  });

  it('abort rejects the waiter with AbortedError and the others keep their slots', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 1 }, windowSafetyMs: 0 });
    await limiter.acquire();
    const ac = new AbortController();
    const aborted = limiter.acquire({ signal: ac.signal });
    const got: { label: string; at: number }[] = [];
    void track(clock, limiter, 'next', got);
    await clock.tickAsync(300);
    ac.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    expect(limiter.pending).toBe(1);
    await clock.tickAsync(700);
    expect(got).toEqual([{ label: 'next', at: 1000 }]);
  });

  it('an already-aborted signal rejects at once and takes no slot', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 1 }, windowSafetyMs: 0 });
    await expect(limiter.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await expect(limiter.acquire()).resolves.toEqual({ waitedMs: 0 });
  });

  it('pauseFor holds every grant until the pause ends and reports waitedMs', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ clock, windows: { perSecond: 100 } });
    limiter.pauseFor(1000);
    const p = limiter.acquire();
    await clock.tickAsync(1000);
    await expect(p).resolves.toEqual({ waitedMs: 1000 });
  });
});

describe('createRateLimiter', () => {
  it('rejects nonsensical windows', () => {
    const clock = createFakeClock();
    expect(() => createRateLimiter({ clock, windows: { perSecond: 0 } })).toThrow(/integer >= 1/);
  });
});
