// The one retry mechanism, tested once: the delay formula (exponential, cap, jitter), the loop's attempts and
// decisions, its deadline, and abort before an attempt and during a wait — on a fake clock.
import { describe, expect, it } from 'vitest';
import { AbortedError, KisdError } from '../../../src/core/errors.js';
import { backoffDelayMs, retry, type RetryPolicy } from '../../../src/core/retry.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const policy: RetryPolicy = { attempts: 5, baseMs: 1_000, capMs: 5_000, jitterMs: 0 };

describe('backoffDelayMs', () => {
  it('doubles from baseMs for each retry and stops at capMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    expect(backoffDelayMs(10_000, policy, () => 0)).toBe(5_000); // no overflow to Infinity
    expect(backoffDelayMs(0, policy, () => 0)).toBe(1_000); // a retry number below 1 counts as the first
  });

  it('adds uniform jitter in [0, jitterMs) on top of the capped delay', () => {
    const jittered = { ...policy, jitterMs: 500 };
    expect(backoffDelayMs(1, jittered, () => 0)).toBe(1_000);
    expect(backoffDelayMs(1, jittered, () => 0.5)).toBe(1_250);
    expect(backoffDelayMs(1, jittered, () => 0.9999)).toBe(1_499);
    expect(backoffDelayMs(9, jittered, () => 0.9999)).toBe(5_499); // jitter goes past the cap
  });
});

describe('retry', () => {
  it('retries a failing call after the policy delays and resolves with the first success', async () => {
    const clock = createFakeClock();
    const startedAt: number[] = [];
    const done = retry(
      async (n) => {
        startedAt.push(clock.monotonicMs());
        if (n < 3) throw new Error(`fail ${n}`);
        return 'ok';
      },
      { policy, clock },
    );
    await clock.tickAsync(10_000);
    await expect(done).resolves.toBe('ok');
    const t0 = startedAt[0]!;
    expect(startedAt.map((t) => t - t0)).toEqual([0, 1_000, 3_000]);
  });

  it('rethrows the last error when the attempts run out', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const done = retry(async (n) => {
      calls++;
      throw new Error(`fail ${n}`);
    }, { policy: { ...policy, attempts: 3 }, clock });
    const settled = done.catch((e: unknown) => e);
    await clock.tickAsync(60_000);
    expect(((await settled) as Error).message).toBe('fail 3');
    expect(calls).toBe(3);
  });

  it('gives up at once when shouldRetry says no, and honours a minimum delay when it asks for one', async () => {
    const clock = createFakeClock();
    const fatal = new KisdError('X_FATAL', 'no', { disposition: 'fatal' });
    await expect(retry(async () => Promise.reject(fatal), { policy, clock, shouldRetry: (e) => !(e instanceof KisdError) })).rejects.toBe(fatal);

    const waits: number[] = [];
    const done = retry(
      async (n) => {
        if (n === 1) throw new Error('rate limited');
        return n;
      },
      { policy, clock, shouldRetry: () => ({ minDelayMs: 60_000 }), onRetry: (e) => void waits.push(e.delayMs) },
    );
    await clock.tickAsync(59_999);
    expect(waits).toEqual([60_000]);
    await clock.tickAsync(1);
    await expect(done).resolves.toBe(2);
  });

  it('starts no retry that would begin at or after retryUntilEpochMs', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const done = retry(async () => {
      calls++;
      throw new Error('still failing');
    }, { policy, clock, retryUntilEpochMs: clock.nowMs() + 2_500 });
    const settled = done.catch((e: unknown) => e);
    await clock.tickAsync(10_000);
    expect(await settled).toBeInstanceOf(Error);
    expect(calls).toBe(2); // t=0, t=1000; the next would start at t=3000 > 2500
  });

  it('ends the wait with AbortedError when the signal aborts, and makes no attempt once aborted', async () => {
    const clock = createFakeClock();
    const ac = new AbortController();
    let calls = 0;
    const done = retry(async () => {
      calls++;
      throw new Error('down');
    }, { policy, clock, signal: ac.signal, what: 'saving rows' });
    const settled = done.catch((e: unknown) => e);
    await clock.tickAsync(500); // inside the first 1000 ms wait
    ac.abort();
    const err = await settled;
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).message).toContain('saving rows');
    expect(calls).toBe(1);

    await expect(retry(async () => 'never', { policy, clock, signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('with firstAttemptDespiteAbort still makes the first attempt after an abort, but no retry', async () => {
    const clock = createFakeClock();
    const ac = new AbortController();
    ac.abort();
    let calls = 0;
    await expect(retry(async () => ++calls, { policy, clock, signal: ac.signal, firstAttemptDespiteAbort: true })).resolves.toBe(1);
    const failing = retry(async () => {
      calls++;
      throw new Error('disk full');
    }, { policy, clock, signal: ac.signal, firstAttemptDespiteAbort: true });
    await expect(failing).rejects.toThrow('disk full');
    expect(calls).toBe(2);
  });

  it('rethrows the attempt own error, not an abort, when an attempt fails after the signal aborted', async () => {
    const clock = createFakeClock();
    const ac = new AbortController();
    const unknownOutcome = new KisdError('KIS_ORDER_OUTCOME_UNKNOWN', 'reply lost', { disposition: 'unresolved' });
    await expect(
      retry(async () => {
        ac.abort();
        throw unknownOutcome;
      }, { policy, clock, signal: ac.signal }),
    ).rejects.toBe(unknownOutcome);
  });
});
