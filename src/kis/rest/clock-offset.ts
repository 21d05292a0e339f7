// How far the host clock is from KIS's, estimated from KIS's own time stamps: the HTTP `Date` header of every
// reply and the acceptance time (ORD_TMD) of every order acknowledgement. Both have a resolution of one
// second, and KIS stamped them somewhere between our send and our receipt, so one reply bounds the offset
// to an interval; the estimate is the median of the recent intervals' midpoints (robust to one slow reply).
// Reconciliation uses it to look for an order at KIS's time of the send, not the host's (issue 9 item 1).
import { kstTimeNear } from '../../core/kst.js';

/** One reply: when we sent and received it (host wall ms) and the KIS stamp it carried (its start, ms). */
export interface ClockOffsetSample {
  sentAtMs: number;
  receivedAtMs: number;
  /** KIS's stamp, truncated to its resolution (e.g. a Date header's second). */
  kisStampMs: number;
  /** Default 1000 (whole seconds). */
  resolutionMs?: number;
}

export interface ClockOffsetEstimate {
  /** host − KIS, ms: positive when the host clock is ahead of KIS. */
  offsetMs: number;
  /** Half the width of the narrowest sample's interval plus the spread of the midpoints, ms. */
  uncertaintyMs: number;
  samples: number;
}

/** Replies slower than this say little about the offset (their interval is as wide as the reply took). */
const MAX_USEFUL_ROUND_TRIP_MS = 10_000;

export class KisClockOffset {
  private readonly midpoints: number[] = [];
  private narrowestHalfWidthMs = Infinity;

  constructor(private readonly keep = 31) {}

  /** Adds one reply's bounds; ignores replies too slow to say much and stamps that are not finite. */
  observe(s: ClockOffsetSample): void {
    const resolution = s.resolutionMs ?? 1000;
    const roundTrip = s.receivedAtMs - s.sentAtMs;
    if (!Number.isFinite(s.kisStampMs) || !(roundTrip >= 0) || roundTrip > MAX_USEFUL_ROUND_TRIP_MS) return;
    // KIS's instant k is in [stamp, stamp + resolution) and in [sent − offset, received − offset].
    const lo = s.sentAtMs - (s.kisStampMs + resolution);
    const hi = s.receivedAtMs - s.kisStampMs;
    this.midpoints.push((lo + hi) / 2);
    if (this.midpoints.length > this.keep) this.midpoints.shift();
    this.narrowestHalfWidthMs = Math.min(this.narrowestHalfWidthMs, (hi - lo) / 2);
  }

  /** Observes an HTTP `Date` header (RFC 7231, whole seconds); unparseable values are ignored. */
  observeDateHeader(value: string | undefined, sentAtMs: number, receivedAtMs: number): void {
    if (value === undefined || value === '') return;
    this.observe({ sentAtMs, receivedAtMs, kisStampMs: Date.parse(value) });
  }

  /**
   * Observes an order's acceptance time ORD_TMD (HHMMSS, KST) — of the KST day the host was on at sentAtMs,
   * moved by a day when that puts it more than 12 hours from the send (a send around midnight).
   */
  observeOrderTime(hhmmss: string, sentAtMs: number, receivedAtMs: number): void {
    const stamp = kstTimeNear(hhmmss, sentAtMs);
    if (stamp === undefined) return; // e.g. 256000: not a time of day
    this.observe({ sentAtMs, receivedAtMs, kisStampMs: stamp });
  }

  /** The current estimate, or undefined before the first usable reply. */
  estimate(): ClockOffsetEstimate | undefined {
    const n = this.midpoints.length;
    if (n === 0) return undefined;
    const sorted = [...this.midpoints].sort((a, b) => a - b);
    const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    const spread = (sorted[Math.floor(n * 0.75)]! - sorted[Math.floor(n * 0.25)]!) / 2;
    return { offsetMs: Math.round(median), uncertaintyMs: Math.ceil(this.narrowestHalfWidthMs + spread), samples: n };
  }
}
