// HTTP transport for the KIS OAuth endpoints (kis-api-facts §2.1): POST JSON with undici, a Clock-driven
// timeout, and the replies handed to the pure parsers in oauth-wire.ts. Every obtained token or approval
// key is registered with the log scrubber before it is returned.
import { request, type Dispatcher } from 'undici';
import { networkTimeoutMs, type Clock } from '../../core/clock.js';
import { registerSecret } from '../../log/secrets.js';
import {
  APPROVAL_PATH,
  AUTH_ERROR_CODES,
  KisAuthError,
  REVOKE_PATH,
  TOKEN_PATH,
  parseAccessTokenReply,
  parseApprovalKeyReply,
  parseRevokeReply,
  type IssuedAccessToken,
  type IssuedApprovalKey,
} from './oauth-wire.js';

/** The three OAuth calls; the managers take this interface so tests can inject a fake. */
export interface OAuthClient {
  /** POST /oauth2/tokenP. Throws KisAuthError (EGW00133 → KIS_AUTH_ISSUE_TOO_OFTEN, retryable). */
  issueAccessToken(signal?: AbortSignal): Promise<IssuedAccessToken>;
  /** POST /oauth2/Approval (WebSocket approval key). */
  issueApprovalKey(signal?: AbortSignal): Promise<IssuedApprovalKey>;
  /** POST /oauth2/revokeP for `token`. */
  revokeAccessToken(token: string, signal?: AbortSignal): Promise<void>;
}

export interface OAuthClientOptions {
  clock: Clock;
  /** REST base URL, e.g. https://openapivts.koreainvestment.com:29443 or the simulator's http://127.0.0.1:port. */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** Per-call deadline on the Clock. Default 10_000 ms. */
  timeoutMs?: number;
  /** undici dispatcher (connection pool / mock agent); default the global one. */
  dispatcher?: Dispatcher;
}

export const DEFAULT_OAUTH_TIMEOUT_MS = 10_000;

export function createOAuthClient(opts: OAuthClientOptions): OAuthClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  const base = opts.baseUrl.replace(/\/+$/, '');
  registerSecret(opts.appKey, { pinned: true });
  registerSecret(opts.appSecret, { pinned: true });

  async function post(path: string, body: Record<string, string>, signal: AbortSignal | undefined): Promise<{ status: number; text: string }> {
    signal?.throwIfAborted();
    const timeout = new AbortController();
    const timer = opts.clock.setTimeout(() => timeout.abort(), networkTimeoutMs(opts.clock, timeoutMs));
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    try {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: combined,
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      });
      const text = await res.body.text();
      return { status: res.statusCode, text };
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (timeout.signal.aborted) {
        throw new KisAuthError(AUTH_ERROR_CODES.timeout, `${path}: no reply within ${timeoutMs} ms`, { disposition: 'retryable', cause: err });
      }
      const code = (err as { code?: string }).code ?? 'unknown';
      throw new KisAuthError(AUTH_ERROR_CODES.network, `${path}: request failed (${code})`, { disposition: 'retryable', cause: err });
    } finally {
      opts.clock.clearTimeout(timer);
    }
  }

  return {
    async issueAccessToken(signal) {
      const { status, text } = await post(
        TOKEN_PATH,
        { grant_type: 'client_credentials', appkey: opts.appKey, appsecret: opts.appSecret },
        signal,
      );
      const token = parseAccessTokenReply(status, text, opts.clock.nowMs());
      registerSecret(token.value);
      return token;
    },
    async issueApprovalKey(signal) {
      // The Approval endpoint names the secret field `secretkey`, not `appsecret` (✅ OTA auth_functions.py).
      const { status, text } = await post(
        APPROVAL_PATH,
        { grant_type: 'client_credentials', appkey: opts.appKey, secretkey: opts.appSecret },
        signal,
      );
      const key = parseApprovalKeyReply(status, text, opts.clock.nowMs());
      registerSecret(key.value);
      return key;
    },
    async revokeAccessToken(token, signal) {
      const { status, text } = await post(REVOKE_PATH, { appkey: opts.appKey, appsecret: opts.appSecret, token }, signal);
      parseRevokeReply(status, text);
    },
  };
}
