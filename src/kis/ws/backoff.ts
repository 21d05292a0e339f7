// Reconnect delay policy kept as data (STYLE rule 6): exponential from baseMs, capped, plus uniform jitter
// so many daemons (or a restart storm) do not reconnect in lockstep — KIS may block an IP/app key that
// loops connect/close (fact sheet §5, 3P notice 2026-02-24).

export interface BackoffPolicy {
  /** First retry delay. Default 1000. */
  baseMs: number;
  /** Largest delay before jitter. Default 60000. */
  capMs: number;
  /** Uniform jitter added on top, [0, jitterMs). Default 1000. */
  jitterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 1000, capMs: 60_000, jitterMs: 1000 });

/**
 * Delay before retry number `attempt` (1 = first retry): min(capMs, baseMs * 2^(attempt-1)) + random() * jitterMs.
 * `random` returns [0, 1) like Math.random.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30); // 2^30 * base is far past any cap; avoids Infinity
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(raw + random() * policy.jitterMs);
}
