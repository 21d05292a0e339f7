// The window arithmetic every KIS budget shares (seed 004 §2.3): exact sliding 1 s / 1 min / 1 h windows, a
// safety margin on each, even spreading, and a pause. Pure, so the in-process limiter, the SQLite ledger
// (inside its transaction) and the Redis fallback compute "when may the next grant go" the same way.

export interface RateWindows {
  /** Max grants in any 1000 ms. Required. */
  perSecond: number;
  /** Max grants in any 60 s; omit for no per-minute cap (none documented by KIS). */
  perMinute?: number;
  /** Max grants in any 3600 s; omit for no per-hour cap. */
  perHour?: number;
}

export interface WindowSpec {
  spanMs: number;
  limit: number;
}

/** The windows that bind, shortest first. Throws RangeError on a limit that is not an integer >= 1. */
export function compileWindows(w: RateWindows): WindowSpec[] {
  const out: WindowSpec[] = [];
  const add = (spanMs: number, limit: number | undefined): void => {
    if (limit === undefined || !Number.isFinite(limit)) return;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate window limit must be an integer >= 1, got ${limit}`);
    out.push({ spanMs, limit });
  };
  add(1_000, w.perSecond);
  add(60_000, w.perMinute);
  add(3_600_000, w.perHour);
  if (out.length === 0) throw new RangeError('rate limiter needs windows.perSecond');
  return out;
}

export interface NextGrantInput {
  windows: readonly WindowSpec[];
  /** Added to every window's span (KIS counts by arrival; jitter can bunch requests). */
  safetyMs: number;
  /** Minimum gap after the newest grant (0 = none). */
  spacingMs: number;
  /** Nothing is granted before this instant (-Infinity = no pause). */
  pausedUntilMs: number;
  /** The k-th newest grant instant (k = 1 is the newest), or undefined when fewer than k grants are kept. */
  newest(k: number): number | undefined;
}

/** The earliest instant (same time base as the grants) at which one more grant keeps every window. */
export function nextGrantAtMs(i: NextGrantInput): number {
  let at = i.pausedUntilMs;
  const last = i.newest(1);
  if (i.spacingMs > 0 && last !== undefined) at = Math.max(at, last + i.spacingMs);
  for (const w of i.windows) {
    const nth = i.newest(w.limit);
    if (nth !== undefined) at = Math.max(at, nth + w.spanMs + i.safetyMs);
  }
  return at;
}

/** How many grants each window holds now, for status pages. */
export interface RateWindowUsage {
  windowMs: number;
  limit: number;
  used: number;
  /** Waiters queued now (the same for every window). */
  waiting: number;
}

/** A budget shared with other processes: where it lives and who draws on it (for `kisd status`). */
export interface BudgetShare {
  backend: 'local' | 'redis';
  /** Grants in each window across every sharing process; `waiting` counts this process's callers. */
  windows: RateWindowUsage[];
  members: { pid: number; host: string; label: string; seenAgoMs: number }[];
  /** ms until reads may go again after EGW00201 or a cooldown (0 = no pause). */
  pausedForMs: number;
  /**
   * backend redis only. shared: every host draws on the Redis budget; fallback: Redis is unreachable and this
   * host uses its fallback share alone (windows then show that local share).
   */
  coordination?: { mode: 'shared' | 'fallback'; redis: string; lastError?: string };
}
