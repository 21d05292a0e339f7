// Retry delays as data (STYLE rule 6; seed 000 §2.1): exponential base × 2^n capped, plus uniform jitter.

export interface BackoffPolicy {
  /** First delay, ms (seed 000: backoff_base_sec 2 → 2000). */
  baseMs: number;
  /** Upper bound before jitter, ms (seed 000: 60 s → 60000). */
  capMs: number;
  /** Uniform random extra in [0, jitterMs), ms (seed 000: 0.5 s → 500). */
  jitterMs: number;
}

/**
 * Delay before retry number `n` (0 for the first retry): min(cap, base × 2^n) + random() × jitter.
 * `random` returns [0, 1); injectable so tests get exact delays.
 */
export function backoffDelayMs(n: number, policy: BackoffPolicy, random: () => number): number {
  const exp = policy.baseMs * 2 ** Math.min(Math.max(0, n), 30);
  return Math.min(policy.capMs, exp) + Math.floor(random() * policy.jitterMs);
}
