// Error taxonomy of seed 002 §7 as one table: what a fetch error is and what the collector does with it.
// Classification is by duck typing on the REST client's typed errors (code, msgCd, httpStatus, kind) and on
// Node/undici/SQLite error codes, so sources other than KIS fit the same table.

export type FetchErrorKind = 'network' | 'timeout' | 'rate-limit' | 'auth' | 'bad-key' | 'quota' | 'not-found' | 'invalid-input' | 'server' | 'parse' | 'storage' | 'aborted' | 'unknown';

/**
 * retry: back off and try again in this run. skip: normal "no data", not an error (not queued).
 * reject: permanent — the request itself is wrong (KIS refused its input); reported, never retried or queued.
 * queue: do not retry now; record and hand to the recovery queue. abort: shutdown, stop quietly.
 * stop: no symbol can succeed until a person acts (a refused API key): stop the run, keep the checkpoint, say why.
 */
export type FetchErrorDisposition = 'retry' | 'skip' | 'reject' | 'queue' | 'abort' | 'stop';

export interface FetchErrorPolicy {
  kind: FetchErrorKind;
  disposition: FetchErrorDisposition;
  /** A floor on the back-off before the next attempt (rate limit: at least 1 minute, seed 002 §7). */
  minDelayMs: number;
  /** Renew the token before retrying (seed 002 §7 AuthError). */
  refreshToken: boolean;
  /** What the seed's table says, for logs and alerts. */
  handling: string;
}

/** Seed 002 §7, one row per error type. */
export const FETCH_ERROR_POLICIES: Readonly<Record<FetchErrorKind, FetchErrorPolicy>> = {
  network: { kind: 'network', disposition: 'retry', minDelayMs: 0, refreshToken: false, handling: 'exponential back-off, then retry' },
  timeout: { kind: 'timeout', disposition: 'retry', minDelayMs: 0, refreshToken: false, handling: 'retry (the fetcher may lengthen its timeout per attempt)' },
  'rate-limit': { kind: 'rate-limit', disposition: 'retry', minDelayMs: 60_000, refreshToken: false, handling: 'wait at least 1 minute, then retry' },
  auth: { kind: 'auth', disposition: 'retry', minDelayMs: 0, refreshToken: true, handling: 'renew the token, then retry' },
  // OpenDART 010/011/012/901: no retry can fix the key; every other symbol would fail the same way.
  'bad-key': { kind: 'bad-key', disposition: 'stop', minDelayMs: 0, refreshToken: false, handling: 'stop the run (checkpoint kept) and tell the operator to fix the key' },
  // The client's own daily budget (OpenDART 20,000/day) is spent: nothing was sent; the queue retries after midnight KST.
  quota: { kind: 'quota', disposition: 'queue', minDelayMs: 0, refreshToken: false, handling: 'save to the recovery queue (retried after the daily budget resets)' },
  'not-found': { kind: 'not-found', disposition: 'skip', minDelayMs: 0, refreshToken: false, handling: 'skip (no data is a normal case)' },
  // OPSQ2001 "ERROR : INPUT INVALID_CHECK_…": the same request fails the same way tomorrow (a wrong code, e.g.
  // an ETN without its Q prefix); retrying or queueing it only spends the rate limit.
  'invalid-input': { kind: 'invalid-input', disposition: 'reject', minDelayMs: 0, refreshToken: false, handling: 'report as permanent (KIS refused the request input); never retried or queued' },
  server: { kind: 'server', disposition: 'retry', minDelayMs: 0, refreshToken: false, handling: 'exponential back-off, then retry' },
  // A reply whose shape does not match the API (no `output`, truncated JSON) is an error, never "no data": a
  // server between versions or a proxy can send it once, so retry; queued and alerted if it persists.
  parse: { kind: 'parse', disposition: 'retry', minDelayMs: 0, refreshToken: false, handling: 'retry with back-off; save to the recovery queue and alert if it persists' },
  storage: { kind: 'storage', disposition: 'retry', minDelayMs: 0, refreshToken: false, handling: 'retry; save to the recovery queue if it persists' },
  aborted: { kind: 'aborted', disposition: 'abort', minDelayMs: 0, refreshToken: false, handling: 'stop (shutdown)' },
  unknown: { kind: 'unknown', disposition: 'queue', minDelayMs: 0, refreshToken: false, handling: 'save to the recovery queue and log' },
};

