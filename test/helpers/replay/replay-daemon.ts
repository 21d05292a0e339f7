// One kisd daemon (startDaemon, the composition root of `kisd run`) in this process, on the replay's one fake
// clock seen through a killable window. kill() is the in-process SIGKILL: every timer the daemon armed is
// dropped and none it arms later ever fires, its sleeps never end, and the simulator destroys its connections,
// so from that instant it neither sends nor (no timer, no reply) writes again; the replay kills only between
// steps, after the daemon's I/O has drained. A new ReplayDaemon then rebuilds from the same var dir.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { clockFrom, type Clock, type TimerHandle } from '../../../src/core/clock.js';
import { compileConfig } from '../../../src/config/load.js';
import { preflight } from '../../../src/daemon/preflight.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import type { CrashPoint } from '../../../src/trade/orders/options.js';
import type { JournalOrder } from '../../../src/trade/orders/types.js';
import type { FakeClock } from '../fake-clock.js';
import { feedGapTracker } from './feed-gaps.js';
import type { DaemonProbe } from './probe.js';

/** A view of the fake clock whose wall time is shifted by skew() and whose timers die with kill(). */
function killableClock(base: FakeClock, skew: () => number): Clock & { kill(): void } {
  const live = new Set<TimerHandle>();
  let dead = false;
  const clock = clockFrom({
    now: () => base.nowMs() + skew(),
    mono: () => base.monotonicMs(),
    setTimeout: (fn, ms) => {
      if (dead) return {};
      const h: TimerHandle = base.setTimeout(() => {
        live.delete(h);
        if (!dead) fn();
      }, ms);
      live.add(h);
      return h;
    },
    clearTimeout: (h) => {
      if (live.delete(h as TimerHandle)) base.clearTimeout(h as TimerHandle);
    },
    setInterval: (fn, ms) => {
      if (dead) return {};
      const h = base.setInterval(() => {
        if (!dead) fn();
      }, ms);
      live.add(h);
      return h;
    },
    clearInterval: (h) => {
      if (live.delete(h as TimerHandle)) base.clearInterval(h as TimerHandle);
    },
  });
  return {
    ...clock,
    kill: () => {
      dead = true;
      for (const h of live) {
        base.clearTimeout(h);
        base.clearInterval(h);
      }
      live.clear();
    },
  };
}

/** The alerts the replay's daemons sent (JSON lines: atMs, key, level, title), next to the var dir. */
export const replayAlertsFile = (varDir: string): string => join(varDir, '..', 'replay-alerts.jsonl');

export interface ReplayDaemonOptions {
  config: Record<string, unknown>;
  clock: FakeClock;
  /** Host clock minus the simulator's, ms (read at every clock reading: a skew fault steps it). */
  skew: () => number;
  logLevel: string;
  logFile?: string;
  /** KST "HH:MM" windows in which feed gaps count (the KR session). */
  sessionWindows: readonly (readonly [string, string])[];
  /**
   * Called at each crash point of the order path (journal written, request not sent, reply in hand, ack
   * committed); true kills the daemon right there, as SIGKILL would.
   */
  onOrderCrashPoint?: (point: CrashPoint, order: JournalOrder | undefined) => boolean;
}

export class ReplayDaemon {
  readonly ready: Promise<void>;
  private daemon: Daemon | undefined;
  private readonly clock: Clock & { kill(): void };
  private readonly gaps;
  private readonly log: Logger;
  /** Gross exposures (KRW) the risk gate refused an order over, since the last probe. */
  private grossRefusals: number[] = [];
  /** REST requests sent and not yet answered. */
  inFlight = 0;
  dead = false;

