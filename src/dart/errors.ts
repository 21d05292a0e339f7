// Typed failures of the OpenDART adapter, each with a stable code and a disposition (STYLE rule 5). Messages
// carry the path (never the query: crtfc_key rides in it), DART's status and message, and what to do next.
import { KisdError } from '../core/errors.js';
import type { NetworkErrorKind } from '../kis/rest/errors.js';
import type { DartAction } from './status-table.js';

export type DartErrorCode = 'DART_BAD_KEY' | 'DART_BAD_REQUEST' | 'DART_RATE_LIMITED' | 'DART_MAINTENANCE' | 'DART_SERVER_ERROR';

const CODE_BY_ACTION: Partial<Record<DartAction, DartErrorCode>> = {
  'bad-key': 'DART_BAD_KEY',
  'bad-request': 'DART_BAD_REQUEST',
  'rate-limited': 'DART_RATE_LIMITED',
  maintenance: 'DART_MAINTENANCE',
  'server-error': 'DART_SERVER_ERROR',
};

const NEXT_STEP: Partial<Record<DartAction, string>> = {
  'bad-key': 'check KISD_DART_API_KEY (the 40-character key from opendart.fss.or.kr → 인증키 신청/관리)',
  'bad-request': 'the request parameters are outside what the API accepts; this is a bug or a bad argument',
  'rate-limited': 'OpenDART’s request limit was reached; the task is retried later (daily limits reset at midnight KST)',
  maintenance: 'OpenDART is down for maintenance; the task is retried later',
  'server-error': 'OpenDART failed; the task is retried later',
};

/** DART answered with a non-success status (or HTTP error) that retries did not get past. */
export class DartApiError extends KisdError {
  readonly status: string;
  readonly dartMessage: string;
  readonly path: string;
  readonly httpStatus: number | undefined;
  readonly attempts: number;
  readonly action: DartAction;

  constructor(opts: { action: DartAction; status: string; dartMessage: string; path: string; httpStatus?: number; attempts: number; cause?: unknown }) {
    const code = CODE_BY_ACTION[opts.action] ?? 'DART_SERVER_ERROR';
    const retryable = opts.action === 'rate-limited' || opts.action === 'maintenance' || opts.action === 'server-error';
    const what = opts.status ? `status ${opts.status} ${opts.dartMessage.trim()}`.trim() : `HTTP ${opts.httpStatus ?? '?'}`;
    super(code, `OpenDART ${opts.path}: ${what} after ${opts.attempts} attempt(s); ${NEXT_STEP[opts.action] ?? 'see the log'}`, {
      disposition: retryable ? 'retryable' : 'fatal',
      cause: opts.cause,
      details: { status: opts.status, dartMessage: opts.dartMessage, path: opts.path, httpStatus: opts.httpStatus, attempts: opts.attempts, action: opts.action },
    });
    this.status = opts.status;
    this.dartMessage = opts.dartMessage;
    this.path = opts.path;
    this.httpStatus = opts.httpStatus;
    this.attempts = opts.attempts;
    this.action = opts.action;
  }
}

/** The request did not get a complete reply (refused, reset, DNS, read timeout). */
export class DartNetworkError extends KisdError {
  readonly kind: NetworkErrorKind;
  constructor(kind: NetworkErrorKind, path: string, message: string, opts: { attempts?: number; cause?: unknown } = {}) {
    super('DART_NETWORK', `OpenDART ${path}: ${kind}: ${message}`, { disposition: 'retryable', cause: opts.cause, details: { kind, path, attempts: opts.attempts } });
    this.kind = kind;
  }
}

/** A reply that is not DART's shape: not JSON/zip, no status, or a success body that fails the schema. Never "no data". */
export class DartMalformedReplyError extends KisdError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, opts: { httpStatus?: number; attempts?: number } = {}) {
    super('DART_MALFORMED_REPLY', `OpenDART ${path}: malformed reply (${reason}); retried later, reported if it persists`, {
      disposition: 'retryable',
      details: { path, reason, httpStatus: opts.httpStatus, attempts: opts.attempts },
    });
    this.path = path;
    this.reason = reason;
  }
}

/** The client's own daily budget is spent: nothing was sent. Retry after resumeAtEpochMs (next KST midnight). */
export class DartQuotaExhaustedError extends KisdError {
  readonly resumeAtEpochMs: number;
  constructor(limit: number, resumeAtEpochMs: number) {
    super('DART_DAILY_QUOTA', `OpenDART daily budget of ${limit} requests is spent; nothing was sent, requests resume at midnight KST`, {
      disposition: 'retryable',
      details: { limit, resumeAtEpochMs },
    });
    this.resumeAtEpochMs = resumeAtEpochMs;
  }
}
