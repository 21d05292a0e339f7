// The probe of seed 000 §1.1 ("언제부터 다시 정상 호출되는지"): call one light endpoint every interval and stop
// after N consecutive successes (exit 0) or when the attempts run out (non-zero). Pure loop over a Clock and a
// check function, so it is tested with a fake clock; the command wires it to inquire-price.
import type { Clock } from '../../core/clock.js';
import { describeFailure, withTimeout } from './common.js';

export interface ProbeLoopOptions {
  clock: Clock;
  /** Start-to-start spacing of attempts, ms (an attempt that takes longer is followed at once). */
  intervalMs: number;
  /** Consecutive successes that end the probe successfully. */
  successesNeeded: number;
  /** Attempts before giving up (bounded: every loop is). */
  maxAttempts: number;
  /** One attempt's deadline, ms; a call still running then counts as a failure. */
  attemptTimeoutMs: number;
  /** One call; resolves with what to print on success (e.g. the price). */
  check: (signal: AbortSignal) => Promise<string>;
  onAttempt: (attempt: ProbeAttempt) => void;
  /** Stops the probe between or during attempts (SIGINT). */
  signal?: AbortSignal;
}

export interface ProbeAttempt {
  attempt: number;
  maxAttempts: number;
  /** Wall time the attempt started, epoch ms. */
  startedAtMs: number;
  durationMs: number;
  ok: boolean;
  /** Success: what check() returned; failure: the error code/message. */
  detail: string;
  /** Consecutive successes so far (0 after a failure). */
  streak: number;
  successesNeeded: number;
}

export interface ProbeResult {
  /** Reached successesNeeded consecutive successes. */
  ok: boolean;
  attempts: number;
  streak: number;
  aborted: boolean;
}

export async function runProbeLoop(o: ProbeLoopOptions): Promise<ProbeResult> {
  const { clock } = o;
  let streak = 0;
  let attempt = 0;
  while (attempt < o.maxAttempts) {
    if (o.signal?.aborted) return { ok: false, attempts: attempt, streak, aborted: true };
    attempt++;
    const startedMono = clock.monotonicMs();
    const startedAtMs = clock.nowMs();
    let ok = false;
    let detail: string;
    try {
      detail = await withTimeout(clock, o.attemptTimeoutMs, o.signal, o.check);
      ok = true;
    } catch (err) {
      if (o.signal?.aborted) return { ok: false, attempts: attempt, streak, aborted: true };
      detail = describeFailure(err);
    }
    streak = ok ? streak + 1 : 0;
    o.onAttempt({ attempt, maxAttempts: o.maxAttempts, startedAtMs, durationMs: clock.monotonicMs() - startedMono, ok, detail, streak, successesNeeded: o.successesNeeded });
    if (streak >= o.successesNeeded) return { ok: true, attempts: attempt, streak, aborted: false };
    if (attempt >= o.maxAttempts) break;
    const waitMs = startedMono + o.intervalMs - clock.monotonicMs();
    if (waitMs <= 0) continue; // the attempt outlasted the interval: the next one starts at once
    try {
      await clock.sleep(waitMs, o.signal);
    } catch {
      return { ok: false, attempts: attempt, streak, aborted: true };
    }
  }
  return { ok: false, attempts: attempt, streak, aborted: false };
}
