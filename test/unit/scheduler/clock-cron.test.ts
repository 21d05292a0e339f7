// Cron triggers on the injected Clock (no global timers): the next KST minute matching "M H * * *", firing
// on a fake clock that is not installed, re-arming after an early timer, and skipping (not replaying) minutes
// a forward step jumped over.
import { describe, expect, it } from 'vitest';
import { compileCron, createClockCronTask, nextCronRun } from '../../../src/scheduler/clock-cron.js';
import { formatKstTimestamp, kstDateTime, kstInstant } from '../../../src/core/kst.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const kst = (ms: number): string => formatKstTimestamp(ms);

describe('compileCron / nextCronRun', () => {
  it.each([
    ['0 9 * * *', '2026-12-07 08:59:59', '2026-12-07 09:00:00'],
    ['0 9 * * *', '2026-12-07 09:00:00', '2026-12-08 09:00:00'],
    ['*/30 * * * *', '2026-12-07 08:31:00', '2026-12-07 09:00:00'],
    ['40 4,10,16,22 * * *', '2026-12-07 10:41:00', '2026-12-07 16:40:00'],
    ['0 */6 * * *', '2026-12-07 23:10:00', '2026-12-08 00:00:00'],
  ])('%s after %s is %s', (expr, after, next) => {
    expect(kst(nextCronRun(compileCron(expr), kstInstant(after)))).toBe(next);
  });

  it('agrees with a wall-clock walk (one luxon step per minute) at random instants, across midnight and month ends', () => {
    const walk = (matches: (m: number) => boolean, afterMs: number): number => {
      for (let t = kstDateTime(afterMs).startOf('minute').plus({ minutes: 1 }); ; t = t.plus({ minutes: 1 })) if (matches(t.hour * 60 + t.minute)) return t.toMillis();
    };
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const expr of ['0 9 * * *', '*/30 * * * *', '40 4,10,16,22 * * *', '0 */6 * * *', '59 23 * * *', '0 0 * * *']) {
      const matches = compileCron(expr);
      for (let i = 0; i < 50; i++) {
        const after = kstInstant('2026-12-30 00:00:00') + Math.floor(rnd() * 3 * 86_400_000);
        expect(kst(nextCronRun(matches, after))).toBe(kst(walk(matches, after)));
      }
    }
  });

  it('refuses what it cannot read exactly', () => {
    expect(() => compileCron('0 9 * * 1-5')).toThrow(/only "M H \* \* \*"/);
    expect(() => compileCron('0-5 9 * * *')).toThrow(/unsupported field/);
    expect(() => compileCron('61 9 * * *')).toThrow(/unsupported field/);
  });
});

describe('createClockCronTask', () => {
  it('fires at each matching minute on a fake clock that is not installed; destroy stops it', async () => {
    const clock = createFakeClock('2026-12-07 08:58:30');
    const fired: string[] = [];
    const task = createClockCronTask('*/1 9 * * *', () => fired.push(kst(clock.nowMs())), clock);
    task.start();
    expect(kst(task.getNextRun()!.getTime())).toBe('2026-12-07 09:00:00');
    await clock.tickAsync(3 * 60_000);
    expect(fired).toEqual(['2026-12-07 09:00:00', '2026-12-07 09:01:00']);
    task.destroy();
    await clock.tickAsync(10 * 60_000);
    expect(fired).toHaveLength(2);
    expect(task.getNextRun()).toBeNull();
  });

  it('a wall-clock step back re-arms for the same instant; a step forward fires once, without replaying', async () => {
    const clock = createFakeClock('2026-12-07 08:59:00');
    const fired: string[] = [];
    const task = createClockCronTask('0 9,10,11 * * *', () => fired.push(kst(clock.nowMs())), clock);
    task.start();
    clock.setSystemTime(kstInstant('2026-12-07 08:58:00')); // stepped back a minute: the timer fires "early"
    await clock.tickAsync(60_000);
    expect(fired).toEqual([]);
    await clock.tickAsync(60_000);
    expect(fired).toEqual(['2026-12-07 09:00:00']);
    clock.setSystemTime(kstInstant('2026-12-07 11:30:00')); // stepped past 10:00 and 11:00
    await clock.tickAsync(3_600_000); // the timer armed for 10:00 (an hour away) fires at 12:30 wall time: once
    expect(fired).toEqual(['2026-12-07 09:00:00', '2026-12-07 12:30:00']);
    expect(kst(task.getNextRun()!.getTime())).toBe('2026-12-08 09:00:00');
    task.destroy();
  });
});
