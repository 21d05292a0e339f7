// Cron triggers on the injected Clock instead of node-cron's global Date and timers, so the scheduler runs on
// a shifted or scaled clock (`kisd run --at … --speed N`) and on fake timers alike. The expressions are the
// five-field ones phase-plan.ts writes ("M H * * *" with numbers, lists, "*" and "*/n" in the minute and
// hour fields); anything else is refused at construction rather than misread. Times are KST (no DST).
import { unrefTimer, type Clock, type TimerHandle } from '../core/clock.js';
import { kstDateTime } from '../core/kst.js';

/** What IntegratedScheduler uses of a task (a subset of node-cron's ScheduledTask). */
export interface ClockCronTask {
  start(): void;
  /** Stops the task for good. */
  destroy(): void;
  /** The next fire time, or null when stopped. */
  getNextRun(): Date | null;
}

function field(expr: string, text: string, max: number): (v: number) => boolean {
  if (text === '*') return () => true;
  const step = /^\*\/(\d+)$/.exec(text);
  if (step) {
    const n = Number(step[1]);
    if (n < 1 || n > max + 1) throw new RangeError(`cron "${expr}": bad step ${text}`);
    return (v) => v % n === 0;
  }
  const values = text.split(',').map((t) => {
    if (!/^\d+$/.test(t) || Number(t) > max) throw new RangeError(`cron "${expr}": unsupported field ${text} (numbers, lists, * and */n only)`);
    return Number(t);
  });
  const set = new Set(values);
  return (v) => set.has(v);
}

/** A matcher for "M H * * *" expressions (day, month and weekday fields must be "*"). */
export function compileCron(expr: string): (minuteOfDay: number) => boolean {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts.slice(2).some((p) => p !== '*')) throw new RangeError(`cron "${expr}": only "M H * * *" is supported`);
  const minute = field(expr, parts[0]!, 59);
  const hour = field(expr, parts[1]!, 23);
  return (m) => minute(m % 60) && hour(Math.floor(m / 60));
}

/** The first instant strictly after afterMs (epoch ms, whole KST minutes) that matches; within 48 h. */
export function nextCronRun(matches: (minuteOfDay: number) => boolean, afterMs: number): number {
  // One calendar conversion, then integer minutes: KST has no daylight saving, so a wall minute is 60 000 ms.
  // (A luxon step per candidate minute cost ~1 ms per daily task re-arm: a simulated week spent seconds here.)
  const first = kstDateTime(afterMs).startOf('minute').plus({ minutes: 1 });
  const firstMinute = first.hour * 60 + first.minute;
  const firstMs = first.toMillis();
  for (let i = 0; i < 2 * 1440; i++) {
    if (matches((firstMinute + i) % 1440)) return firstMs + i * 60_000;
  }
  throw new RangeError('cron expression never matches');
}

/**
 * A task that calls fn at every matching KST minute on clock. A timer that fires early (the wall clock was
 * stepped back) re-arms for the same instant; one that fires late (a step forward, a blocked loop) fires
 * once and re-arms for the next instant after now: missed minutes are not replayed (restart recovery
 * catches up on phases).
 */
export function createClockCronTask(expr: string, fn: () => void, clock: Clock): ClockCronTask {
  const matches = compileCron(expr);
  let timer: TimerHandle | undefined;
  let nextAt: number | undefined;
  let destroyed = false;
  const arm = (at: number): void => {
    nextAt = at;
    timer = clock.setTimeout(fire, Math.max(0, at - clock.nowMs()));
    unrefTimer(timer);
  };
  function fire(): void {
    timer = undefined;
    if (destroyed || nextAt === undefined) return;
    const now = clock.nowMs();
    if (now < nextAt) {
      arm(nextAt);
      return;
    }
    arm(nextCronRun(matches, now));
    fn();
  }
  return {
    start() {
      if (destroyed || timer !== undefined) return;
      arm(nextCronRun(matches, clock.nowMs()));
    },
    destroy() {
      destroyed = true;
      clock.clearTimeout(timer);
      timer = undefined;
      nextAt = undefined;
    },
    getNextRun: () => (nextAt === undefined ? null : new Date(nextAt)),
  };
}
