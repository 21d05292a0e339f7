// --at / --speed parsing and where time travel is refused (paper/real; --speed with an external simulator).
import { describe, expect, it } from 'vitest';
import { parseAt, parseSpeed, timeTravelClock, timeTravelFrom } from '../../../src/cli/commands/time-travel.js';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { ConfigError } from '../../../src/core/errors.js';
import { kstInstant } from '../../../src/core/kst.js';

const now = kstInstant('2026-12-04 20:00:00');

describe('time travel flags', () => {
  it('reads KST date-times and a bare time of day (today)', () => {
    expect(parseAt('2026-12-07 08:55', now)).toBe(kstInstant('2026-12-07 08:55:00'));
    expect(parseAt('2026-12-07T08:55:30', now)).toBe(kstInstant('2026-12-07 08:55:30'));
    expect(parseAt('08:55', now)).toBe(kstInstant('2026-12-04 08:55:00'));
    for (const bad of ['monday 08:55', '2026-13-01 08:00', '25:00', '2019-12-02 09:00']) expect(() => parseAt(bad, now)).toThrow(ConfigError);
    expect(() => parseAt('tomorrow', now)).toThrow(/--at: expected a KST date and time "YYYY-MM-DD HH:MM\[:SS\]"/);
  });

  it('reads --speed from 1 to 1000', () => {
    expect(parseSpeed('60')).toBe(60);
    expect(parseSpeed('1.5')).toBe(1.5);
    for (const bad of ['0', '-2', '1001', 'fast']) expect(() => parseSpeed(bad)).toThrow(/--speed: expected a number from 1 to 1000/);
  });

  it('is refused in paper and real mode, and --speed with an external simulator', () => {
    const run = { externalSim: false, nowMs: now, command: 'run' as const };
    expect(timeTravelFrom({}, { ...run, mode: 'real' })).toBeUndefined();
    expect(() => timeTravelFrom({ at: '2026-12-07 08:55' }, { ...run, mode: 'paper' })).toThrow(/--at: time travel runs against the simulator only \(mode: sim\); KIS's paper server keeps real time/);
    expect(() => timeTravelFrom({ speed: '60' }, { ...run, mode: 'real' })).toThrow(/--speed: time travel runs against the simulator only/);
    expect(() => timeTravelFrom({ at: '09:00', speed: '60' }, { ...run, mode: 'sim', externalSim: true })).toThrow(/--speed: this config points kis.rest_base_url at another simulator.*--clock-anchor/);
    expect(timeTravelFrom({ at: '09:00' }, { ...run, mode: 'sim', externalSim: true })).toEqual({ startAtMs: kstInstant('2026-12-04 09:00:00'), speed: 1, anchorEpochMs: now });
    expect(timeTravelFrom({ speed: '10' }, { ...run, mode: 'sim' })).toEqual({ startAtMs: now, speed: 10, anchorEpochMs: now });
  });

  it('--clock-anchor lets a daemon follow a standalone simulator; it needs --at, and is refused for kisd sim or when stale', () => {
    const run = { mode: 'sim', externalSim: true, nowMs: now, command: 'run' as const };
    const anchor = now - 90_000;
    expect(timeTravelFrom({ at: '09:00', speed: '60', clockAnchor: String(anchor) }, run)).toEqual({ startAtMs: kstInstant('2026-12-04 09:00:00'), speed: 60, anchorEpochMs: anchor });
    expect(() => timeTravelFrom({ speed: '60', clockAnchor: String(anchor) }, run)).toThrow(/--clock-anchor: only for `kisd run` .* together with the same --at/);
    expect(() => timeTravelFrom({ at: '09:00', clockAnchor: String(anchor) }, { ...run, command: 'sim' })).toThrow(/--clock-anchor: only for `kisd run`/);
    for (const bad of ['yesterday', String(now - 8 * 86_400_000), String(now + 3_600_000), '1.5']) {
      expect(() => timeTravelFrom({ at: '09:00', speed: '60', clockAnchor: bad }, run)).toThrow(/--clock-anchor: expected the real epoch milliseconds printed by `kisd sim/);
    }
  });

  it('a clock started later from the anchor reads what the simulator\'s clock reads (same instant, same speed)', () => {
    const real = createFakeClock('2026-12-04 20:00:00');
    const startAtMs = kstInstant('2026-12-07 08:55:00');
    const sim = timeTravelClock(real, { startAtMs, speed: 60, anchorEpochMs: real.nowMs() });
    real.fake.tick(1_500); // the daemon starts 1.5 real seconds after the simulator printed its anchor
    const daemon = timeTravelClock(real, { startAtMs, speed: 60, anchorEpochMs: real.nowMs() - 1_500 });
    expect(daemon.nowMs()).toBe(sim.nowMs());
    expect(daemon.nowMs()).toBe(startAtMs + 90_000);
    real.fake.tick(10_000);
    expect(daemon.nowMs()).toBe(sim.nowMs());
    expect(daemon.nowMs()).toBe(startAtMs + 690_000);
    // Without the anchor the daemon's clock would lag the simulator's by speed × the start gap.
    const unanchored = timeTravelClock(real, { startAtMs, speed: 60, anchorEpochMs: real.nowMs() });
    expect(sim.nowMs() - unanchored.nowMs()).toBe(690_000);
  });
});
