// Fake Clock for tests: a @sinonjs/fake-timers clock (created, not installed) behind the Clock interface.
// Real sockets keep working; only kisd's notion of time is virtual.
import FakeTimers from '@sinonjs/fake-timers';
import { clockFrom, type Clock } from '../../src/core/clock.js';
import { kstInstant } from '../../src/core/kst.js';

export interface FakeClock extends Clock {
  /** Advances virtual time, running timers and flushing promise jobs between them. */
  tickAsync(ms: number): Promise<void>;
  /** Jumps wall time (not monotonic time), like an NTP step. */
  setSystemTime(epochMs: number): void;
  readonly fake: FakeTimers.Clock;
}

/** start: epoch ms, or a KST local date-time such as "2026-11-23 08:29:00". */
export function createFakeClock(start: number | string = '2026-11-23 08:00:00'): FakeClock {
  const startMs = typeof start === 'number' ? start : kstInstant(start);
  const fake = FakeTimers.createClock(startMs);
  const base = clockFrom({
    now: () => fake.now,
    mono: () => fake.performance.now(),
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (h) => fake.clearTimeout(h as FakeTimers.TimerId),
    setInterval: (fn, ms) => fake.setInterval(fn, ms),
    clearInterval: (h) => fake.clearInterval(h as FakeTimers.TimerId),
  });
  return Object.assign(base, {
    fake,
    tickAsync: async (ms: number) => {
      await fake.tickAsync(ms);
    },
    setSystemTime: (epochMs: number) => fake.setSystemTime(epochMs),
  });
}

/**
 * Awaits a promise whose progress needs both real I/O (loopback sockets) and virtual time:
 * alternates a real macrotask turn with a small virtual tick until it settles.
 * Bounded: throws after maxVirtualMs of virtual time.
 */
export async function settle<T>(clock: FakeClock, promise: Promise<T>, opts: { stepMs?: number; maxVirtualMs?: number } = {}): Promise<T> {
  const stepMs = opts.stepMs ?? 10;
  const maxVirtualMs = opts.maxVirtualMs ?? 10 * 60_000;
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  let advanced = 0;
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (done) break;
    await new Promise((r) => setTimeout(r, 1)); // real I/O turn (loopback)
    if (done) break;
    if (advanced >= maxVirtualMs) throw new Error(`settle: still pending after ${maxVirtualMs} virtual ms`);
    await clock.tickAsync(stepMs);
    advanced += stepMs;
  }
  return tracked;
}