/** A fetcher may throw this for a symbol with no data (delisted, holiday, empty output). */
export class NotFoundError extends Error {
  readonly code = 'KISD_NOT_FOUND';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'KISD_TIMEOUT']);
const RATE_LIMIT_MSG_CODES = new Set(['EGW00201', 'EGW00215']);
const AUTH_MSG_CODES = new Set(['EGW00121', 'EGW00122', 'EGW00123', 'EGW00103', 'EGW00105']);
/** PK reads APBK0656 as "symbol not found" (❓ one 3P map says "insufficient funds"; only quote TRs reach here). */
const NOT_FOUND_MSG_CODES = new Set(['APBK0656']);
/** KIS's input validation (rt_cd 2): OPSQ2000 account, OPSQ2001 any other field. */
const INVALID_INPUT_MSG_CODES = new Set(['OPSQ2000', 'OPSQ2001']);

/** The OpenDART adapter's error codes (src/dart/errors.ts); 013 "no data" never reaches here (it is an empty answer). */
const DART_KINDS: Readonly<Record<string, FetchErrorKind>> = {
  DART_BAD_KEY: 'bad-key',
  DART_RATE_LIMITED: 'rate-limit',
  DART_MAINTENANCE: 'server',
  DART_SERVER_ERROR: 'server',
  DART_BAD_REQUEST: 'invalid-input',
  DART_MALFORMED_REPLY: 'parse',
  DART_DAILY_QUOTA: 'quota',
};

type Loose = {
  name?: unknown;
  code?: unknown;
  msgCd?: unknown;
  httpStatus?: unknown;
  statusCode?: unknown;
  kind?: unknown;
  disposition?: unknown;
  details?: unknown;
  cause?: unknown;
};

function field(err: Loose, key: 'msgCd' | 'httpStatus' | 'kind'): unknown {
  if (err[key] !== undefined) return err[key];
  const d = err.details;
  return d !== null && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;
}

function kindOf(err: unknown, depth: number): FetchErrorKind {
  if (err === null || typeof err !== 'object') return 'unknown';
  const e = err as Loose;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const msgCd = String(field(e, 'msgCd') ?? '');
  const statusRaw = field(e, 'httpStatus') ?? e.statusCode;
  const status = typeof statusRaw === 'number' ? statusRaw : undefined;
  const netKind = String(field(e, 'kind') ?? '');

  if (code === 'KISD_ABORTED' || name === 'AbortError') return 'aborted';
  const dart = DART_KINDS[code];
  if (dart !== undefined) return dart;
  if (code === 'DART_NETWORK') return netKind === 'read-timeout' || netKind === 'connect-timeout' ? 'timeout' : 'network';
  if (code === 'KISD_NOT_FOUND' || NOT_FOUND_MSG_CODES.has(msgCd) || status === 404) return 'not-found';
  if (INVALID_INPUT_MSG_CODES.has(msgCd) || code === 'KISD_INVALID_CODE') return 'invalid-input';
  if (RATE_LIMIT_MSG_CODES.has(msgCd) || status === 429) return 'rate-limit';
  if (AUTH_MSG_CODES.has(msgCd) || status === 401 || (status === 403 && msgCd !== 'EGW00133')) return 'auth';
  if (msgCd === 'EGW00133') return 'rate-limit'; // token issue throttled (1/min): waiting is the cure
  if (code === 'KIS_NETWORK') return netKind === 'read-timeout' || netKind === 'connect-timeout' ? 'timeout' : 'network';
  if (name === 'TimeoutError' || TIMEOUT_CODES.has(code)) return 'timeout';
  if (NETWORK_CODES.has(code)) return 'network';
  if (code === 'KIS_MALFORMED_REPLY' || name === 'SyntaxError' || name === 'ZodError' || code.endsWith('_PARSE')) return 'parse';
  if (name === 'SqliteError' || code.startsWith('SQLITE_')) return 'storage';
  if (status !== undefined && status >= 500) return 'server';
  // The REST client's errors wrap their cause; undici's wrap theirs.
  if (depth < 4 && e.cause !== undefined) {
    const inner = kindOf(e.cause, depth + 1);
    if (inner !== 'unknown') return inner;
  }
  if (e.disposition === 'retryable') return 'server';
  return 'unknown';
}

/** Maps any thrown value to its row of FETCH_ERROR_POLICIES. Never throws. */
export function classifyFetchError(err: unknown): FetchErrorPolicy {
  return FETCH_ERROR_POLICIES[kindOf(err, 0)];
}
