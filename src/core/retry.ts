// The one retry mechanism (STYLE rule 6): the policy is data, the clock is injected, an AbortSignal ends it.
// `backoffDelayMs` is the one formula — exponential from baseMs, capped, plus uniform jitter so many callers (or
// a restart storm) do not retry in lockstep — and `retry` the one loop around it. Loops whose retries are part
// of a wire protocol (the KIS REST pipeline, the WebSocket reconnect) use the formula and `backoffSleep`
// inside their own state machines. Orders are never retried through here once they may have reached KIS.
import type { Clock } from './clock.js';
import { AbortedError } from './errors.js';

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Largest delay before jitter, ms. */
  capMs: number;
  /** Uniform random extra in [0, jitterMs), ms; 0 for none. */
  jitterMs: number;
}

export interface RetryPolicy extends BackoffPolicy {
  /** Total attempts including the first (>= 1). */
  attempts: number;
}

/**
 * Delay before retry number `retry` (1 = the first retry): min(capMs, baseMs × 2^(retry − 1)) + ⌊random() × jitterMs⌋.
 * `random` returns [0, 1) like Math.random; inject it for exact delays in tests.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(retry, 1) - 1, 30); // base × 2^30 is past any cap; avoids Infinity
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent) + Math.floor(random() * policy.jitterMs);
}

/** Waits `delayMs` on the clock; rejects with AbortedError (naming `what`) if the signal aborts first. */
export async function backoffSleep(clock: Clock, delayMs: number, signal: AbortSignal | undefined, what = 'retry wait'): Promise<void> {
  try {
    await clock.sleep(delayMs, signal);
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    throw new AbortedError(`${what} aborted`);
  }
}

/** Per failure: give up (false), retry after the policy's delay (true), or retry no sooner than minDelayMs. */
export type RetryDecision = boolean | { minDelayMs: number };

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  /** Aborting stops the loop: no new attempt, the wait between attempts ends with AbortedError. */
  signal?: AbortSignal;
  random?: () => number;
  /** Default: every error is retried. */
  shouldRetry?: (error: unknown, attempt: number) => RetryDecision;
  /** Called before each wait (log, count, renew a token); awaited. */
  onRetry?: (e: { attempt: number; delayMs: number; error: unknown }) => void | Promise<void>;
  /** No retry whose start would be at or after this wall-clock instant, epoch ms (e.g. a session's end). */
  retryUntilEpochMs?: number;
  /** Names the work in an AbortedError message. */
  what?: string;
  /**
   * Make the first attempt even when the signal is already aborted (default false). For work that must not be
   * lost to a shutdown, such as saving rows already fetched: the abort then only ends the waits.
   */
  firstAttemptDespiteAbort?: boolean;
}

/**
 * Runs `attempt(1)`, `attempt(2)`, … until one resolves, `shouldRetry` says no, the attempts run out or the
 * deadline would pass; then rethrows the last error. Throws AbortedError when aborted before an attempt or
 * during a wait. An attempt that fails while the signal is aborted rethrows its own error (never masked: it
 * may say an order's outcome is unknown).
 */
export async function retry<T>(attempt: (n: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const what = o.what ?? 'retry';
  for (let n = 1; ; n++) {
    if (o.signal?.aborted && !(n === 1 && o.firstAttemptDespiteAbort)) throw new AbortedError(`${what} aborted before attempt ${n}`);
    try {
      return await attempt(n);
    } catch (error) {
      if (o.signal?.aborted || n >= o.policy.attempts) throw error;
      const decision = o.shouldRetry ? o.shouldRetry(error, n) : true;
      if (decision === false) throw error;
      const floorMs = typeof decision === 'object' ? decision.minDelayMs : 0;
      const delayMs = Math.max(floorMs, backoffDelayMs(n, o.policy, o.random));
      if (o.retryUntilEpochMs !== undefined && o.clock.nowMs() + delayMs >= o.retryUntilEpochMs) throw error;
      await o.onRetry?.({ attempt: n, delayMs, error });
      await backoffSleep(o.clock, delayMs, o.signal, what);
    }
  }
}
