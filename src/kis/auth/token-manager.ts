// The KIS access-token manager: one token per app key shared by every kisd process through
// `<stateDir>/token.json` (0600) or, across hosts, Redis (credential-store.ts), issued under a lock at most
// once a minute (seed 004 §2.2), re-checked every 30 minutes by the daemon with change detection (seed 003 §1),
// race-free refresh (seed 001 §4.3).
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { maskSecret, registerSecret } from '../../log/secrets.js';
import { fileCredentialStores, type CredentialStoreFactory } from './credential-store.js';
import { createCachedCredential, type ChangeSource } from './cached-credential.js';
import { createOAuthClient, type OAuthClient } from './oauth-client.js';
import { KisAuthError } from './oauth-wire.js';
import { credentialFingerprint } from './state-file.js';
import { formatRemaining } from './format-remaining.js';
import type { AccessToken, KisCredentials, TokenProvider } from './types.js';

export interface TokenManagerOptions {
  clock: Clock;
  log: Logger;
  /** REST base URL the token is for (real, VTS or simulator). Part of the file fingerprint. */
  baseUrl: string;
  /**
   * Identifies the server in the file fingerprint instead of baseUrl: the daemon's embedded simulator listens
   * on a new port each start but keeps its issued tokens, like KIS, so its token is reused across restarts.
   */
  serverId?: string;
  credentials: Pick<KisCredentials, 'appKey' | 'appSecret'>;
  /** Directory of token.json, token.lock, token.last-issue.json; created 0700 if missing. */
  stateDir: string;
  /**
   * Where the shared token, its issue lock and its pacing live. Default: files in stateDir (one host).
   * The Redis store (coordination.backend: redis) shares them across hosts.
   */
  stores?: CredentialStoreFactory;
  /**
   * Refresh when less than this is left. Default 3600 s (PK uses 600 s). Why an hour: the daemon's token
   * check runs every 30 min, so with a 60-min margin two checks fall inside the window and the refresh
   * happens in the background job, not on an order's hot path; it also leaves room for a 60 s pacing wait
   * plus bounded EGW00133 retries. Cost: a token lives 23 h instead of 23 h 50 min — still one issue per day.
   * For short-lived tokens the refresh point is never earlier than half the token's life.
   */
  refreshMarginSec?: number;
  /** Minimum spacing of tokenP attempts across all processes (KIS: 1/min, else EGW00133). Default 60 s. */
  minIssueIntervalSec?: number;
  /** A token with less than this left is never handed out. Default 60 s. */
  minUsableSec?: number;
  /** Stale threshold of the lock (holder died). Default 10_000 ms. */
  lockStaleMs?: number;
  /** Max wait for the lock. Default 30_000 ms. */
  lockAcquireTimeoutMs?: number;
  /** EGW00133 replies retried after one interval each before giving up. Default 3. */
  maxRateLimitedRetries?: number;
  /** Per-request timeout of the OAuth call. Default 10_000 ms. */
  requestTimeoutMs?: number;
  /** Injected OAuth client (tests); default createOAuthClient over undici. */
  oauthClient?: OAuthClient;
}

/** The token as stored in token.json and handed out (a superset of AccessToken). */
export interface StoredAccessToken extends AccessToken {
  version: 1;
  kind: 'kis-access-token';
  fingerprint: string;
  tokenType: string;
  expiresAtKst: string;
  issuedAtKst: string;
}

export interface TokenChangedEvent {
  token: StoredAccessToken;
  /** 'issued' by this process, or 'file': another process refreshed it. */
  source: ChangeSource;
  /** Short hash of the previous value (never the value). */
  previousId: string;
}

export interface TokenCheckResult {
  remainingMs: number;
  expiresAtEpochMs: number;
  expiresAtKst: string;
  /** The value differs from the one in memory when check() began. */
  changed: boolean;
  /** This check issued a new token. */
  refreshed: boolean;
}

export interface TokenStatus {
  path: string;
  state: 'valid' | 'refresh-due' | 'expired' | 'absent' | 'invalid' | 'other-app';
  maskedValue?: string;
  tokenType?: string;
  issuedAtKst?: string;
  expiresAtKst?: string;
  remainingMs?: number;
}

