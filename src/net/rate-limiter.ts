// One limiter per broker quota (STYLE rule 7): exact sliding 1 s / 1 min / 1 h windows on the monotonic clock,
// as in seed 004 §2.3 (three-window async limits). KIS counts requests per app key per second (EGW00201 when
// exceeded, fact sheet §6), OpenDART per key per minute; every caller sharing a key must draw from one limiter.
// There is no process-wide registry: the composition root builds the limiter from the compiled config
// (kis.rate_limits → config.resolved.rateLimit for KIS) and hands it to every client on the key.
import type { Clock, TimerHandle } from '../core/clock.js';
import { compileWindows, nextGrantAtMs, type BudgetShare, type RateWindows, type RateWindowUsage } from './rate-windows.js';
import { WaiterQueue, type AcquireOptions, type RatePriority } from './waiter-queue.js';

export type { BudgetShare, RateWindows, RateWindowUsage, AcquireOptions, RatePriority };

/** The limiter's settings, as the config compiles them (config.resolved.rateLimit). */
export interface RateLimitSettings {
  windows: RateWindows;
  /**
   * Extra spacing added to every window, default 25 ms. KIS counts by arrival time; network jitter can
   * bunch N+1 requests we sent 1000 ms apart into one server-side second.
   */
  windowSafetyMs?: number;
  /**
   * Minimum gap between two grants, ms (default 0: the windows alone decide). Spreading a second's quota
   * evenly (1000 / perSecond) stops a burst of grants fanned out over the connection pool from arriving as
   * N+1 in one server-side second: measured 12 EGW00201 → 2 on the REST benchmark, same throughput.
   */
  minSpacingMs?: number;
}

export interface RateLimiterOptions extends RateLimitSettings {
  clock: Clock;
}

export interface RateLimiter {
  /** Resolves when a slot is granted (the grant is recorded then). Rejects with AbortedError on abort. */
  acquire(opts?: AcquireOptions): Promise<{ waitedMs: number }>;
  /** Grants nothing before `ms` from now (KIS said EGW00201: every caller on the key backs off). */
  pauseFor(ms: number): void;
  /**
   * Grants no read ('normal'/'bulk') before `ms` from now; orders still go (the REST client's cooldown after
   * consecutive errors). Optional: an in-process limiter leaves it to the client's own gate; a shared budget
   * passes it to every process on the key.
   */
  pauseReadsFor?(ms: number): void;
  /** Waiters not yet granted. */
  readonly pending: number;
  /**
   * Grants inside each window now (the status page's "REST budget in use"). Counted from the grants the
   * limiter keeps, so a window wider than its newest `max(limit)` grants reads at most that many.
   */
  usage?(): RateWindowUsage[];
  /** Set when the budget is shared with other processes: a fresh reading of it and of who shares it. */
  sharedUsage?(): Promise<BudgetShare>;
  /** Releases what the limiter holds outside the process (a shared budget's membership). */
  close?(): Promise<void>;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const { clock } = opts;
  const safetyMs = opts.windowSafetyMs ?? 25;
  const spacingMs = Math.max(0, opts.minSpacingMs ?? 0);
  const windows = compileWindows(opts.windows);
  const keep = Math.max(...windows.map((w) => w.limit));

  // The last `keep` grant instants, oldest first; only the limit-th newest per window matters.
  const grants: number[] = [];
  const queue = new WaiterQueue(clock, () => pump());
  let pausedUntil = -Infinity;
  let timer: TimerHandle | undefined;
  let timerAt = Infinity;

  function nextFreeAt(): number {
    return nextGrantAtMs({ windows, safetyMs, spacingMs, pausedUntilMs: pausedUntil, newest: (k) => grants[grants.length - k] });
  }

  function pump(): void {
    // Bounded: each iteration grants and removes one waiter, or stops.
    while (queue.length > 0) {
      const now = clock.monotonicMs();
      const freeAt = nextFreeAt();
      if (freeAt > now) {
        schedule(freeAt, now);
        return;
      }
      grants.push(now);
      if (grants.length > keep) grants.shift();
      queue.grantHead();
    }
    cancelTimer();
  }

  function schedule(at: number, now: number): void {
    if (timer !== undefined && timerAt === at) return;
    cancelTimer();
    timerAt = at;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      pump();
    }, at - now);
  }

  function cancelTimer(): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
  }

  return {
    acquire: (o: AcquireOptions = {}) => queue.enqueue(o),
    pauseFor(ms: number): void {
      pausedUntil = Math.max(pausedUntil, clock.monotonicMs() + ms);
      pump();
    },
    get pending() {
      return queue.length;
    },
    usage(): RateWindowUsage[] {
      const now = clock.monotonicMs();
      return windows.map((w) => ({ windowMs: w.spanMs, limit: w.limit, used: grants.filter((t) => t > now - w.spanMs).length, waiting: queue.length }));
    },
  };
}
