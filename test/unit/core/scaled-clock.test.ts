// Time travel's clock: wall time starts at the given instant and, with monotonic time and every timer, runs
// `speed` times faster than its base; a step of the base's wall clock does not move it; network timeouts keep
// a real-time floor.
import { describe, expect, it } from 'vitest';
import { clockSpeed, networkTimeoutMs, scaledClock } from '../../../src/core/clock.js';
import { kstInstant } from '../../../src/core/kst.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

describe('scaledClock', () => {
  it('starts at startAtMs and runs 60x: wall, monotonic, timeouts, intervals and sleep', async () => {
    const base = createFakeClock('2026-12-04 20:00:00');
    const at = kstInstant('2026-12-07 08:55:00');
    const clock = scaledClock(base, { startAtMs: at, speed: 60 });
    expect(clock.nowMs()).toBe(at);
    expect(clockSpeed(clock)).toBe(60);
    const mono0 = clock.monotonicMs();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.nowMs()), 5 * 60_000); // 5 simulated minutes = 5 real seconds
    const ticks: number[] = [];
    const h = clock.setInterval(() => ticks.push(clock.nowMs()), 60_000);
    await base.tickAsync(4_999);
    expect(fired).toEqual([]);
    await base.tickAsync(1);
    expect(fired).toEqual([at + 300_000]);
    expect(ticks).toEqual([1, 2, 3, 4, 5].map((m) => at + m * 60_000));
    expect(clock.monotonicMs() - mono0).toBe(300_000);
    clock.clearInterval(h);
    const slept = clock.sleep(120_000).then(() => clock.nowMs());
    await base.tickAsync(2_000);
    expect(await slept).toBe(at + 420_000);
  });

  it('is not moved by a step of the base wall clock, and gives whole milliseconds', async () => {
    const base = createFakeClock('2026-12-04 20:00:00');
    // 1 ms at 1.5x is 1.5 ms: state files store integer epoch ms (a fractional one made the token file invalid).
    const clock = scaledClock(base, { startAtMs: kstInstant('2026-12-07 08:55:00'), speed: 1.5 });
    await base.tickAsync(1);
    const before = clock.nowMs();
    base.setSystemTime(base.nowMs() + 3_600_000); // NTP step of the host
    expect(clock.nowMs()).toBe(before);
    expect(Number.isInteger(clock.nowMs())).toBe(true);
  });

  it('refuses a speed that is not a positive number', () => {
    const base = createFakeClock();
    expect(() => scaledClock(base, { startAtMs: 0, speed: 0 })).toThrow(RangeError);
    expect(() => scaledClock(base, { startAtMs: 0, speed: Number.NaN })).toThrow(RangeError);
  });
});

describe('networkTimeoutMs', () => {
  it('keeps at least 5 s of real time under time travel, and is the nominal timeout at real speed', () => {
    const base = createFakeClock();
    expect(networkTimeoutMs(base, 20_000)).toBe(20_000);
    const fast = scaledClock(base, { startAtMs: 0, speed: 60 });
    expect(networkTimeoutMs(fast, 20_000)).toBe(300_000); // 5 real seconds
    expect(networkTimeoutMs(fast, 1_000)).toBe(60_000); // a short timeout keeps its real length
    expect(networkTimeoutMs(scaledClock(base, { startAtMs: 0, speed: 2 }), 20_000)).toBe(20_000); // already >= 5 s real
  });
});