export interface TokenManager extends TokenProvider {
  getAccessToken(signal?: AbortSignal): Promise<StoredAccessToken>;
  /** Listener for token changes; returns an unsubscribe function. Not called for the first token loaded. */
  onTokenChanged(listener: (event: TokenChangedEvent) => void): () => void;
  /** The daemon's 30-minute job: re-read the file, refresh when inside the margin, report. */
  check(signal?: AbortSignal): Promise<TokenCheckResult>;
  /** For `kisd token status`: reads the file, never issues. */
  status(): Promise<TokenStatus>;
  /** For `kisd token refresh`: how long the shared pacing makes the next issue wait now, in ms (0 = none). */
  nextIssueDelayMs(): Promise<number>;
  /** For `kisd token refresh`: issues a new token (still waits out the 60 s rule). */
  forceRefresh(signal?: AbortSignal): Promise<StoredAccessToken>;
  /** Resolves when no refresh is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const tokenSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('kis-access-token'),
    fingerprint: z.string().min(1),
    value: z.string().min(1),
    tokenType: z.string().min(1),
    expiresAtEpochMs: z.number().int().positive(),
    expiresAtKst: z.string(),
    issuedAtEpochMs: z.number().int().nonnegative(),
    issuedAtKst: z.string(),
  })
  .refine((t) => t.expiresAtEpochMs > t.issuedAtEpochMs, { message: 'expires before it was issued', path: ['expiresAtEpochMs'] });

export function createTokenManager(opts: TokenManagerOptions): TokenManager {
  const { clock, log } = opts;
  const refreshMarginMs = (opts.refreshMarginSec ?? 3600) * 1000;
  registerSecret(opts.credentials.appKey, { pinned: true });
  registerSecret(opts.credentials.appSecret, { pinned: true });
  const oauth =
    opts.oauthClient ??
    createOAuthClient({ clock, baseUrl: opts.baseUrl, appKey: opts.credentials.appKey, appSecret: opts.credentials.appSecret, timeoutMs: opts.requestTimeoutMs });
  const fingerprint = credentialFingerprint(opts.credentials.appKey, opts.serverId ?? opts.baseUrl);

  const minIssueIntervalMs = (opts.minIssueIntervalSec ?? 60) * 1000;
  const store = (opts.stores ?? fileCredentialStores(opts.stateDir))<StoredAccessToken>({
    name: 'token',
    what: 'access token',
    schema: tokenSchema as z.ZodType<StoredAccessToken>,
    fingerprint,
    minIssueIntervalMs,
    lockStaleMs: opts.lockStaleMs ?? 10_000,
    lockAcquireTimeoutMs: opts.lockAcquireTimeoutMs ?? 30_000,
    clock,
    log,
  });
  const cred = createCachedCredential<StoredAccessToken>({
    what: 'access token',
    clock,
    log,
    store,
    fingerprint,
    async issue(signal) {
      const t = await oauth.issueAccessToken(signal);
      registerSecret(t.value);
      return {
        version: 1,
        kind: 'kis-access-token',
        fingerprint,
        value: t.value,
        tokenType: t.tokenType,
        expiresAtEpochMs: t.expiresAtEpochMs,
        expiresAtKst: t.expiresAtKst,
        issuedAtEpochMs: t.issuedAtEpochMs,
        issuedAtKst: formatKstTimestamp(t.issuedAtEpochMs),
      };
    },
    isRateLimited: (err) => err instanceof KisAuthError && err.kisCode === 'EGW00133',
    refreshMarginMs,
    minIssueIntervalMs,
    minUsableMs: (opts.minUsableSec ?? 60) * 1000,
    maxRateLimitedRetries: opts.maxRateLimitedRetries ?? 3,
  });
  // Tokens read from the file must be scrubbed from logs too.
  cred.onChange((c) => registerSecret(c.current.value));

  return {
    async getAccessToken(signal) {
      const t = await cred.get(signal);
      registerSecret(t.value);
      return t;
    },
    invalidateAccessToken: async (value) => {
      await cred.invalidate(value);
    },
    onTokenChanged: (listener) => cred.onChange((c) => listener({ token: c.current, source: c.source, previousId: c.previousId })),
    async check(signal) {
      const before = cred.current()?.value;
      await cred.reload();
      let current = cred.current();
      let refreshed = false;
      if (!current || !cred.isFresh(current)) {
        const outcome = await cred.refresh('if-needed', signal);
        current = outcome.record;
        refreshed = outcome.source === 'issued';
      }
      registerSecret(current.value);
      const result: TokenCheckResult = {
        remainingMs: current.expiresAtEpochMs - clock.nowMs(),
        expiresAtEpochMs: current.expiresAtEpochMs,
        expiresAtKst: current.expiresAtKst,
        changed: before !== undefined && before !== current.value,
        refreshed,
      };
      const left = formatRemaining(result.remainingMs);
      log.info(result, result.changed ? `token check: token changed (${left} left)` : `token check: token valid (${left} left)`);
      return result;
    },
    async status() {
      const path = store.where;
      const read = await cred.readFile();
      if (read.kind === 'absent') return { path, state: 'absent' };
      if (read.kind === 'corrupt') return { path, state: 'invalid' };
      const t = read.value;
      const base = {
        path,
        maskedValue: maskSecret(t.value),
        tokenType: t.tokenType,
        issuedAtKst: t.issuedAtKst,
        expiresAtKst: t.expiresAtKst,
        remainingMs: t.expiresAtEpochMs - clock.nowMs(),
      };
      if (t.fingerprint !== fingerprint) return { ...base, state: 'other-app' };
      const state = cred.isFresh(t) ? 'valid' : cred.isUsable(t) ? 'refresh-due' : 'expired';
      return { ...base, state };
    },
    nextIssueDelayMs: () => cred.issueDelayMs(),
    async forceRefresh(signal) {
      const { record } = await cred.refresh('force', signal);
      registerSecret(record.value);
      return record;
    },
    idle: () => cred.idle(),
    close: () => cred.close(),
  };
}
