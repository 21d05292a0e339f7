// Wire format of the KIS OAuth endpoints (/oauth2/tokenP, /oauth2/Approval, /oauth2/revokeP) and pure
// parsers for their replies (kis-api-facts §2). OAuth failures arrive as
// {"error_code","error_description"} with HTTP 403 and map to typed errors through one table.
import { KisdError, type Disposition } from '../../core/errors.js';
import { formatKstTimestamp, parseKstTimestamp } from '../../core/kst.js';
import { scrubSecrets } from '../../log/secrets.js';

export const TOKEN_PATH = '/oauth2/tokenP';
export const APPROVAL_PATH = '/oauth2/Approval';
export const REVOKE_PATH = '/oauth2/revokeP';

/** An access token as /oauth2/tokenP returned it, expiry already resolved to epoch ms. */
export interface IssuedAccessToken {
  value: string;
  tokenType: string;
  /** From access_token_token_expired (KST) when present and sane, else issuedAt + expires_in. */
  expiresAtEpochMs: number;
  /** "YYYY-MM-DD HH:MM:SS" KST, as KIS sent it (or formatted from the fallback). */
  expiresAtKst: string;
  /** expires_in as sent (seconds); informational only, MJ saw it drift by ~4000 s. */
  expiresInSec: number | undefined;
  /** Local wall time when the reply arrived. */
  issuedAtEpochMs: number;
}

export interface IssuedApprovalKey {
  value: string;
  issuedAtEpochMs: number;
}

/** An error from the OAuth endpoints or the transport to them. `kisCode` is the broker's error_code if any. */
export class KisAuthError extends KisdError {
  readonly kisCode: string | undefined;
  readonly httpStatus: number | undefined;
  constructor(
    code: string,
    message: string,
    opts: { disposition: Disposition; kisCode?: string; httpStatus?: number; cause?: unknown },
  ) {
    super(code, message, {
      disposition: opts.disposition,
      cause: opts.cause,
      details: { kisCode: opts.kisCode, httpStatus: opts.httpStatus },
    });
    this.kisCode = opts.kisCode;
    this.httpStatus = opts.httpStatus;
  }
}

/** Stable kisd codes for the OAuth error codes we know (STYLE rule 5: one table, a test per row). */
export const OAUTH_ERROR_TABLE: Readonly<Record<string, { code: string; disposition: Disposition; what: string }>> = {
  EGW00133: { code: 'KIS_AUTH_ISSUE_TOO_OFTEN', disposition: 'retryable', what: 'token issued too often (1 per minute)' },
  EGW00103: { code: 'KIS_AUTH_INVALID_APP_KEY', disposition: 'fatal', what: 'invalid app key' },
  EGW00105: { code: 'KIS_AUTH_INVALID_APP_SECRET', disposition: 'fatal', what: 'invalid app secret' },
};

/** Codes for failures that are not a KIS error_code. */
export const AUTH_ERROR_CODES = {
  rejected: 'KIS_AUTH_REJECTED',
  badResponse: 'KIS_AUTH_BAD_RESPONSE',
  network: 'KIS_AUTH_NETWORK',
  timeout: 'KIS_AUTH_TIMEOUT',
  gaveUp: 'KIS_AUTH_GAVE_UP',
} as const;

function describe(text: unknown): string {
  // error_description is broker text; scrub in case it ever echoes a key back.
  return typeof text === 'string' ? scrubSecrets(text.trim()).slice(0, 200) : '';
}

function parseJson(bodyText: string): unknown {
  try {
    return JSON.parse(bodyText);
  } catch {
    return undefined;
  }
}

/** Maps a non-success OAuth reply (any status, body maybe not JSON) to a KisAuthError. */
export function oauthErrorFromReply(endpoint: string, httpStatus: number, bodyText: string): KisAuthError {
  const body = parseJson(bodyText) as Record<string, unknown> | undefined;
  const kisCode = typeof body?.error_code === 'string' ? body.error_code : undefined;
  const desc = describe(body?.error_description);
  if (kisCode !== undefined) {
    const known = OAUTH_ERROR_TABLE[kisCode];
    if (known) {
      return new KisAuthError(known.code, `${endpoint}: ${known.what} (${kisCode} ${desc})`, {
        disposition: known.disposition,
        kisCode,
        httpStatus,
      });
    }
    return new KisAuthError(AUTH_ERROR_CODES.rejected, `${endpoint}: KIS refused (${kisCode} ${desc}, HTTP ${httpStatus})`, {
      disposition: httpStatus >= 500 ? 'retryable' : 'fatal',
      kisCode,
      httpStatus,
    });
  }
  // No KIS code: a gateway/proxy page or an empty 5xx. Server trouble is worth retrying; other 4xx are not.
  return new KisAuthError(AUTH_ERROR_CODES.rejected, `${endpoint}: HTTP ${httpStatus} without a KIS error code`, {
    disposition: httpStatus >= 500 || httpStatus === 429 ? 'retryable' : 'fatal',
    httpStatus,
  });
}

