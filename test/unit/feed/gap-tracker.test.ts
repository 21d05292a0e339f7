// The gap tracker on a fake clock: a down→up interval clipped to that day's KR session is a gap; the heartbeat
// lets the next process find the gap a restart left; nothing outside the session or on a day off is a gap.
import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { weekdayCalendar } from '../../../src/core/trading-calendar.js';
import { FeedGapTracker, type FeedGap } from '../../../src/feed/gap-tracker.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

class MemoryHeartbeat {
  writes: number[] = [];
  constructor(public alive: number | undefined = undefined) {}
  aliveAt(): number | undefined {
    return this.alive;
  }
  setAliveAt(_m: 'KR', atMs: number): void {
    this.alive = atMs;
    this.writes.push(atMs);
  }
}

function rig(start: string, heartbeat = new MemoryHeartbeat(), holidays: string[] = []): { clock: FakeClock; tracker: FeedGapTracker; gaps: FeedGap[]; heartbeat: MemoryHeartbeat } {
  const clock = createFakeClock(start);
  const gaps: FeedGap[] = [];
  const tracker = new FeedGapTracker({ clock, calendar: weekdayCalendar(holidays), heartbeat, onGap: (g) => gaps.push(g) });
  return { clock, tracker, gaps, heartbeat };
}

const at = async (clock: FakeClock, when: string): Promise<void> => clock.tickAsync(kstInstant(when) - clock.nowMs());

describe('FeedGapTracker', () => {
  it('a reconnect mid-session is one gap from the first down to the next up; repeated downs do not move its start', async () => {
    const r = rig('2026-11-23 08:30:00'); // Monday
    r.tracker.start();
    r.tracker.connectionUp();
    await at(r.clock, '2026-11-23 10:01:10');
    r.tracker.connectionDown('remote-close');
    await at(r.clock, '2026-11-23 10:02:00');
    r.tracker.connectionDown('connect-failed');
    await at(r.clock, '2026-11-23 10:06:20');
    r.tracker.connectionUp();
    expect(r.gaps).toEqual([{ day: '20261123', fromMs: kstInstant('2026-11-23 10:01:10'), toMs: kstInstant('2026-11-23 10:06:20'), reason: 'remote-close' }]);
    r.tracker.stop();
  });

  it('writes the heartbeat every 30 s while up, not while down; the next process takes the gap from it', async () => {
    const r = rig('2026-11-23 10:00:00');
    r.tracker.start();
    r.tracker.connectionUp();
    await r.clock.tickAsync(95_000);
    expect(r.heartbeat.writes.map((t) => t - kstInstant('2026-11-23 10:00'))).toEqual([0, 30_000, 60_000, 90_000]);
    r.tracker.connectionDown('dead');
    await r.clock.tickAsync(120_000);
    expect(r.heartbeat.alive).toBe(kstInstant('2026-11-23 10:01:35'));
    r.tracker.stop();

    // The process died at 10:01:35 (its last heartbeat); the next one starts at 10:40 and connects at 10:40:05.
    const next = rig('2026-11-23 10:40:00', new MemoryHeartbeat(kstInstant('2026-11-23 10:01:35')));
    next.tracker.start();
    await next.clock.tickAsync(5_000);
    next.tracker.connectionUp();
    expect(next.gaps).toEqual([{ day: '20261123', fromMs: kstInstant('2026-11-23 10:01:35'), toMs: kstInstant('2026-11-23 10:40:05'), reason: 'restart' }]);
    next.tracker.stop();
  });

  it('clips a gap to the session of the day it ends on: overnight, after the close, before the open and on a day off are none', async () => {
    const overnight = rig('2026-11-24 10:30:00', new MemoryHeartbeat(kstInstant('2026-11-23 15:00')));
    overnight.tracker.start();
    overnight.tracker.connectionUp(); // yesterday's loss is not fillable; today's 09:00–10:30 is
    expect(overnight.gaps).toEqual([{ day: '20261124', fromMs: kstInstant('2026-11-24 09:00'), toMs: kstInstant('2026-11-24 10:30'), reason: 'restart' }]);

    const afterClose = rig('2026-11-23 15:20:00');
    afterClose.tracker.start();
    afterClose.tracker.connectionUp();
    afterClose.tracker.connectionDown('remote-close');
    await at(afterClose.clock, '2026-11-23 15:45:00');
    afterClose.tracker.connectionUp();
    expect(afterClose.gaps.map((g) => [g.fromMs, g.toMs])).toEqual([[kstInstant('2026-11-23 15:20'), kstInstant('2026-11-23 15:30')]]);

    const morning = rig('2026-11-24 08:30:00', new MemoryHeartbeat(kstInstant('2026-11-23 16:30')));
    morning.tracker.start();
    morning.tracker.connectionUp();
    expect(morning.gaps).toEqual([]);

    const holiday = rig('2026-11-25 11:00:00', new MemoryHeartbeat(kstInstant('2026-11-25 10:00')), ['20261125']);
    holiday.tracker.start();
    holiday.tracker.connectionUp();
    expect(holiday.gaps).toEqual([]);

    const firstEver = rig('2026-11-23 11:00:00'); // no heartbeat: nothing is known, nothing is claimed
    firstEver.tracker.start();
    firstEver.tracker.connectionUp();
    expect(firstEver.gaps).toEqual([]);
    for (const x of [overnight, afterClose, morning, holiday, firstEver]) x.tracker.stop();
  });
});
