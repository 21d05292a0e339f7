// Ports between the REST pipeline / WebSocket session and the token manager.

export interface AccessToken {
  value: string;
  /** When KIS says the token expires (from access_token_token_expired, KST), epoch ms. */
  expiresAtEpochMs: number;
  issuedAtEpochMs: number;
}

export interface TokenProvider {
  /** A token valid for at least the refresh margin; issues or refreshes (under the cross-process lock) when needed. */
  getAccessToken(signal?: AbortSignal): Promise<AccessToken>;
  /**
   * KIS rejected `value` (EGW00123 / EGW00121 / HTTP 401 / 403). Drops it only if it is still the current
   * token, so concurrent callers that saw the same rejection cost one issue, not N.
   */
  invalidateAccessToken(value: string): Promise<void>;
}

export interface ApprovalKeyProvider {
  /** The WebSocket approval key (issued by /oauth2/Approval, cached on disk like the token). */
  getApprovalKey(signal?: AbortSignal): Promise<string>;
  /** The server refused `value` (OPSP0011): drop it if still current so the next get issues a new one. */
  invalidateApprovalKey(value: string): Promise<void>;
}

/** App credentials: only ever from the environment or a 0600 credentials file. */
export type { KisCredentials } from '../../core/credentials.js';

export type KisMode = 'real' | 'paper';
