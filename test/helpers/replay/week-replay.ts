// The week replay (issue 9): the whole daemon (startDaemon, in a worker thread) against the simulator on one
// virtual clock, Monday 04:00 to Sunday 24:00 KST with a KRX holiday, a seeded fault schedule per day, and the
// invariants checked after every day. Real loopback I/O happens in real time while virtual time jumps, so the
// clock moves in steps sized to what is going on: 20 ms while a REST request is in flight, 1 s in the session,
// 15 s across idle hours; each step gives both event loops I/O turns before the next.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/core/clock.js';
import { kstDateTime, kstInstant } from '../../../src/core/kst.js';
import { createFakeClock, type FakeClock } from '../fake-clock.js';
import { DaemonHost } from './daemon-host.js';
import { checkDay, type DayFacts, type Violation } from './invariants.js';
import { drawWeekPlan, type FaultEvent, type FaultTarget, type WeekPlan } from './fault-plan.js';
import { startReplaySim, type ReplaySim } from './replay-sim.js';

export interface WeekResult {
  seed: number;
  days: number;
  faults: Record<string, number>;
  violations: Violation[];
  realMs: number;
}

export interface WeekOptions {
  seed: number;
  /** Keep the var dir and write the daemon's log there (debugging a seed). */
  keepDir?: boolean;
  logLevel?: string;
}

/** The configured KR session (fault-plan.ts shortens it so a week runs in seconds). */
const SESSION: readonly [string, string] = ['09:00', '09:30'];
/** The longest in-session stretch without a KR tick or notice outside injected outages (a reconnect's budget). */
const FEED_GAP_BUDGET_MS = 5_000;

