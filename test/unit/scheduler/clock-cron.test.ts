// Cron triggers on the injected Clock (no global timers): the next KST minute matching "M H * * *", firing
// on a fake clock that is not installed, re-arming after an early timer, and skipping (not replaying) minutes
// a forward step jumped over.
import { describe, expect, it } from 'vitest';
import { compileCron, createClockCronTask, nextCronRun } from '../../../src/scheduler/clock-cron.js';
import { formatKstTimestamp, kstInstant } from '../../../src/core/kst.js';
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
