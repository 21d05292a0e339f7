// The week replay (issue 9): the whole daemon (startDaemon, as `kisd run` builds it) against the simulator on one
// virtual clock, Monday 04:00 to Sunday 24:00 KST with a KRX holiday, a seeded fault schedule per day, and the
// invariants checked after every day. Real loopback I/O happens in real time while virtual time jumps, so the
// clock moves timer by timer and, whenever a timer has started a REST request, stands still (real I/O turns)
// until the reply is in; steps are 1 s around the session, 45 s while a realtime socket is open, 5 min otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kstDateTime, kstInstant, kstMinuteOfDay, parseHhMm } from '../../../src/core/kst.js';
import { createFakeClock, type FakeClock } from '../fake-clock.js';
import { checkDay, type Violation } from './invariants.js';
import { drawWeekPlan, type WeekPlan } from './fault-plan.js';
import type { FaultEvent, FaultTarget, OrderKill } from './faults.js';
import type { CrashPoint } from '../../../src/trade/orders/options.js';
import { fileSystemBusy, settleFileSystem } from './pending-io.js';
import { ReplayDaemon } from './replay-daemon.js';
import { startReplaySim, type ReplaySim } from './replay-sim.js';

export interface WeekResult {
  seed: number;
  days: number;
  faults: Record<string, number>;
  violations: Violation[];
  realMs: number;
  /** The kept var dir (keepDir). */
  dir?: string;
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
/**
 * Real time a step waits for REST replies before virtual time moves on. Every fault drawn today ends a request
 * by real I/O (a reset), so a step normally waits only as long as the loopback round trip; the cap is for a
 * hung reply, which then times out virtually. It was 50 ms, which a loopback reply can exceed on a loaded
 * machine (load 10+ on 2 cores), letting virtual time run past a reply that was on its way.
 */
const DRAIN_REAL_MS = 3_000;

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
    const ownNet: Record<string, number> = {};
    for (const day of plan.days) {
      world.schedule(day.events);
      await world.advanceTo(kstInstant(`${day.iso} 23:30:00`));
      const facts = { iso: day.iso, probe: world.daemon!.probe(), varDir: world.varDir, sim: rs.sim, ws: rs.ws };
      violations.push(...checkDay(facts, { seed: o.seed, day: day.iso, plan, outages: world.outages, feedGapBudgetMs: FEED_GAP_BUDGET_MS, counters, ownNet }));
      await world.advanceTo(kstInstant(`${day.iso} 00:00:00`) + 86_400_000);
    }
    return { seed: o.seed, days: plan.days.length, faults: world.injected, violations, realMs: performance.now() - t0, ...(o.keepDir ? { dir } : {}) };
  } finally {
    if (world.daemon && !world.daemon.dead) await world.stopDaemon().catch(() => world.daemon?.kill());
    await rs.close();
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** What a step of the replay needs: the clock, the simulator, the live daemon and the pending fault events. */
class ReplayWorld implements FaultTarget {
  daemon: ReplayDaemon | undefined;
  /** Host clock minus the simulator's, ms. */
  skewMs = 0;
  readonly injected: Record<string, number> = {};
  readonly outages: [number, number][] = [];
  private events: FaultEvent[] = [];
  private restarts = 0;
  /** An armed kill on the order path (faults.ts 'order-path-kill'), and a daemon it killed awaiting its restart. */
  private orderKill: OrderKill | undefined;
  private killedOnOrderPath = false;

  constructor(
    readonly clock: FakeClock,
    readonly rs: ReplaySim,
    readonly plan: WeekPlan,
    readonly dir: string,
    readonly o: WeekOptions,
  ) {
    this.minutes = { session: SESSION.map(parseHhMm), fineFrom: parseHhMm('08:59'), closeEnds: parseHhMm(plan.closeEndsAt) };
  }

  /**
   * KST minutes of day of the session, of the 1 s stepping's start (08:59) and of the close's end: read at every
   * step, as numbers (formatting the instant with luxon there cost 2 of a week's 12 real seconds).
   */
  private readonly minutes: { session: number[]; fineFrom: number; closeEnds: number };

  get varDir(): string {
    return join(this.dir, 'var');
  }

  async startDaemon(): Promise<void> {
    const d = new ReplayDaemon({
      config: this.plan.config(this.rs.sim, this.varDir),
      clock: this.clock,
      skew: () => this.skewMs,
      logLevel: this.o.logLevel ?? (this.o.keepDir ? 'info' : 'silent'),
      ...(this.o.keepDir ? { logFile: join(this.dir, `kisd-${this.restarts++}.log`) } : {}),
      sessionWindows: [SESSION],
      onOrderCrashPoint: (point, order) => this.onOrderCrashPoint(point, order),
    });
    this.daemon = d;
    // Start-up needs real I/O and virtual time (token, calendar, reconciliation).
    await this.stepUntil(d.ready, 'daemon start-up');
  }

  async stopDaemon(): Promise<void> {
    await this.stepUntil(this.daemon!.stop(), 'graceful stop');
  }

  async restart(kill: boolean): Promise<void> {
    if (kill) {
      this.daemon!.kill();
      this.rs.dropConnections();
    } else await this.stopDaemon();
    await this.startDaemon();
  }

  setSkew(skewMs: number): void {
    this.skewMs = skewMs;
  }

  armOrderKill(kill: OrderKill | undefined): void {
    this.orderKill = kill;
  }

  /** Called by the daemon's order path at each crash point: true kills it there (ReplayDaemon halts the path). */
  private onOrderCrashPoint(point: CrashPoint, order: { strategy: string } | undefined): boolean {
    const k = this.orderKill;
    if (!k || k.point !== point || (k.closeOutOnly && order?.strategy !== 'market-close')) return false;
    this.orderKill = undefined;
    this.killedOnOrderPath = true;
    const kind = `order-path-kill:${k.closeOutOnly ? 'close-out:' : ''}${point}`;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    const now = this.clock.nowMs();
    this.outages.push([now, now + 60_000]);
    this.rs.dropConnections();
    return true;
  }

  schedule(events: readonly FaultEvent[]): void {
    this.events.push(...events);
    this.events.sort((a, b) => a.atMs - b.atMs);
  }

  async advanceTo(targetMs: number): Promise<void> {
    while (this.clock.nowMs() < targetMs) {
      if (this.killedOnOrderPath) {
        this.killedOnOrderPath = false;
        await this.startDaemon();
        continue;
      }
      const next = this.events[0];
      if (next && next.atMs <= this.clock.nowMs()) {
        this.events.shift();
        await this.apply(next);
        continue;
      }
      const until = Math.min(targetMs, next?.atMs ?? Infinity);
      await this.step(Math.min(until - this.clock.nowMs(), this.stepMs()));
    }
  }

  private async apply(e: FaultEvent): Promise<void> {
    this.injected[e.kind] = (this.injected[e.kind] ?? 0) + 1;
    await e.apply(this);
  }

  /**
   * While a daemon starts up: the due events that do not stop or start it. KIS coming back after an outage must
   * not wait for a start-up that waits for KIS (seed 103 killed kisd during an outage; its restart retried KIS
   * for 10 virtual minutes while the outage's end stayed queued, and the harness gave up).
   */
  private async applyDueWorldEvents(): Promise<void> {
    const now = this.clock.nowMs();
    for (let i = 0; i < this.events.length && this.events[i]!.atMs <= now; ) {
      const e = this.events[i]!;
      if (e.lifecycle) i++;
      else {
        this.events.splice(i, 1);
        await this.apply(e);
      }
    }
  }

  private inSession(): boolean {
    const m = kstMinuteOfDay(this.clock.nowMs());
    return m >= this.minutes.session[0]! && m < this.minutes.session[1]!;
  }

  /**
   * 1 s around the session (ticks, strategy timers, orders) and while a reply is overdue (an injected hang);
   * 45 s while a realtime socket is open (the simulator's pings must reach it within its 60 s silence
   * watchdog); 5 min otherwise.
   */
  private stepMs(): number {
    const m = kstMinuteOfDay(this.clock.nowMs());
    if ((this.daemon?.inFlight ?? 0) > 0 || (m >= this.minutes.fineFrom && m < this.minutes.closeEnds)) return 1_000;
    if (this.daemon?.socket !== 'closed') return 45_000;
    return 300_000;
  }

  /** Moves virtual time by ms, timer by timer, draining REST replies in real time after each. */
  private trace = { on: process.env['KISD_REPLAY_TRACE'] !== undefined, hour: '', t: performance.now(), steps: 0 };

  private async step(ms: number): Promise<void> {
    if (this.trace.on) {
      const hour = kstDateTime(this.clock.nowMs()).toFormat('ccc HH');
      if (hour !== this.trace.hour) {
        process.stderr.write(`${this.trace.hour}: ${(performance.now() - this.trace.t).toFixed(0)} ms real, ${this.trace.steps} steps, ${this.rs.sim.stats.snapshot().total} requests\n`);
        this.trace = { on: true, hour, t: performance.now(), steps: 0 };
      }
      this.trace.steps++;
    }
    this.rs.pushTicks(this.inSession() ? 2 : 1);
    // One timer per turn, as Node runs them (microtasks drain between two callbacks), then a real macrotask turn
    // for loopback I/O: fake.next() + one setImmediate costs about a third of a tickAsync to the same instant,
    // and a week fires a few hundred thousand timers.
    const fake = this.clock.fake as unknown as { now: number; next(): number; tick(ms: number): number; timerHeap?: { peek(): { callAt: number } | undefined } };
    const target = fake.now + ms;
    while (fake.now < target) {
      const next = fake.timerHeap?.peek()?.callAt;
      if (next !== undefined && next <= target) {
        if (next < fake.now) throw new Error(`week replay: a timer is due at ${next}, before now (${fake.now})`);
        fake.next();
      } else fake.tick(target - fake.now);
      await new Promise((r) => setImmediate(r));
      await this.drain();
    }
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    await this.drain();
  }

  private async drain(): Promise<void> {
    const d = this.daemon;
    if (!d) return;
    const until = performance.now() + DRAIN_REAL_MS;
    for (;;) {
      // File writes (completion records, batch files, checkpoints) finish in real time before virtual time moves.
      if (fileSystemBusy()) await settleFileSystem();
      if (d.inFlight === 0 || performance.now() >= until) return;
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Steps the clock by 20 ms with I/O turns until the promise settles (bounded: 10 virtual minutes). */
  private async stepUntil(p: Promise<unknown>, what: string): Promise<void> {
    let done = false;
    p.then(() => (done = true), () => (done = true));
    for (let advanced = 0; !done; advanced += 20) {
      if (advanced > 600_000) throw new Error(`week replay: ${what} still pending after 10 virtual minutes`);
      await new Promise((r) => setImmediate(r));
      if (!done) await this.applyDueWorldEvents();
      if (!done) await this.step(20);
    }
    await p;
  }
}