  constructor(private readonly o: ReplayDaemonOptions) {
    this.clock = killableClock(o.clock, o.skew);
    this.gaps = feedGapTracker(o.sessionWindows);
    // Warnings are always read (exposure refusals are an invariant's evidence); the file gets o.logLevel and up.
    const file = o.logFile;
    const toFile = pino.levels.values[o.logLevel] ?? Infinity;
    // Every WARNING or ERROR alert the daemon sends (its only sink here is the log, which alert_history does not
    // record), kept across restarts beside the var dir: a phase that did not run must be explained by one.
    const alertsFile = replayAlertsFile(String((o.config['paths'] as { var_dir: string }).var_dir));
    this.log = pino(
      {
        level: o.logLevel === 'silent' || toFile > pino.levels.values['warn']! ? 'warn' : o.logLevel,
        // Virtual time (the daemon's, skew included) as "time", the real instant beside it: a kept log is read
        // against the simulated day.
        timestamp: () => `,"time":${this.clock.nowMs()},"realMs":${Date.now()}`,
      },
      {
        write: (line: string) => {
          const exposure = /gross exposure would reach ([\d,]+) KRW/.exec(line);
          if (exposure) this.grossRefusals.push(Number(exposure[1]!.replaceAll(',', '')));
          if (line.includes('"alertKey"')) {
            const a = JSON.parse(line) as { time: number; alertKey?: string; alertLevel?: string; suppressed?: boolean; msg: string };
            if (a.alertKey !== undefined && a.alertLevel !== undefined) {
              appendFileSync(alertsFile, `${JSON.stringify({ atMs: a.time, key: a.alertKey, level: a.alertLevel, suppressed: a.suppressed === true, title: a.msg })}\n`);
            }
          }
          if (file && (JSON.parse(line) as { level: number }).level >= toFile) appendFileSync(file, line);
        },
      },
    );
    this.ready = this.start();
    this.ready.catch(() => undefined);
  }

  private async start(): Promise<void> {
    const config = compileConfig(this.o.config, 'week-replay');
    const { credentials } = preflight(config, {});
    const d = await startDaemon({ config, credentials, clock: this.clock, logger: this.log, env: {}, orderCrashHook: (point, id) => this.crashPoint(point, id) });
    this.daemon = d;
    d.broker.rest.events.on('attempt', () => this.inFlight++);
    d.broker.rest.events.on('outcome', () => this.inFlight--);
    // Gaps are timed on the replay's clock, not the daemon's skewed one: the injected outages that excuse them and
    // the KRX session that pushes the ticks are on the simulator's time. (Timed with the skew, a WebSocket drop's
    // reconnect gap on a day the host clock ran 24.5 s slow fell 24.5 s before the drop's outage: seed 17, 10 s
    // gaps reported as violations on 2026-12-09.)
    d.feed.bus.subscribe((e) => this.gaps.onEvent(e.kind, this.o.clock.nowMs()), { name: 'week-replay-gaps', capacity: 4096, dropPolicy: 'drop-oldest' });
  }

  /** The realtime socket's state ('closed' when none is open or the daemon is not up). */
  get socket(): string {
    return this.daemon?.feed.feed.status().socketState ?? 'closed';
  }

  probe(): DaemonProbe {
    const d = this.daemon;
    if (!d) throw new Error('week replay: probe of a daemon that is not running');
    return {
      nowMs: this.clock.nowMs(),
      orders: d.orders.ordersOfDay().map((x) => ({ ...x })),
      openOrders: d.orders.openOrders().length,
      positions: d.orders.positions().map((p) => ({ symbol: p.symbol, qty: p.qty })),
      feedGaps: this.gaps.take(),
      grossRefusalsKrw: this.grossRefusals.splice(0),
    };
  }

  /** Graceful stop (SIGTERM); needs virtual time, so the caller steps the clock until it settles. */
  stop(): Promise<unknown> {
    this.dead = true;
    return this.daemon ? this.daemon.stop(20_000) : Promise.resolve();
  }

  /**
   * The order path's crash hook: once this daemon is dead (killed here or between steps) every order path of it
   * halts at its next crash point, forever — a dead process sends nothing and writes nothing more.
   */
  private crashPoint(point: CrashPoint, clientOrderId: string): void | Promise<never> {
    if (!this.dead && this.o.onOrderCrashPoint?.(point, this.daemon?.orders.get(clientOrderId))) this.kill();
    if (this.dead) return new Promise<never>(() => undefined);
  }

  /** SIGKILL, between two steps. */
  kill(): void {
    this.dead = true;
    this.clock.kill();
  }
}
