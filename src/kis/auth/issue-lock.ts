// The cross-process issue lock (seed 004 §2.2 "전역 락 파일"; seed 001 §4.3 token race): a proper-lockfile
// lock on a dedicated path in the state dir, plus an in-process queue so callers of one process never
// poll each other. Acquisition retries wait on the Clock and are bounded by acquireTimeoutMs.
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { KisdError, errorMessage } from '../../core/errors.js';

export interface IssueLockOptions {
  /** The lock itself (a directory proper-lockfile creates with mkdir), e.g. `<stateDir>/token.lock`. */
  lockPath: string;
  clock: Clock;
  log: Logger;
  /**
   * A lock whose mtime is older than this is taken over (its holder died). proper-lockfile refreshes the
   * mtime of a held lock every staleMs/2 on real timers, so a live holder never looks stale. Minimum 2000.
   * Default 10_000 ms. Note: staleness is judged on real file mtimes, not on the injected Clock — it is a
   * property of other live processes, which a fake clock cannot speak for.
   */
  staleMs?: number;
  /** Give up waiting for the lock after this much monotonic time. Default 30_000 ms. */
  acquireTimeoutMs?: number;
  /** Base poll interval while another process holds the lock (jittered ×0.5–1.5). Default 50 ms. */
  retryMs?: number;
}

export interface IssueLock {
  /** Runs fn while holding the lock. Throws KISD_LOCK_TIMEOUT (retryable) if it cannot be taken in time. */
  withLock<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function createIssueLock(opts: IssueLockOptions): IssueLock {
  const staleMs = Math.max(2000, opts.staleMs ?? 10_000);
  const acquireTimeoutMs = opts.acquireTimeoutMs ?? 30_000;
  const retryMs = opts.retryMs ?? 50;
  const { clock, log, lockPath } = opts;
  let queue: Promise<unknown> = Promise.resolve();

  async function acquire(signal: AbortSignal | undefined): Promise<() => Promise<void>> {
    await fs.mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
    const started = clock.monotonicMs();
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await lockfile.lock(lockPath, {
          realpath: false,
          lockfilePath: lockPath,
          stale: staleMs,
          retries: 0,
          onCompromised: (err) => {
            // Default would throw from a timer and kill the process; the work under the lock is idempotent
            // (re-read, adopt) so a lost lock costs at most one extra issue, which the pacer still limits.
            log.error({ lockPath, err: errorMessage(err) }, 'issue lock compromised (mtime update failed or lock taken over)');
          },
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      }
      if (clock.monotonicMs() - started >= acquireTimeoutMs) {
        throw new KisdError('KISD_LOCK_TIMEOUT', `could not take ${lockPath} within ${acquireTimeoutMs} ms`, {
          disposition: 'retryable',
          details: { lockPath, attempts: attempt + 1 },
        });
      }
      await clock.sleep(Math.round(retryMs * (0.5 + Math.random())), signal);
    }
  }

  return {
    withLock<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const run = async (): Promise<T> => {
        const release = await acquire(signal);
        try {
          return await fn();
        } finally {
          try {
            await release();
          } catch (err) {
            log.warn({ lockPath, err: errorMessage(err) }, 'issue lock release failed');
          }
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
