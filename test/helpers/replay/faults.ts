// The fault kinds the week replay draws from (issue 9), each as events at seeded instants of a day. A kind whose
// invariants fail today because of an open bug is held back (listed in HELD_BACK with the bug); set
// KISD_REPLAY_FAULTS=all (or a comma list) to draw it anyway and see the violations it finds.
import { kstInstant } from '../../../src/core/kst.js';
import { mulberry32 } from '../../../src/sim/market/prng.js';
import type { CrashPoint } from '../../../src/trade/orders/options.js';
import type { ReplaySim } from './replay-sim.js';

/** What a fault event may do to the replay (week-replay.ts's world implements it). */
export interface FaultTarget {
  readonly rs: ReplaySim;
  /** Injected outages [from, to) epoch ms: feed gaps inside them are expected. */
  readonly outages: [number, number][];
  /** Restarts the daemon from its var dir: `kill` drops it like SIGKILL, else a graceful stop. */
  restart(kill: boolean): Promise<void>;
  /** Steps the host clock to the simulator's plus skewMs. */
  setSkew(skewMs: number): void;
  /** Stops the daemon gracefully (SIGTERM) and leaves it down until startDaemon(). */
  stopDaemon(): Promise<void>;
  /** Starts a daemon from the var dir (restart recovery runs what it missed). */
  startDaemon(): Promise<void>;
  /** Arms (or, undefined, disarms) a kill at the next order's crash point. */
  armOrderKill(kill: OrderKill | undefined): void;
}

/** Kill the daemon when the next order reaches this crash point (only a market-close order, if closeOutOnly). */
export interface OrderKill {
  point: CrashPoint;
  closeOutOnly: boolean;
}

const CRASH_POINTS: readonly CrashPoint[] = ['after-new', 'after-sent', 'after-reply', 'after-ack'];

export interface FaultEvent {
  atMs: number;
  kind: string;
  apply(world: FaultTarget): Promise<void> | void;
  /**
   * Stops, kills or starts the daemon. Such an event waits while a daemon is starting up; every other event (KIS
   * and socket faults, their end, the clock, arming a kill) applies on time even then, as the world it changes
   * does not wait for kisd.
   */
  lifecycle?: true;
}

