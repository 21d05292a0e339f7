// One limiter per broker quota (STYLE rule 7): exact sliding 1 s / 1 min / 1 h windows on the monotonic clock,
// as in seed 004 §2.3 (three-window async limits). KIS counts requests per app key per second (EGW00201 when
// exceeded, fact sheet §6), OpenDART per key per minute; every caller sharing a key must draw from one limiter.
// There is no process-wide registry: the composition root builds the limiter from the compiled config
// (kis.rate_limits → config.resolved.rateLimit for KIS) and hands it to every client on the key.
import type { Clock, TimerHandle } from '../core/clock.js';
import { AbortedError } from '../core/errors.js';

export type RatePriority = 'order' | 'normal' | 'bulk';

export interface RateWindows {
  /** Max grants in any 1000 ms. Required. */
  perSecond: number;
  /** Max grants in any 60 s; omit for no per-minute cap (none documented by KIS). */
  perMinute?: number;
  /** Max grants in any 3600 s; omit for no per-hour cap. */
  perHour?: number;
}

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

export interface AcquireOptions {
  /** 'order' jumps ahead of 'normal' (reads), which jumps ahead of 'bulk' (collection). Default 'normal'. */
  priority?: RatePriority;
  signal?: AbortSignal;
}

export interface RateLimiter {
  /** Resolves when a slot is granted (the grant is recorded then). Rejects with AbortedError on abort. */
  acquire(opts?: AcquireOptions): Promise<{ waitedMs: number }>;
  /** Grants nothing before `ms` from now (KIS said EGW00201: every caller on the key backs off). */
  pauseFor(ms: number): void;
  /** Waiters not yet granted. */
  readonly pending: number;
  /**
   * Grants inside each window now (the status page's "REST budget in use"). Counted from the grants the
   * limiter keeps, so a window wider than its newest `max(limit)` grants reads at most that many.
   */
  usage?(): RateWindowUsage[];
}

export interface RateWindowUsage {
  windowMs: number;
  limit: number;
  used: number;
  /** Waiters queued now (the same for every window). */
  waiting: number;
}

const PRIORITY_RANK: Record<RatePriority, number> = { order: 0, normal: 1, bulk: 2 };

interface Waiter {
  rank: number;
  seq: number;
  enqueuedMs: number;
  resolve: (v: { waitedMs: number }) => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const { clock } = opts;
  const safetyMs = opts.windowSafetyMs ?? 25;
  const spacingMs = Math.max(0, opts.minSpacingMs ?? 0);
  const windows: { spanMs: number; limit: number }[] = [];
  const add = (spanMs: number, limit: number | undefined): void => {
    if (limit === undefined || !Number.isFinite(limit)) return;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate window limit must be an integer >= 1, got ${limit}`);
    windows.push({ spanMs, limit });
  };
  add(1_000, opts.windows.perSecond);
  add(60_000, opts.windows.perMinute);
  add(3_600_000, opts.windows.perHour);
  if (windows.length === 0) throw new RangeError('rate limiter needs windows.perSecond');
  const keep = Math.max(...windows.map((w) => w.limit));

  // The last `keep` grant instants, oldest first; only the limit-th newest per window matters.
  const grants: number[] = [];
  const queue: Waiter[] = [];
  let seq = 0;
  let pausedUntil = -Infinity;
  let timer: TimerHandle | undefined;
  let timerAt = Infinity;

  function nextFreeAt(): number {
    let at = pausedUntil;
    const last = grants[grants.length - 1];
    if (spacingMs > 0 && last !== undefined) at = Math.max(at, last + spacingMs);
    for (const w of windows) {
      if (grants.length < w.limit) continue;
      const nth = grants[grants.length - w.limit]!;
      at = Math.max(at, nth + w.spanMs + safetyMs);
    }
    return at;
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
      const w = queue.shift()!;
      w.cleanup();
      grants.push(now);
      if (grants.length > keep) grants.shift();
      w.resolve({ waitedMs: now - w.enqueuedMs });
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

  function insert(w: Waiter): void {
    // Stable priority order: after every waiter of equal or higher priority.
    let i = queue.length;
    while (i > 0 && queue[i - 1]!.rank > w.rank) i--;
    queue.splice(i, 0, w);
  }

  return {
    acquire(o: AcquireOptions = {}): Promise<{ waitedMs: number }> {
      const signal = o.signal;
      if (signal?.aborted) return Promise.reject(new AbortedError('rate limiter wait aborted'));
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          reject(new AbortedError('rate limiter wait aborted'));
          pump();
        };
        const waiter: Waiter = {
          rank: PRIORITY_RANK[o.priority ?? 'normal'],
          seq: seq++,
          enqueuedMs: clock.monotonicMs(),
          resolve,
          reject,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        insert(waiter);
        pump();
      });
    },
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