/** Runs one seeded week; never throws for a violation (they are returned), only for a broken harness. */
export async function runWeek(o: WeekOptions): Promise<WeekResult> {
  const t0 = performance.now();
  const plan = drawWeekPlan(o.seed);
  const dir = mkdtempSync(join(tmpdir(), `kisd-week-${o.seed}-`));
  const clock = createFakeClock(kstInstant(`${plan.days[0]!.iso} 04:00:00`));
  const time = new SharedTime(clock);
  const rs = await startReplaySim({ clock: time.simClock, seed: o.seed, holidays: [plan.holiday] });
  const world = new ReplayWorld(clock, time, rs, plan, dir, o);
  if (process.env['KISD_REPLAY_TRACE']) {
    rs.sim.stats.subscribe((r) => {
      if (r.msgCd === 'EGW00201' || r.msgCd === 'EGW00133') process.stderr.write(`${r.msgCd} ${r.path} ${r.trId} at ${kstDateTime(r.atMs).toFormat('ccc HH:mm:ss.SSS')}\n`);
    });
  }
  try {
    await plan.setup(rs);
    await world.startDaemon();
    const violations: Violation[] = [];
    const counters: Record<string, number> = {};
    for (const day of plan.days) {
      world.schedule(day.events);
      await world.advanceTo(kstInstant(`${day.iso} 23:30:00`));
      const facts = await world.facts(day.iso);
      violations.push(...checkDay(facts, { seed: o.seed, day: day.iso, plan, outages: world.outages, feedGapBudgetMs: FEED_GAP_BUDGET_MS, counters }));
      await world.advanceTo(kstInstant(`${day.iso} 00:00:00`) + 86_400_000);
    }
    return { seed: o.seed, days: plan.days.length, faults: world.injected, violations, realMs: performance.now() - t0 };
  } finally {
    await world.host?.kill().catch(() => undefined);
    await rs.close();
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The one virtual clock. Timers of both sides run on fake clocks stepped together; the simulator reads the time
 * the daemon's worker last published (minus the host skew), never later than its own fake clock, so a request
 * meets KIS at the instant the daemon sent it even while the two threads step separately.
 */
class SharedTime {
  readonly buffer = new SharedArrayBuffer(8);
  private readonly daemonNow = new Float64Array(this.buffer);
  /** Host clock minus the simulator's, ms. */
  skewMs = 0;
  daemonAlive = false;
  readonly simClock: Clock;

  constructor(private readonly clock: FakeClock) {
    this.simClock = { ...clock, nowMs: () => this.simNow(), monotonicMs: () => clock.monotonicMs() - (clock.nowMs() - this.simNow()) };
  }

  simNow(): number {
    const d = this.daemonNow[0]!;
    return this.daemonAlive && d > 0 ? Math.min(this.clock.nowMs(), Math.floor(d - this.skewMs)) : this.clock.nowMs();
  }
}

/** What a step of the replay needs: the clock, the simulator, the live daemon and the pending fault events. */
class ReplayWorld implements FaultTarget {
  host: DaemonHost | undefined;
  readonly injected: Record<string, number> = {};
  /** Injected outages of the feed or of KIS, [from, to) epoch ms: feed gaps inside them are expected. */
  readonly outages: [number, number][] = [];
  private events: FaultEvent[] = [];

  constructor(
    readonly clock: FakeClock,
    readonly time: SharedTime,
    readonly rs: ReplaySim,
    readonly plan: WeekPlan,
    readonly dir: string,
    readonly o: WeekOptions,
  ) {}

  get varDir(): string {
    return join(this.dir, 'var');
  }

  async startDaemon(): Promise<void> {
    const host = new DaemonHost({
      config: this.plan.config(this.rs.sim, this.varDir),
      startMs: this.clock.nowMs() + this.time.skewMs,
      sharedNow: this.time.buffer,
      logLevel: this.o.logLevel ?? (this.o.keepDir ? 'info' : 'silent'),
      ...(this.o.keepDir ? { logFile: join(this.dir, 'kisd.log') } : {}),
      sessionWindows: [SESSION],
    });
    this.host = host;
    this.time.daemonAlive = true;
    // Start-up needs real I/O and virtual time (token, calendar, reconciliation): both clocks step meanwhile.
    await this.stepUntil(host.ready, 'daemon start-up');
  }

  /** Restarts the daemon: `kill` drops it like SIGKILL (no stop), else a graceful stop; then a new one from disk. */
  async restart(kill: boolean): Promise<void> {
    if (kill) {
      this.time.daemonAlive = false;
      await this.host!.kill();
      this.rs.dropConnections();
    } else {
      const host = this.host!;
      await this.stepUntil((await host.stop()).stopped, 'graceful stop');
      this.time.daemonAlive = false;
      await host.terminate();
    }
    await this.startDaemon();
  }

  /** Steps both clocks by 20 ms with I/O turns until the promise settles (bounded: 10 virtual minutes). */
  private async stepUntil(p: Promise<unknown>, what: string): Promise<void> {
    let done = false;
    p.then(() => (done = true), () => (done = true));
    for (let advanced = 0; !done; advanced += 20) {
      if (advanced > 600_000) throw new Error(`week replay: ${what} still pending after 10 virtual minutes`);
      await new Promise((r) => setTimeout(r, 0));
      if (!done) await this.step(20);
    }
    await p;
  }

  async setSkew(skewMs: number): Promise<void> {
    this.time.skewMs = skewMs;
    await this.host!.setNow(this.clock.nowMs() + skewMs);
  }

  schedule(events: readonly FaultEvent[]): void {
    this.events.push(...events);
    this.events.sort((a, b) => a.atMs - b.atMs);
  }

  note(kind: string): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
  }

  async advanceTo(targetMs: number): Promise<void> {
    while (this.clock.nowMs() < targetMs) {
      const next = this.events[0];
      if (next && next.atMs <= this.clock.nowMs()) {
        this.events.shift();
        this.note(next.kind);
        await next.apply(this);
        continue;
      }
      const until = Math.min(targetMs, next?.atMs ?? Infinity);
      await this.step(Math.min(until - this.clock.nowMs(), this.stepMs()));
    }
  }

  /**
   * 1 s around the session (ticks, strategy timers, orders) and while a reply is overdue (an injected hang);
   * 45 s while a realtime socket is open (the simulator's pings, sent at a step's start, must reach it within its
   * 60 s silence watchdog); 5 min otherwise.
   */
  private inSession(): boolean {
    const hhmm = kstDateTime(this.clock.nowMs()).toFormat('HH:mm');
    return hhmm >= SESSION[0] && hhmm < SESSION[1];
  }

  private stepMs(): number {
    const hhmm = kstDateTime(this.clock.nowMs()).toFormat('HH:mm');
    if ((this.host?.inFlight ?? 0) > 0 || (hhmm >= '08:59' && hhmm < this.plan.closeEndsAt)) return 1_000;
    if (this.host?.socket !== 'closed') return 45_000;
    return 300_000;
  }

  private trace = { hour: '', t: performance.now(), steps: 0, inflight: 0, simMs: 0, daemonMs: 0 };

  private async step(ms: number): Promise<void> {
    if (process.env['KISD_REPLAY_TRACE']) {
      const hour = kstDateTime(this.clock.nowMs()).toFormat('ccc HH');
      if (hour !== this.trace.hour) {
        const ws = this.rs.ws.stats();
        process.stderr.write(`${this.trace.hour}: ${(performance.now() - this.trace.t).toFixed(0)} ms real (sim ${this.trace.simMs.toFixed(0)}, daemon ${this.trace.daemonMs.toFixed(0)}), ${this.trace.steps} steps (${this.trace.inflight} in flight) rest ${this.rs.sim.stats.snapshot().total} ws frames ${ws.framesSent} records ${ws.recordsSent} pings ${ws.pingsSent} regs ${ws.registrations}\n`);
        this.trace = { hour, t: performance.now(), steps: 0, inflight: 0, simMs: 0, daemonMs: 0 };
      }
      this.trace.steps++;
      if ((this.host?.inFlight ?? 0) > 0) this.trace.inflight++;
    }
    // The simulator's timers (matcher, tick generator, pings) only write to sockets: a synchronous tick is
    // enough, and the daemon's asynchronous one follows, waiting for replies timer by timer.
    const t0 = performance.now();
    this.clock.fake.tick(ms);
    this.rs.pushTicks(this.inSession() ? 4 : 1);
    const t1 = performance.now();
    await this.host!.tick(ms);
    this.trace.simMs += t1 - t0;
    this.trace.daemonMs += performance.now() - t1;
    await new Promise((r) => setImmediate(r));
  }

  async facts(iso: string): Promise<DayFacts> {
    const probe = await this.host!.probe();
    return { iso, probe, varDir: this.varDir, sim: this.rs.sim, ws: this.rs.ws };
  }
}
