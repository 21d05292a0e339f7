// The port behind a cached credential (token, approval key): where the shared copy lives, the lock under
// which it is re-read and issued, and the "one issue a minute per app key" pacing. The file store (one host:
// 0600 file + lockfile + pacing file in the state dir) is the default; the Redis store shares all three
// across hosts (src/coord/redis/credential-store.ts). Seed 004 §2.2, seed 001 §4.3.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { createIssueLock } from './issue-lock.js';
import { createIssuePacer } from './issue-pacer.js';
import { createStateFile, type StateRead } from './state-file.js';

/** What every cached credential stores. */
export interface CredentialRecord {
  fingerprint: string;
  value: string;
  issuedAtEpochMs: number;
  expiresAtEpochMs: number;
}

export interface CredentialStore<R> {
  /** Where the shared copy lives, for logs and `kisd token status` (a path, or a Redis key; never a secret). */
  readonly where: string;
  /**
   * Reads and validates the shared copy. A bad copy is set aside only when `quarantine` is true, which
   * callers pass only while holding the lock (a reader never removes a good copy written after its bad read).
   */
  read(opts: { quarantine: boolean }): Promise<StateRead<R>>;
  write(value: R): Promise<void>;
  /**
   * Drops the shared copy if it still holds `value` (a rejected credential); missing is fine. Call under the
   * lock, after a read showed `value` (the file store relies on that read; Redis checks again atomically).
   */
  remove(value: string): Promise<void>;
  /** Runs fn while holding the issue lock (every process/host sharing the store). Throws KISD_LOCK_TIMEOUT. */
  withLock<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Milliseconds before the next issue attempt is allowed (0 = now). Call under the lock. */
  issueDelayMs(): Promise<number>;
  /** Records an issue attempt now. Call under the lock, before sending and again on completion. */
  recordIssueAttempt(): Promise<void>;
}

/** What a store needs to know about the credential it holds. */
export interface CredentialStoreSpec<R> {
  /** "token" or "approval": names the files (`token.json`, `token.lock`, ...) or the Redis keys. */
  name: 'token' | 'approval';
  /** For logs: "access token", "approval key". */
  what: string;
  schema: z.ZodType<R>;
  /** credentialFingerprint(appKey, server): the only trace of the app key a store may keep. */
  fingerprint: string;
  minIssueIntervalMs: number;
  lockStaleMs: number;
  lockAcquireTimeoutMs: number;
  clock: Clock;
  log: Logger;
}

/** Builds the store of one credential; the token and approval managers call it once each. */
export type CredentialStoreFactory = <R extends CredentialRecord>(spec: CredentialStoreSpec<R>) => CredentialStore<R>;

/** The one-host store: `<stateDir>/<name>.json` (0600), `<name>.lock`, `<name>.last-issue.json`. */
export function fileCredentialStores(stateDir: string): CredentialStoreFactory {
  return <R extends CredentialRecord>(spec: CredentialStoreSpec<R>): CredentialStore<R> => {
    const { clock, log, name } = spec;
    const file = createStateFile({ path: join(stateDir, `${name}.json`), schema: spec.schema, clock, log });
    const lock = createIssueLock({
      lockPath: join(stateDir, `${name}.lock`),
      clock,
      log,
      staleMs: spec.lockStaleMs,
      acquireTimeoutMs: spec.lockAcquireTimeoutMs,
    });
    const pacer = createIssuePacer({ path: join(stateDir, `${name}.last-issue.json`), minIntervalMs: spec.minIssueIntervalMs, clock, log });
    return {
      where: file.path,
      read: (opts) => file.read(opts),
      write: (value) => file.write(value),
      remove: () => file.remove(),
      withLock: (fn, signal) => lock.withLock(fn, signal),
      issueDelayMs: () => pacer.delayMs(),
      recordIssueAttempt: () => pacer.recordAttempt(),
    };
  };
}
