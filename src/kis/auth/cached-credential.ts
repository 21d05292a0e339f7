// The machinery shared by the token manager and the approval-key manager: a credential cached in memory
// and in a shared store (a 0600 state file on one host, Redis across hosts: credential-store.ts), issued
// under the store's lock with the shared copy re-read after the lock is taken, at most one issue per
// interval across processes, and invalidate-if-current.
// Seed 004 §2.2 (lock file, re-read after lock, 1/min, mode 600); seed 001 §4.3 (token race).
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { AbortedError, KisdError, errorMessage } from '../../core/errors.js';
import type { CredentialRecord, CredentialStore } from './credential-store.js';
import { secretId, type StateRead } from './state-file.js';
import { AUTH_ERROR_CODES } from './oauth-wire.js';


export type ChangeSource = 'issued' | 'file';

export interface CredentialChange<R> {
  current: R;
  source: ChangeSource;
  /** secretId() of the value it replaced (never the value). */
  previousId: string;
}

export interface RefreshOutcome<R> {
  record: R;
  source: ChangeSource;
}

export interface CachedCredentialOptions<R extends CredentialRecord> {
  /** For logs and errors: "access token", "approval key". */
  what: string;
  clock: Clock;
  log: Logger;
  /** The shared copy, the issue lock and the issue pacing (file store on one host, Redis across hosts). */
  store: CredentialStore<R>;
  fingerprint: string;
  issue: (signal: AbortSignal) => Promise<R>;
  /** True for the broker's "issued too often" refusal (EGW00133): wait an interval and try again. */
  isRateLimited: (err: unknown) => boolean;
  refreshMarginMs: number;
  minIssueIntervalMs: number;
  /** Below this much remaining life a credential is not handed out at all. */
  minUsableMs: number;
  maxRateLimitedRetries: number;
}

export interface CachedCredential<R extends CredentialRecord> {
  get(signal?: AbortSignal): Promise<R>;
  invalidate(value: string, signal?: AbortSignal): Promise<boolean>;
  /** 'if-needed' adopts a fresh file copy instead of issuing; 'force' issues unless another process issued since the call began. */
  refresh(mode: 'if-needed' | 'force', signal?: AbortSignal): Promise<RefreshOutcome<R>>;
  /** Re-reads the file without the lock; adopts a usable credential that outlives the one in memory. True if the value changed. */
  reload(): Promise<boolean>;
  current(): R | undefined;
  /** Validated file contents without quarantining (for status). */
  readFile(): Promise<StateRead<R>>;
  /** How long the shared pacing would make an issue wait now (read without the lock; for status lines). */
  issueDelayMs(): Promise<number>;
  isFresh(r: R): boolean;
  isUsable(r: R): boolean;
  onChange(listener: (change: CredentialChange<R>) => void): () => void;
  /** Resolves when no refresh is in flight. */
  idle(): Promise<void>;
  /** Aborts a background refresh and waits for it. */
  close(): Promise<void>;
}