export const FAULT_KINDS = [
  'ws-drop',
  'idle-cut',
  'token-revoked',
  'approval-key-rejected',
  'restart-kill',
  'restart-kill-at-close',
  'restart-graceful',
  'kis-unreachable',
  'reply-lost',
  'clock-skew',
  'operator-holdings',
  'late-screening',
  'order-path-kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds not drawn yet, each with the open bug it would trip (remove a line once its fix is on main). */
export const HELD_BACK: Partial<Record<FaultKind, string>> = {};

/** Kinds not drawn by the replay (none: every kind of issue 9 has an event builder). */
export const NOT_DRAWN = [] as const;

/** Restarts and KIS faults a late-screening day's down window drops (they would start the daemon early). */
const DOWN_WINDOW_CLASHES: readonly string[] = ['restart-kill', 'restart-graceful', 'kis-unreachable', 'kis-reachable-again', 'reply-lost', 'token-revoked', 'approval-key-rejected', 'idle-cut'];

/** How long a realtime outage may show as a feed gap: reconnect back-off, approval key, resubscription. */
const FEED_OUTAGE_MS = 60_000;

export function enabledKinds(env: string | undefined = process.env['KISD_REPLAY_FAULTS']): FaultKind[] {
  if (env === 'all') return [...FAULT_KINDS];
  if (env) return env.split(',').map((k) => k.trim()).filter((k): k is FaultKind => (FAULT_KINDS as readonly string[]).includes(k));
  return FAULT_KINDS.filter((k) => HELD_BACK[k] === undefined);
}

interface DayDraw {
  iso: string;
  tradingDay: boolean;
  rnd: () => number;
}

/** A PRNG per (seed, day, kind): enabling or holding back one kind does not move another's instants. */
export function kindRandom(seed: number, dayIndex: number, kind: string): () => number {
  let h = (seed * 1_000_003 + dayIndex * 7_919) >>> 0;
  for (const c of kind) h = (Math.imul(h ^ c.charCodeAt(0), 16_777_619) + 1) >>> 0;
  return mulberry32(h);
}

/** An instant between two KST times of the day ("HH:MM:SS"), drawn uniformly. */
function between(d: DayDraw, from: string, to: string): number {
  const a = kstInstant(`${d.iso} ${from}`);
  const b = kstInstant(`${d.iso} ${to}`);
  return a + Math.floor(d.rnd() * (b - a));
}

const outage = (w: FaultTarget, atMs: number, ms: number): void => void w.outages.push([atMs, atMs + ms]);

/** The events of one kind on one day (none when the kind does not apply to the day). */
const BUILDERS: Record<Exclude<FaultKind, 'operator-holdings'>, (d: DayDraw) => FaultEvent[]> = {
  'ws-drop': (d) => {
    if (!d.tradingDay) return [];
    // A drop every few minutes through the session.
    const out: FaultEvent[] = [];
    for (let t = between(d, '09:02:00', '09:06:00'); t < kstInstant(`${d.iso} 09:28:00`); t += 180_000 + Math.floor(d.rnd() * 240_000)) {
      out.push({ atMs: t, kind: 'ws-drop', apply: (w) => { outage(w, t, FEED_OUTAGE_MS); w.rs.ws.faults.abruptClose(); } });
    }
    return out;
  },
  'idle-cut': (d) => {
    // KIS cutting the socket (no close frame) outside the session while the KR feed is up.
    if (!d.tradingDay) return [];
    const t = d.rnd() < 0.5 ? between(d, '08:35:00', '08:55:00') : between(d, '09:40:00', '15:00:00');
    return [{ atMs: t, kind: 'idle-cut', apply: (w) => w.rs.ws.faults.abruptClose() }];
  },
  'token-revoked': (d) => {
    if (!d.tradingDay) return [];
    const t = between(d, '09:01:00', '09:25:00');
    return [{ atMs: t, kind: 'token-revoked', apply: (w) => w.rs.sim.auth.revokeAllTokens() }];
  },
  'approval-key-rejected': (d) => {
    if (!d.tradingDay) return [];
    // The key is revoked and the socket cut: the reconnect presents a key KIS refuses.
    const t = between(d, '09:05:00', '09:25:00');
    return [{ atMs: t, kind: 'approval-key-rejected', apply: (w) => { outage(w, t, FEED_OUTAGE_MS); w.rs.sim.approvals.revokeAll(); w.rs.ws.faults.abruptClose(); } }];
  },
  'restart-kill': (d) => {
    const r = d.rnd();
    const t = !d.tradingDay || r < 0.3 ? between(d, '19:00:00', '23:00:00') : r < 0.7 ? between(d, '09:00:30', '09:29:00') : between(d, '05:00:00', '08:55:00');
    return [{ atMs: t, kind: 'restart-kill', lifecycle: true, apply: async (w) => { outage(w, t, FEED_OUTAGE_MS); await w.restart(true); } }];
  },
  'restart-kill-at-close': (d) => {
    if (!d.tradingDay) return [];
    const t = between(d, '09:35:00', '09:35:03');
    return [{ atMs: t, kind: 'restart-kill-at-close', lifecycle: true, apply: (w) => w.restart(true) }];
  },
  'restart-graceful': (d) => {
    const t = between(d, '00:30:00', '23:00:00');
    return [{ atMs: t, kind: 'restart-graceful', lifecycle: true, apply: async (w) => { outage(w, t, FEED_OUTAGE_MS); await w.restart(false); } }];
  },
  'kis-unreachable': (d) => {
    if (!d.tradingDay) return [];
    const t = between(d, '09:03:00', '09:18:00');
    const ms = 60_000 + Math.floor(d.rnd() * 120_000);
    let id = '';
    return [
      { atMs: t, kind: 'kis-unreachable', apply: (w) => { outage(w, t, ms + FEED_OUTAGE_MS); id = w.rs.sim.faults.add({ kind: 'reset' }); } },
      { atMs: t + ms, kind: 'kis-reachable-again', apply: (w) => w.rs.sim.faults.remove(id) },
    ];
  },
  'reply-lost': (d) => {
    if (!d.tradingDay) return [];
    const t = between(d, '09:00:00', '09:15:00');
    return [{ atMs: t, kind: 'reply-lost', apply: (w) => void w.rs.sim.faults.add({ kind: 'reset', afterAccept: true, count: 1, match: { path: '/uapi/domestic-stock/v1/trading/order-cash' } }) }];
  },
  'order-path-kill': (d) => {
    if (!d.tradingDay) return [];
    // The daemon dies on the path of the next order after t: with the order journaled but not sent, sent but
    // unanswered... (CrashPoint). In the session (an entry or exit), or at the market close (a flatten sell).
    const point = CRASH_POINTS[Math.floor(d.rnd() * CRASH_POINTS.length)]!;
    const closeOutOnly = d.rnd() < 0.3;
    const t = closeOutOnly ? between(d, '09:34:00', '09:34:59') : between(d, '09:03:00', '09:20:00');
    const end = kstInstant(`${d.iso} ${closeOutOnly ? '09:40:00' : '09:30:00'}`);
    return [
      { atMs: t, kind: 'order-path-kill-armed', apply: (w) => w.armOrderKill({ point, closeOutOnly }) },
      { atMs: end, kind: 'order-path-kill-disarmed', apply: (w) => w.armOrderKill(undefined) },
    ];
  },
  'late-screening': (d) => {
    if (!d.tradingDay) return [];
    // kisd is down at dawn (stopped before the 06:00 screening) and comes back after selection's 07:00 start or
    // after the 09:00 session start: screening and selection finish late, and restart recovery must still run
    // them, then let the session trade the day (or alert what it could not run).
    const down = between(d, '05:40:00', '05:55:00');
    const up = d.rnd() < 0.5 ? between(d, '07:00:30', '07:20:00') : between(d, '09:00:30', '09:12:00');
    return [
      { atMs: down, kind: 'late-screening', lifecycle: true, apply: (w) => { outage(w, down, up - down + FEED_OUTAGE_MS); return w.stopDaemon(); } },
      { atMs: up, kind: 'late-screening-up', lifecycle: true, apply: (w) => w.startDaemon() },
    ];
  },
  'clock-skew': (d) => {
    const skew = Math.round((d.rnd() * 2 - 1) * 30_000);
    return [{ atMs: between(d, '04:10:00', '04:20:00'), kind: 'clock-skew', apply: (w) => w.setSkew(skew) }];
  },
};

/** Kinds drawn less often than p: a morning without kisd leaves the day's other faults little to hit. */
const DRAW_PROBABILITY: Partial<Record<FaultKind, number>> = { 'late-screening': 0.2 };

/** The day's fault events: each enabled kind is drawn with probability p (or its own, DRAW_PROBABILITY). */
export function drawDayFaults(d: { seed: number; dayIndex: number; iso: string; tradingDay: boolean }, kinds: readonly FaultKind[], p = 0.5): FaultEvent[] {
  const out: FaultEvent[] = [];
  for (const kind of kinds) {
    if (kind === 'operator-holdings') continue;
    const rnd = kindRandom(d.seed, d.dayIndex, kind);
    if (rnd() < (DRAW_PROBABILITY[kind] ?? p)) out.push(...BUILDERS[kind]({ iso: d.iso, tradingDay: d.tradingDay, rnd }));
  }
  // While kisd is down for a late screening, nothing may restart it or need it.
  const down = out.find((e) => e.kind === 'late-screening');
  const up = out.find((e) => e.kind === 'late-screening-up');
  if (down && up) return out.filter((e) => !(DOWN_WINDOW_CLASHES.includes(e.kind) && e.atMs >= down.atMs && e.atMs <= up.atMs + FEED_OUTAGE_MS));
  return out;
}
