// The recovery queue (seed 002 §6, §13): failed collection tasks wait here with exponential back-off
// (next try = now + 60 s × 2^retry_count) until they succeed or run out of retries. Clock-driven facade
// over the SQLite repository in src/store.
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { backoffDelayMs } from '../core/retry.js';
import type { EnqueueInput, FailureOutcome, RecoveryQueueRepo, RecoveryStatus, RecoveryTask } from '../store/recovery-queue-repo.js';

export interface RecoveryQueueOptions {
  repo: RecoveryQueueRepo;
  clock: Clock;
  /** Back-off base: the first failure waits this long, then doubles. Default 60000 ms (seed 002 §13). */
  baseDelayMs?: number;
  /** Cap on one back-off step. Default 24 h. */
  maxDelayMs?: number;
}

/** Delay before the next attempt after a failure, given the retry_count before it: base × 2^n, capped (no jitter). */
export function recoveryBackoffMs(retryCountBefore: number, baseDelayMs = 60_000, maxDelayMs = 24 * 3_600_000): number {
  return backoffDelayMs(Math.trunc(retryCountBefore) + 1, { baseMs: baseDelayMs, capMs: maxDelayMs, jitterMs: 0 });
}

export interface RecoveryQueue {
  enqueue(input: EnqueueInput): { id: number; created: boolean };
  claimDue(limit: number): RecoveryTask[];
  complete(id: number): boolean;
  /** Records a failed attempt (back-off or, past max_retries, status failed). */
  fail(id: number, error: unknown): FailureOutcome | undefined;
  /** A later bulk pass got the data: close the open task for that target. */
  completeOpen(fetcherName: string, targetCode: string, taskType: string): number;
  /** Start-up: tasks left `processing` by a crash become pending and due now. Returns how many. */
  recoverOrphans(): number;
  /** CLI `queue list`. Newest first. */
  list(filter?: { status?: RecoveryStatus; limit?: number }): RecoveryTask[];
  /** CLI `queue retry <id>`: pending and due now (retry_count kept, so a failed task gets one more try). */
  retry(id: number): boolean;
  /** CLI `queue purge --completed [--failed]`: deletes finished tasks, optionally only older than a time. */
  purge(opts: { completed?: boolean; failed?: boolean; updatedBeforeMs?: number }): number;
  get(id: number): RecoveryTask | undefined;
  counts(): Record<RecoveryStatus, number>;
}

export function createRecoveryQueue(opts: RecoveryQueueOptions): RecoveryQueue {
  const { repo, clock } = opts;
  const base = opts.baseDelayMs ?? 60_000;
  const cap = opts.maxDelayMs ?? 24 * 3_600_000;
  return {
    enqueue: (input) => repo.enqueue(input, clock.nowMs()),
    claimDue: (limit) => repo.claimDue(clock.nowMs(), limit),
    complete: (id) => repo.complete(id, clock.nowMs()),
    fail: (id, error) => repo.recordFailure(id, errorMessage(error).slice(0, 2_000), clock.nowMs(), (n) => recoveryBackoffMs(n, base, cap)),
    completeOpen: (f, t, k) => repo.completeOpen(f, t, k, clock.nowMs()),
    recoverOrphans: () => repo.resetOrphans(clock.nowMs()),
    list: (filter) => repo.list(filter),
    retry: (id) => repo.retryNow(id, clock.nowMs()),
    purge(p) {
      const statuses: ('completed' | 'failed')[] = [];
      if (p.completed) statuses.push('completed');
      if (p.failed) statuses.push('failed');
      return repo.purge(statuses, p.updatedBeforeMs);
    },
    get: (id) => repo.get(id),
    counts: () => repo.counts(),
  };
}
