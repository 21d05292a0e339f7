// Test doubles and drivers for the scheduler tests: an installed fake clock (the scheduler runs on the Clock built from it),
// a way to advance it timer by timer while letting real file I/O finish, and Fake… ports.
import FakeTimers from '@sinonjs/fake-timers';
import { createHook } from 'node:async_hooks';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../../../src/core/clock.js';
import { formatKstTimestamp, kstInstant, kstWeekday, kstYmd } from '../../../src/core/kst.js';
import type { Alert, AlertPort } from '../../../src/core/alert.js';
import type { PhaseContext, PhaseJob, PhaseResult } from '../../../src/core/phases.js';
import type { HolidayDay, HolidaySource } from '../../../src/core/trading-calendar.js';
import type { BrokerReinit, BrokerReinitReason, TokenCheck, TokenCheckResult } from '../../../src/scheduler/ports.js';

export interface InstalledClock {
  fake: ReturnType<typeof FakeTimers.install>;
  /** systemClock reads the (now faked) globals at call time. */
  clock: Clock;
  uninstall(): void;
}

/** Installs fake Date/timers/performance (not setImmediate/nextTick: real I/O needs them). */
export function installClock(startKst: string): InstalledClock {
  const fake = FakeTimers.install({
    now: kstInstant(startKst),
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    shouldClearNativeTimers: false,
  });
  return { fake, clock: systemClock, uninstall: () => fake.uninstall() };
}

// In-flight file-system requests, tracked with async_hooks: process.getActiveResourcesInfo() misses FileHandle
// operations (fh.writeFile/sync), which made virtual time run ahead of real I/O.
const pendingIo = new Set<number>();
createHook({
  init(id, type) {
    if (/^(FSREQPROMISE|FSREQCALLBACK|FILEHANDLECLOSEREQ|RANDOMBYTESREQUEST)$/.test(type)) pendingIo.add(id);
  },
  destroy(id) {
    pendingIo.delete(id);
  },
}).enable();

/** Waits (real turns, bounded by 10 s of real time) until no file-system request is in flight. */
export async function flushIo(): Promise<void> {
  const limit = process.hrtime.bigint() + 10_000_000_000n; // hrtime is not faked
  while (process.hrtime.bigint() < limit) {
    await new Promise((r) => setImmediate(r));
    if (pendingIo.size === 0) {
      await new Promise((r) => setImmediate(r));
      if (pendingIo.size === 0) return;
    }
  }
  throw new Error(`flushIo: file system still busy (${pendingIo.size} request(s))`);
}

/**
 * Advances virtual time to `untilMs` one timer at a time, letting real file I/O settle before each timer, so a
 * job that reads or writes files sees the virtual instant it was triggered at.
 */
export async function runUntil(c: InstalledClock, untilMs: number): Promise<void> {
  let reached = false;
  const sentinel = setTimeout(() => {
    reached = true;
  }, untilMs - Date.now());
  try {
    while (!reached) {
      await flushIo();
      await c.fake.nextAsync();
    }
    await c.fake.tickAsync(0); // timers due at exactly untilMs but queued after the sentinel
    await flushIo();
  } finally {
    clearTimeout(sentinel);
  }
}

/** Drives virtual time timer by timer (with real I/O turns) until `promise` settles; bounded by maxTimers. */
export async function driveUntilSettled<T>(c: InstalledClock, promise: Promise<T>, maxTimers = 10_000): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  for (let i = 0; i < maxTimers && !done; i++) {
    await flushIo();
    if (done) break;
    if (c.fake.countTimers() === 0) await new Promise((r) => setImmediate(r));
    else await c.fake.nextAsync();
  }
  return tracked;
}

export async function tempDir(prefix = 'kisd-sched-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export function memoryLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}


/** KIS holiday check double: weekdays open except the given closed days. */
export class FakeHolidaySource implements HolidaySource {
  calls: string[] = [];
  failing = false;
  constructor(private readonly closed: readonly string[] = []) {}
  async fetchKrHolidayRun(fromYmd: string): Promise<HolidayDay[]> {
    this.calls.push(fromYmd);
    if (this.failing) throw new Error('chk-holiday unavailable');
    const start = kstInstant(`${fromYmd.slice(0, 4)}-${fromYmd.slice(4, 6)}-${fromYmd.slice(6, 8)} 12:00`);
    return Array.from({ length: 30 }, (_, i) => {
      const ms = start + i * 86_400_000;
      const ymd = kstYmd(ms);
      return { ymd, isOpen: kstWeekday(ms) <= 5 && !this.closed.includes(ymd) };
    });
  }
}

export class FakeTokenCheck implements TokenCheck {
  calls: string[] = [];
  /** Scripted results by call index; default: valid, unchanged. */
  script: Partial<TokenCheckResult>[] = [];
  /** KST instants at which the check hangs for hangMs of virtual time. */
  hangAt = new Set<string>();
  hangMs = 0;
  async check(): Promise<TokenCheckResult> {
    const at = formatKstTimestamp(Date.now());
    const i = this.calls.push(at) - 1;
    if (this.hangAt.has(at)) await new Promise((r) => setTimeout(r, this.hangMs));
    return { remainingMs: 20 * 3_600_000, changed: false, refreshed: false, ...(this.script[i] ?? {}) };
  }
}

export class FakeBrokerReinit implements BrokerReinit {
  calls: { at: string; reason: BrokerReinitReason }[] = [];
  async reinit(reason: BrokerReinitReason): Promise<void> {
    this.calls.push({ at: formatKstTimestamp(Date.now()), reason });
  }
}

export class FakeAlertSink implements AlertPort {
  alerts: Alert[] = [];
  async send(a: Alert): Promise<void> {
    this.alerts.push(a);
  }
}

/** A phase job that records its runs; non-session runs take durationMs, session runs last until the signal aborts. */
export class FakePhaseJob implements PhaseJob {
  starts: { at: string; trigger: string; attempt: number }[] = [];
  ends: string[] = [];
  active = 0;
  maxActive = 0;
  /** Attempts (1-based, counted over all runs) that throw. */
  failAttempts = new Set<number>();
  private attemptCount = 0;
  constructor(
    private readonly opts: { durationMs?: number; session?: boolean; result?: PhaseResult; work?: (ctx: PhaseContext) => Promise<PhaseResult> } = {},
  ) {}
  async run(ctx: PhaseContext): Promise<PhaseResult> {
    this.attemptCount++;
    this.starts.push({ at: formatKstTimestamp(Date.now()), trigger: ctx.trigger, attempt: ctx.attempt });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.failAttempts.has(this.attemptCount)) throw new Error(`scripted failure on attempt ${this.attemptCount}`);
      if (this.opts.session) {
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } else if (this.opts.durationMs) {
        await new Promise((r) => setTimeout(r, this.opts.durationMs));
      }
      const result = this.opts.work ? await this.opts.work(ctx) : this.opts.result;
      this.ends.push(formatKstTimestamp(Date.now()));
      return result;
    } finally {
      this.active--;
    }
  }
}
