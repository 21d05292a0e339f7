// Per-key rolling one-second request window (KIS: EGW00201 "초당 거래건수를 초과하였습니다." past 20/s real,
// 2/s paper, per app key). Measured on the monotonic clock so wall-clock steps cannot open or close the window.

export interface RateWindowOptions {
  /** accepted calls per window per key; 0 disables the limit */
  limit: number;
  /** window length in ms (default 1000) */
  windowMs?: number;
}

/**
 * A call at monotonic time t is accepted when fewer than `limit` accepted calls lie in (t - windowMs, t].
 * Rejected calls do not consume capacity (❓ KIS does not say; counting them would lock out a client that
 * retries in a tight loop, which KIS is not reported to do).
 */
export class RateWindow {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly stamps = new Map<string, number[]>();

  constructor(opts: RateWindowOptions) {
    this.limit = Math.max(0, Math.floor(opts.limit));
    this.windowMs = opts.windowMs ?? 1000;
  }

  /** Records and returns true if the call is within the limit; returns false (and records nothing) otherwise. */
  tryAcquire(key: string, nowMonoMs: number): boolean {
    if (this.limit === 0) return true;
    let list = this.stamps.get(key);
    if (!list) {
      list = [];
      this.stamps.set(key, list);
    }
    const cutoff = nowMonoMs - this.windowMs;
    let drop = 0;
    while (drop < list.length && (list[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length >= this.limit) return false;
    list.push(nowMonoMs);
    return true;
  }

  /** Calls currently counted in the window for key. */
  inWindow(key: string, nowMonoMs: number): number {
    const cutoff = nowMonoMs - this.windowMs;
    return (this.stamps.get(key) ?? []).filter((t) => t > cutoff).length;
  }

  reset(): void {
    this.stamps.clear();
  }
}