function badResponse(endpoint: string, why: string, httpStatus: number): KisAuthError {
  return new KisAuthError(AUTH_ERROR_CODES.badResponse, `${endpoint}: malformed reply (${why})`, {
    disposition: 'retryable',
    httpStatus,
  });
}

/**
 * Parses a /oauth2/tokenP reply. Prefers access_token_token_expired (KST wall clock) over expires_in:
 * the fact sheet notes expires_in drifting by ~4000 s (MJ). Falls back to expires_in only when the KST
 * string is missing, malformed, or already in the past.
 */
export function parseAccessTokenReply(httpStatus: number, bodyText: string, nowMs: number): IssuedAccessToken {
  if (httpStatus < 200 || httpStatus >= 300) throw oauthErrorFromReply(TOKEN_PATH, httpStatus, bodyText);
  const body = parseJson(bodyText);
  if (!body || typeof body !== 'object') throw badResponse(TOKEN_PATH, 'not a JSON object', httpStatus);
  const b = body as Record<string, unknown>;
  if (typeof b.error_code === 'string') throw oauthErrorFromReply(TOKEN_PATH, httpStatus, bodyText);
  const value = b.access_token;
  if (typeof value !== 'string' || value.length === 0) throw badResponse(TOKEN_PATH, 'no access_token', httpStatus);
  const tokenType = typeof b.token_type === 'string' && b.token_type ? b.token_type : 'Bearer';
  const expiresInRaw = typeof b.expires_in === 'number' ? b.expires_in : Number(b.expires_in);
  const expiresInSec = Number.isFinite(expiresInRaw) && expiresInRaw > 0 ? expiresInRaw : undefined;
  let expiresAtEpochMs: number | undefined;
  let expiresAtKst: string | undefined;
  if (typeof b.access_token_token_expired === 'string') {
    try {
      const parsed = parseKstTimestamp(b.access_token_token_expired);
      if (parsed > nowMs) {
        expiresAtEpochMs = parsed;
        expiresAtKst = b.access_token_token_expired.trim();
      }
    } catch {
      // fall through to expires_in
    }
  }
  if (expiresAtEpochMs === undefined) {
    if (expiresInSec === undefined) throw badResponse(TOKEN_PATH, 'no usable expiry', httpStatus);
    expiresAtEpochMs = nowMs + expiresInSec * 1000;
    expiresAtKst = formatKstTimestamp(expiresAtEpochMs);
  }
  return { value, tokenType, expiresAtEpochMs, expiresAtKst: expiresAtKst ?? formatKstTimestamp(expiresAtEpochMs), expiresInSec, issuedAtEpochMs: nowMs };
}

/** Parses a /oauth2/Approval reply: `{"approval_key": "..."}`. */
export function parseApprovalKeyReply(httpStatus: number, bodyText: string, nowMs: number): IssuedApprovalKey {
  if (httpStatus < 200 || httpStatus >= 300) throw oauthErrorFromReply(APPROVAL_PATH, httpStatus, bodyText);
  const body = parseJson(bodyText) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') throw badResponse(APPROVAL_PATH, 'not a JSON object', httpStatus);
  if (typeof body.error_code === 'string') throw oauthErrorFromReply(APPROVAL_PATH, httpStatus, bodyText);
  const value = body.approval_key;
  if (typeof value !== 'string' || value.length === 0) throw badResponse(APPROVAL_PATH, 'no approval_key', httpStatus);
  return { value, issuedAtEpochMs: nowMs };
}

/** Parses a /oauth2/revokeP reply: `{"code":200,"message":"..."}` 🟡; anything 2xx without error_code counts as revoked. */
export function parseRevokeReply(httpStatus: number, bodyText: string): void {
  if (httpStatus < 200 || httpStatus >= 300) throw oauthErrorFromReply(REVOKE_PATH, httpStatus, bodyText);
  const body = parseJson(bodyText) as Record<string, unknown> | undefined;
  if (body && typeof body.error_code === 'string') throw oauthErrorFromReply(REVOKE_PATH, httpStatus, bodyText);
}
