// The probe loop on a fake clock: N consecutive successes end it, a failure restarts the streak, attempts are
// bounded and spaced start-to-start by the interval, a hung call is cut at the attempt deadline, and an abort
// stops it between attempts.
import { describe, expect, it } from 'vitest';
import { KisApiError } from '../../../src/kis/rest/index.js';
import { runProbeLoop, type ProbeAttempt } from '../../../src/cli/commands/probe-loop.js';
import { formatAttempt } from '../../../src/cli/commands/probe.js';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';

const http500 = (): KisApiError => new KisApiError({ msgCd: 'EGW00001', msg1: '일시적인 오류가 발생하였습니다.', trId: 'FHKST01010100', httpStatus: 500, attempts: 1, disposition: 'retryable' });

/** A check that follows a script of outcomes: 'ok', 'fail', or 'hang' (never settles unless aborted). */
function scripted(script: ('ok' | 'fail' | 'hang')[]): (signal: AbortSignal) => Promise<string> {
  let i = 0;
  return (signal) => {
    const step = script[i++] ?? 'fail';
    if (step === 'ok') return Promise.resolve(`price ${70_000 + i}`);
    if (step === 'fail') return Promise.reject(http500());
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
  };
}

async function probe(script: ('ok' | 'fail' | 'hang')[], o: { successes: number; max: number; intervalMs?: number; timeoutMs?: number; signal?: AbortSignal }) {
  const clock = createFakeClock('2026-11-23 17:05:00');
  const attempts: ProbeAttempt[] = [];
  const result = await settle(
    clock,
    runProbeLoop({
      clock,
      intervalMs: o.intervalMs ?? 20_000,
      successesNeeded: o.successes,
      maxAttempts: o.max,
      attemptTimeoutMs: o.timeoutMs ?? 15_000,
      check: scripted(script),
      onAttempt: (a) => attempts.push(a),
      signal: o.signal,
    }),
    { stepMs: 1_000 },
  );
  return { result, attempts, clock };
}

describe('runProbeLoop', () => {
  it('ends after N consecutive successes', async () => {
    const { result, attempts } = await probe(['ok', 'ok', 'ok', 'ok'], { successes: 3, max: 10 });
    expect(result).toEqual({ ok: true, attempts: 3, streak: 3, aborted: false });
    expect(attempts.map((a) => a.streak)).toEqual([1, 2, 3]);
    expect(attempts[2]?.detail).toBe('price 70003');
  });

  it('restarts the streak after a failure', async () => {
    const { result, attempts } = await probe(['ok', 'ok', 'fail', 'ok', 'ok', 'ok'], { successes: 3, max: 10 });
    expect(result.ok).toBe(true);
    expect(result.attempts).toBe(6);
    expect(attempts.map((a) => (a.ok ? a.streak : 'x'))).toEqual([1, 2, 'x', 1, 2, 3]);
    expect(attempts[2]?.detail).toBe('HTTP 500 EGW00001 일시적인 오류가 발생하였습니다.');
  });

  it('gives up after maxAttempts, with attempts spaced by the interval on the clock', async () => {
    const { result, attempts } = await probe(['fail', 'fail', 'fail', 'ok'], { successes: 2, max: 3, intervalMs: 20_000 });
    expect(result).toEqual({ ok: false, attempts: 3, streak: 0, aborted: false });
    const starts = attempts.map((a) => a.startedAtMs);
    expect(starts[1]! - starts[0]!).toBe(20_000);
    expect(starts[2]! - starts[1]!).toBe(20_000);
  });

  it('cuts a hung attempt at its deadline and reports it as a timeout', async () => {
    const { result, attempts } = await probe(['hang', 'ok'], { successes: 1, max: 5, intervalMs: 1_000, timeoutMs: 5_000 });
    expect(result.ok).toBe(true);
    expect(attempts[0]?.ok).toBe(false);
    expect(attempts[0]?.detail).toBe('KISD_TIMEOUT: no answer within 5 s');
    expect(attempts[0]?.durationMs).toBe(5_000);
    // The next attempt starts at once: the interval already passed while the first one hung.
    expect(attempts[1]!.startedAtMs - attempts[0]!.startedAtMs).toBe(5_000);
  });

  it('stops between attempts when aborted', async () => {
    const ac = new AbortController();
    const clock = createFakeClock('2026-11-23 17:05:00');
    const attempts: ProbeAttempt[] = [];
    const running = runProbeLoop({
      clock,
      intervalMs: 20_000,
      successesNeeded: 3,
      maxAttempts: 10,
      attemptTimeoutMs: 15_000,
      check: scripted(['fail', 'fail', 'fail']),
      onAttempt: (a) => {
        attempts.push(a);
        if (a.attempt === 2) ac.abort();
      },
      signal: ac.signal,
    });
    const result = await settle(clock, running, { stepMs: 1_000 });
    expect(result).toEqual({ ok: false, attempts: 2, streak: 0, aborted: true });
    expect(attempts).toHaveLength(2);
  });
});

describe('formatAttempt', () => {
  it('prints KST time, attempt number, result, detail and streak', () => {
    const line = formatAttempt({ attempt: 3, maxAttempts: 90, startedAtMs: Date.UTC(2026, 10, 23, 8, 5, 0), durationMs: 35.4, ok: true, detail: 'price 71,200', streak: 2, successesNeeded: 3 });
    expect(line).toBe('2026-11-23 17:05:00  attempt  3/90  OK    price 71,200  (2/3 in a row, 35 ms)');
  });
});