/** "an access token", "an approval key", "a token". */
function aOrAn(what: string): string {
  return `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
}

/** Rounds of (lock, re-read, maybe wait) beyond the EGW00133 retries: pacing waits while other processes issue. */
const EXTRA_ROUNDS = 5;

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function createCachedCredential<R extends CredentialRecord>(o: CachedCredentialOptions<R>): CachedCredential<R> {
  const { clock, log, what } = o;
  const store = o.store;
  const closing = new AbortController();
  const listeners = new Set<(c: CredentialChange<R>) => void>();
  let mem: R | undefined;
  // Survives invalidate(): a token issued after a rejection is still a change for listeners.
  let lastKnownValue: string | undefined;
  let flight: { mode: 'if-needed' | 'force'; promise: Promise<RefreshOutcome<R>> } | undefined;

  // Refresh point: margin before expiry, but never earlier than half-way through the credential's life,
  // so a short-lived credential cannot put us into an issue-every-minute loop.
  const refreshAt = (r: R): number =>
    r.expiresAtEpochMs - Math.min(o.refreshMarginMs, Math.max(0, (r.expiresAtEpochMs - r.issuedAtEpochMs) / 2));
  const isFresh = (r: R): boolean => clock.nowMs() < refreshAt(r);
  const isUsable = (r: R): boolean => clock.nowMs() < r.expiresAtEpochMs - o.minUsableMs;

  function adopt(r: R, source: ChangeSource): void {
    const previous = lastKnownValue;
    mem = r;
    lastKnownValue = r.value;
    if (previous === undefined && source === 'file') {
      log.info({ id: secretId(r.value), expiresAtEpochMs: r.expiresAtEpochMs }, `${what} re-read from ${store.where}, not re-issued`);
    }
    if (previous === undefined || previous === r.value) return;
    log.info({ id: secretId(r.value), previousId: secretId(previous), source, expiresAtEpochMs: r.expiresAtEpochMs }, `${what} changed`);
    const change: CredentialChange<R> = { current: r, source, previousId: secretId(previous) };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (err) {
        log.error({ err: errorMessage(err) }, `${what} change listener threw`);
      }
    }
  }

  function ours(read: StateRead<R>): R | undefined {
    if (read.kind !== 'ok') return undefined;
    if (read.value.fingerprint !== o.fingerprint) {
      log.warn({ path: store.where }, `${what} file belongs to another app key or server; it will not be used`);
      return undefined;
    }
    return read.value;
  }

  async function runFlight(mode: 'if-needed' | 'force', signal: AbortSignal): Promise<RefreshOutcome<R>> {
    const startedAtMs = clock.nowMs();
    let rateLimited = 0;
    const maxRounds = o.maxRateLimitedRetries + EXTRA_ROUNDS;
    for (let round = 0; round < maxRounds; round++) {
      signal.throwIfAborted();
      const step = await store.withLock(async (): Promise<{ done: RefreshOutcome<R> } | { waitMs: number; reason: string }> => {
        // Re-read under the lock: another process may have issued while we waited (seed 004 §2.2).
        const onDisk = ours(await store.read({ quarantine: true }));
        if (onDisk && isUsable(onDisk)) {
          const adoptable = mode === 'if-needed' ? isFresh(onDisk) : onDisk.issuedAtEpochMs > startedAtMs;
          if (adoptable) {
            adopt(onDisk, 'file');
            return { done: { record: onDisk, source: 'file' } };
          }
        }
        const waitMs = await store.issueDelayMs();
        if (waitMs > 0) return { waitMs, reason: 'min-issue-interval' };
        await store.recordIssueAttempt(); // before sending: a crash after the send still counts
        let issued: R;
        try {
          issued = await o.issue(signal);
        } catch (err) {
          await store.recordIssueAttempt().catch(() => undefined); // at completion too, see below; never mask err
          if (o.isRateLimited(err) && rateLimited < o.maxRateLimitedRetries) {
            rateLimited++;
            return { waitMs: o.minIssueIntervalMs, reason: 'broker-rate-limit' };
          }
          throw err;
        }
        // Again at completion: the broker counts the minute from when it served the call, which is later than
        // our send by the request's latency; spacing from the reply keeps a slow reply from causing EGW00133.
        await store.recordIssueAttempt();
        await store.write(issued);
        if (!isFresh(issued)) log.warn({ expiresAtEpochMs: issued.expiresAtEpochMs }, `new ${what} already inside the refresh margin`);
        adopt(issued, 'issued');
        log.info({ id: secretId(issued.value), expiresAtEpochMs: issued.expiresAtEpochMs }, `${what} issued`);
        return { done: { record: issued, source: 'issued' } };
      }, signal);
      if ('done' in step) return step.done;
      log.info({ waitMs: step.waitMs, reason: step.reason }, `waiting before issuing ${aOrAn(what)}: ${Math.ceil(step.waitMs / 1000)} s (${step.reason === 'min-issue-interval' ? 'KIS allows one issue per minute' : 'KIS said issued too often'}); a stop signal ends the wait at once`);
      // The lock is released while we wait so other processes can still adopt or read.
      await clock.sleep(step.waitMs, signal);
    }
    throw new KisdError(AUTH_ERROR_CODES.gaveUp, `could not obtain ${aOrAn(what)} after ${maxRounds} rounds`, { disposition: 'retryable' });
  }

  function startFlight(mode: 'if-needed' | 'force'): Promise<RefreshOutcome<R>> {
    if (flight && (flight.mode === mode || mode === 'if-needed')) return flight.promise;
    const before = flight?.promise.catch(() => undefined);
    const promise = (async () => {
      await before; // a force refresh queues behind an if-needed one instead of racing it
      return runFlight(mode, closing.signal);
    })();
    const entry = { mode, promise };
    flight = entry;
    void promise.then(
      () => {
        if (flight === entry) flight = undefined;
      },
      () => {
        if (flight === entry) flight = undefined;
      },
    );
    return promise;
  }

  async function reload(): Promise<boolean> {
    const onDisk = ours(await store.read({ quarantine: false }));
    if (!onDisk || !isUsable(onDisk)) return false;
    // Adopt only a credential newer than ours: later expiry, or (issued within the same second, so the
    // KST expiry strings tie) a later issue time. An older file left by a stale process is never adopted.
    const newer = mem === undefined || onDisk.expiresAtEpochMs > mem.expiresAtEpochMs || (onDisk.expiresAtEpochMs === mem.expiresAtEpochMs && onDisk.issuedAtEpochMs > mem.issuedAtEpochMs);
    if (mem && (onDisk.value === mem.value || !newer)) {
      if (onDisk.value === mem.value) mem = onDisk;
      return false;
    }
    const changed = onDisk.value !== lastKnownValue;
    adopt(onDisk, 'file');
    return changed;
  }

  return {
    async get(signal) {
      if (mem && isFresh(mem)) return mem; // fast path: no disk
      if (!mem || !isUsable(mem)) await reload();
      const now = mem;
      if (now && isFresh(now)) return now;
      if (now && isUsable(now)) {
        // Still valid: hand it out and refresh in the background so no caller waits on the pacer.
        startFlight('if-needed').catch((err: unknown) => log.warn({ err: errorMessage(err) }, `background ${what} refresh failed`));
        return now;
      }
      const { record } = await raceSignal(startFlight('if-needed'), signal);
      if (!isUsable(record)) {
        throw new KisdError(AUTH_ERROR_CODES.gaveUp, `the ${what} obtained expires too soon to use`, { disposition: 'retryable' });
      }
      return record;
    },
    async invalidate(value, signal) {
      // Someone already replaced it: a late rejection of an old value costs nothing.
      if (mem && mem.value !== value) return false;
      mem = undefined;
      return store.withLock(async () => {
        const onDisk = await store.read({ quarantine: true });
        if (onDisk.kind === 'ok' && onDisk.value.value === value) {
          await store.remove(value);
          log.warn({ id: secretId(value) }, `${what} rejected by the broker; dropped`);
          return true;
        }
        return false;
      }, signal);
    },
    refresh: (mode, signal) => raceSignal(startFlight(mode), signal),
    reload,
    current: () => mem,
    readFile: () => store.read({ quarantine: false }),
    issueDelayMs: () => store.issueDelayMs(),
    isFresh,
    isUsable,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    idle: async () => {
      while (flight) await flight.promise.catch(() => undefined);
    },
    async close() {
      closing.abort(new AbortedError(`${what} manager closed`));
      while (flight) await flight.promise.catch(() => undefined);
    },
  };
}
