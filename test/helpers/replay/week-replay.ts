// The week replay (issue 9): the whole daemon (startDaemon, in a worker thread) against the simulator on one
// virtual clock, Monday 04:00 to Sunday 24:00 KST with a KRX holiday, a seeded fault schedule per day, and the
// invariants checked after every day. Real loopback I/O happens in real time while virtual time jumps, so the
// clock moves in steps sized to what is going on: 20 ms while a REST request is in flight, 1 s in the session,
// 15 s across idle hours; each step gives both event loops I/O turns before the next.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kstDateTime, kstInstant } from '../../../src/core/kst.js';
import { createFakeClock, type FakeClock } from '../fake-clock.js';
import { DaemonHost } from './daemon-host.js';
import { checkDay, type DayFacts, type Violation } from './invariants.js';
import { drawWeekPlan, type FaultEvent, type WeekPlan } from './fault-plan.js';
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

const SESSION: readonly [string, string] = ['09:00', '15:30'];
/** The longest in-session stretch without a KR tick or notice outside injected outages (a reconnect's budget). */
const FEED_GAP_BUDGET_MS = 5_000;

/** Runs one seeded week; never throws for a violation (they are returned), only for a broken harness. */
export async function runWeek(o: WeekOptions): Promise<WeekResult> {
  const t0 = performance.now();
  const plan = drawWeekPlan(o.seed);
  const dir = mkdtempSync(join(tmpdir(), `kisd-week-${o.seed}-`));
  const clock = createFakeClock(kstInstant(`${plan.days[0]!.iso} 04:00:00`));
  const rs = await startReplaySim({ clock, seed: o.seed, holidays: [plan.holiday] });
  const world = new ReplayWorld(clock, rs, plan, dir, o);
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

/** What a step of the replay needs: the clock, the simulator, the live daemon and the pending fault events. */
class ReplayWorld {
  host: DaemonHost | undefined;
  /** Host clock minus the simulator's, ms. */
  skewMs = 0;
  readonly injected: Record<string, number> = {};
  /** Injected outages of the feed or of KIS, [from, to) epoch ms: feed gaps inside them are expected. */
  readonly outages: [number, number][] = [];
  private events: FaultEvent[] = [];

  constructor(
    readonly clock: FakeClock,
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
      startMs: this.clock.nowMs() + this.skewMs,
      logLevel: this.o.logLevel ?? (this.o.keepDir ? 'info' : 'silent'),
      ...(this.o.keepDir ? { logFile: join(this.dir, 'kisd.log') } : {}),
      sessionWindows: [SESSION],
    });
    this.host = host;
    // Start-up needs real I/O and virtual time (token, calendar, reconciliation): both clocks step meanwhile.
    await this.stepUntil(host.ready, 'daemon start-up');
  }

  /** Restarts the daemon: `kill` drops it like SIGKILL (no stop), else a graceful stop; then a new one from disk. */
  async restart(kill: boolean): Promise<void> {
    if (kill) {
      await this.host!.kill();
      this.rs.dropConnections();
    } else {
      const host = this.host!;
      await this.stepUntil((await host.stop()).stopped, 'graceful stop');
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

  private stepMs(): number {
    if ((this.host?.inFlight ?? 0) > 0) return 20;
    const hhmm = kstDateTime(this.clock.nowMs()).toFormat('HH:mm');
    if (hhmm >= '08:59' && hhmm < '15:31') return 1_000;
    return 15_000;
  }

  private trace = { hour: '', t: performance.now(), steps: 0, inflight: 0 };

  private async step(ms: number): Promise<void> {
    if (process.env['KISD_REPLAY_TRACE']) {
      const hour = kstDateTime(this.clock.nowMs()).toFormat('ccc HH');
      if (hour !== this.trace.hour) {
        process.stderr.write(`${this.trace.hour}: ${(performance.now() - this.trace.t).toFixed(0)} ms real, ${this.trace.steps} steps (${this.trace.inflight} in flight)\n`);
        this.trace = { hour, t: performance.now(), steps: 0, inflight: 0 };
      }
      this.trace.steps++;
      if ((this.host?.inFlight ?? 0) > 0) this.trace.inflight++;
    }
    await this.clock.tickAsync(ms);
    await this.host!.tick(ms);
    await new Promise((r) => setImmediate(r));
  }

  async facts(iso: string): Promise<DayFacts> {
    const probe = await this.host!.probe();
    return { iso, probe, varDir: this.varDir, sim: this.rs.sim, ws: this.rs.ws };
  }
}

export type { ReplayWorld };
