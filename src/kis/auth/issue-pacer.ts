// "At most one issue per minute" across every process sharing the state dir (kis-api-facts §2.2: tokenP
// is 1/min, else EGW00133; seed 004 §2.2 "1분당 1회 재발급 제한"). The time of the last issue *attempt* is
// persisted before the HTTP call, so a request sent just before a crash still counts, and again when the
// reply arrives, so the spacing also holds from the broker's point of view when a reply was slow.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { createStateFile } from './state-file.js';

const pacerSchema = z.object({
  lastAttemptEpochMs: z.number().int().nonnegative(),
  lastAttemptKst: z.string(),
});

export interface IssuePacer {
  /** Milliseconds to wait before the next attempt is allowed (0 = now). Call while holding the issue lock. */
  delayMs(): Promise<number>;
  /** Records an attempt at the current wall time. Call while holding the lock, before sending and on completion. */
  recordAttempt(): Promise<void>;
}

export function createIssuePacer(opts: { path: string; minIntervalMs: number; clock: Clock; log: Logger }): IssuePacer {
  const { clock, minIntervalMs } = opts;
  const file = createStateFile({ path: opts.path, schema: pacerSchema, clock, log: opts.log });
  // This process's own last attempt: a floor in case the file is deleted behind our back.
  let ownLastAttemptMs: number | undefined;

  return {
    async delayMs() {
      const now = clock.nowMs();
      const read = await file.read({ quarantine: true });
      let last = ownLastAttemptMs;
      if (read.kind === 'ok') last = Math.max(last ?? 0, read.value.lastAttemptEpochMs);
      // A corrupt record could hide a recent attempt: assume one happened just now (one extra wait, rare).
      if (read.kind === 'corrupt') last = now;
      if (last === undefined) return 0;
      // Clamp: if the wall clock stepped back, never wait more than one interval.
      return Math.min(minIntervalMs, Math.max(0, last + minIntervalMs - now));
    },
    async recordAttempt() {
      const now = clock.nowMs();
      ownLastAttemptMs = now;
      await file.write({ lastAttemptEpochMs: now, lastAttemptKst: formatKstTimestamp(now) });
    },
  };
}
