// The WebSocket approval-key manager (/oauth2/Approval, kis-api-facts §2.1): the same lock / re-read /
// invalidate-if-current / 0600-file pattern as the token, cached in `<stateDir>/approval.json`.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { registerSecret } from '../../log/secrets.js';
import { fileCredentialStores, type CredentialStoreFactory } from './credential-store.js';
import { createCachedCredential, type CredentialChange } from './cached-credential.js';
import { createOAuthClient, type OAuthClient } from './oauth-client.js';
import { KisAuthError } from './oauth-wire.js';
import { credentialFingerprint } from './state-file.js';
import type { ApprovalKeyProvider, KisCredentials } from './types.js';

export interface ApprovalKeyManagerOptions {
  clock: Clock;
  log: Logger;
  /** REST base URL that issues the key (the key is for the WebSocket host of the same environment). */
  baseUrl: string;
  /** As TokenManagerOptions.serverId. */
  serverId?: string;
  credentials: Pick<KisCredentials, 'appKey' | 'appSecret'>;
  stateDir: string;
  /** As TokenManagerOptions.stores. */
  stores?: CredentialStoreFactory;
  /**
   * How long a key is treated as valid. KIS gives no expiry field; the portal says 24 h and that it is only
   * checked when a session starts 🟡. Default 86_400 s.
   */
  validitySec?: number;
  /** Re-issue when less than this is left. Default 3600 s (at most half the validity). */
  refreshMarginSec?: number;
  /**
   * Minimum spacing of Approval attempts across processes. The fact sheet documents the 1/min limit only for
   * tokenP ❓. We apply it here too (default 60 s): a key is needed once per WebSocket session, so the cost is
   * nil in normal operation, and it paces OPSP0011 → re-issue → reconnect loops, which KIS reportedly answers
   * by blocking the app key or IP (fact sheet §5, 3P notice 2026-02-24).
   */
  minIssueIntervalSec?: number;
  lockStaleMs?: number;
  lockAcquireTimeoutMs?: number;
  maxRateLimitedRetries?: number;
  requestTimeoutMs?: number;
  oauthClient?: OAuthClient;
}

export interface StoredApprovalKey {
  version: 1;
  kind: 'kis-approval-key';
  fingerprint: string;
  value: string;
  issuedAtEpochMs: number;
  issuedAtKst: string;
  expiresAtEpochMs: number;
  expiresAtKst: string;
}

export interface ApprovalKeyManager extends ApprovalKeyProvider {
  /** The cached key record (issuing if needed). */
  getApprovalKeyRecord(signal?: AbortSignal): Promise<StoredApprovalKey>;
  onApprovalKeyChanged(listener: (change: CredentialChange<StoredApprovalKey>) => void): () => void;
  idle(): Promise<void>;
  close(): Promise<void>;
}

const approvalSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('kis-approval-key'),
    fingerprint: z.string().min(1),
    value: z.string().min(1),
    issuedAtEpochMs: z.number().int().nonnegative(),
    issuedAtKst: z.string(),
    expiresAtEpochMs: z.number().int().positive(),
    expiresAtKst: z.string(),
  })
  .refine((k) => k.expiresAtEpochMs > k.issuedAtEpochMs, { message: 'expires before it was issued', path: ['expiresAtEpochMs'] });

export function createApprovalKeyManager(opts: ApprovalKeyManagerOptions): ApprovalKeyManager {
  const { clock, log } = opts;
  const validityMs = (opts.validitySec ?? 86_400) * 1000;
  registerSecret(opts.credentials.appKey, { pinned: true });
  registerSecret(opts.credentials.appSecret, { pinned: true });
  const oauth =
    opts.oauthClient ??
    createOAuthClient({ clock, baseUrl: opts.baseUrl, appKey: opts.credentials.appKey, appSecret: opts.credentials.appSecret, timeoutMs: opts.requestTimeoutMs });
  const fingerprint = credentialFingerprint(opts.credentials.appKey, opts.serverId ?? opts.baseUrl);

  const minIssueIntervalMs = (opts.minIssueIntervalSec ?? 60) * 1000;
  const store = (opts.stores ?? fileCredentialStores(opts.stateDir))<StoredApprovalKey>({
    name: 'approval',
    what: 'approval key',
    schema: approvalSchema as z.ZodType<StoredApprovalKey>,
    fingerprint,
    minIssueIntervalMs,
    lockStaleMs: opts.lockStaleMs ?? 10_000,
    lockAcquireTimeoutMs: opts.lockAcquireTimeoutMs ?? 30_000,
    clock,
    log,
  });
  const cred = createCachedCredential<StoredApprovalKey>({
    what: 'approval key',
    clock,
    log,
    store,
    fingerprint,
    async issue(signal) {
      const k = await oauth.issueApprovalKey(signal);
      registerSecret(k.value);
      const expiresAtEpochMs = k.issuedAtEpochMs + validityMs;
      return {
        version: 1,
        kind: 'kis-approval-key',
        fingerprint,
        value: k.value,
        issuedAtEpochMs: k.issuedAtEpochMs,
        issuedAtKst: formatKstTimestamp(k.issuedAtEpochMs),
        expiresAtEpochMs,
        expiresAtKst: formatKstTimestamp(expiresAtEpochMs),
      };
    },
    isRateLimited: (err) => err instanceof KisAuthError && err.kisCode === 'EGW00133',
    refreshMarginMs: (opts.refreshMarginSec ?? 3600) * 1000,
    minIssueIntervalMs,
    minUsableMs: 60_000,
    maxRateLimitedRetries: opts.maxRateLimitedRetries ?? 3,
  });
  cred.onChange((c) => registerSecret(c.current.value));

  return {
    async getApprovalKey(signal) {
      const k = await cred.get(signal);
      registerSecret(k.value);
      return k.value;
    },
    async getApprovalKeyRecord(signal) {
      const k = await cred.get(signal);
      registerSecret(k.value);
      return k;
    },
    invalidateApprovalKey: async (value) => {
      await cred.invalidate(value);
    },
    onApprovalKeyChanged: (listener) => cred.onChange(listener),
    idle: () => cred.idle(),
    close: () => cred.close(),
  };
}
