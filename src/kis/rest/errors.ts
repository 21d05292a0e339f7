// Typed failures of the KIS REST pipeline (STYLE rule 5): each carries a stable code and a disposition.
// Messages carry tr_id, msg_cd and msg1 only — never tokens, app keys or account numbers.
import { KisdError, type Disposition } from '../../core/errors.js';
import { reachedServer, type NetworkErrorKind, type ReachedServer } from '../../net/network-error.js';

/** KIS answered and refused (business error, other 4xx), or retries ran out on a retryable failure. */
export class KisApiError extends KisdError {
  readonly msgCd: string;
  readonly msg1: string;
  readonly trId: string;
  readonly httpStatus: number | undefined;
  readonly attempts: number;

  constructor(opts: {
    msgCd: string;
    msg1: string;
    trId: string;
    httpStatus?: number;
    attempts: number;
    disposition?: Disposition;
    reason?: string;
    cause?: unknown;
  }) {
    const status = opts.httpStatus === undefined ? 'no HTTP status' : `HTTP ${opts.httpStatus}`;
    const what = opts.reason ?? 'KIS rejected the request';
    super('KIS_API_ERROR', `${what}: tr_id ${opts.trId}, ${status}, msg_cd ${opts.msgCd || '(none)'} ${opts.msg1.trim()}`.trim(), {
      disposition: opts.disposition ?? 'fatal',
      cause: opts.cause,
      details: { msgCd: opts.msgCd, msg1: opts.msg1, trId: opts.trId, httpStatus: opts.httpStatus, attempts: opts.attempts },
    });
    this.msgCd = opts.msgCd;
    this.msg1 = opts.msg1;
    this.trId = opts.trId;
    this.httpStatus = opts.httpStatus;
    this.attempts = opts.attempts;
  }
}

export type { NetworkErrorKind, ReachedServer } from '../../net/network-error.js';

export class KisNetworkError extends KisdError {
  readonly kind: NetworkErrorKind;
  readonly reachedServer: ReachedServer;

  constructor(kind: NetworkErrorKind, message: string, cause?: unknown) {
    const reached = reachedServer(kind);
    super('KIS_NETWORK', `${kind}: ${message}`, { disposition: 'retryable', cause, details: { kind, reachedServer: reached } });
    this.kind = kind;
    this.reachedServer = reached;
  }
}

/** A reply that is not the KIS envelope (empty, HTML on 2xx, JSON without rt_cd) or a schema mismatch. */
export class KisMalformedReplyError extends KisdError {
  readonly trId: string;
  constructor(trId: string, reason: string, opts: { httpStatus?: number; attempts?: number; cause?: unknown } = {}) {
    super('KIS_MALFORMED_REPLY', `malformed reply to tr_id ${trId}: ${reason}`, {
      disposition: 'retryable',
      cause: opts.cause,
      details: { trId, reason, httpStatus: opts.httpStatus, attempts: opts.attempts },
    });
    this.trId = trId;
  }
}

/**
 * An order request that may or may not have been executed by KIS (timeout, reset after send, 5xx,
 * malformed reply, caller abort after send). Never resend it: reconcile by querying daily executions
 * (inquire-daily-ccld) for `clientRef`'s order around `sentAtEpochMs`.
 */
export class OrderOutcomeUnknownError extends KisdError {
  readonly trId: string;
  /** The request body as sent, with the account number masked. */
  readonly sentBody: Readonly<Record<string, string>>;
  readonly sentAtEpochMs: number;
  readonly clientRef: string;

  constructor(opts: {
    trId: string;
    sentBody: Record<string, string>;
    sentAtEpochMs: number;
    clientRef: string;
    reason: string;
    cause?: unknown;
  }) {
    super('KIS_ORDER_OUTCOME_UNKNOWN', `order ${opts.clientRef} (tr_id ${opts.trId}) outcome unknown: ${opts.reason}`, {
      disposition: 'unresolved',
      cause: opts.cause,
      details: {
        trId: opts.trId,
        clientRef: opts.clientRef,
        sentAtEpochMs: opts.sentAtEpochMs,
        sentBody: opts.sentBody,
        reason: opts.reason,
      },
    });
    this.trId = opts.trId;
    this.sentBody = Object.freeze({ ...opts.sentBody });
    this.sentAtEpochMs = opts.sentAtEpochMs;
    this.clientRef = opts.clientRef;
  }
}

/**
 * An order request abandoned before any byte of it left: its send deadline (counted from the trading
 * decision) passed while it waited for a token, a rate slot or a retry after a refused connection. KIS never
 * saw it; it must not be sent late (the decision's price and timing are stale).
 */
export class OrderNotSentError extends KisdError {
  readonly trId: string;
  readonly clientRef: string;
  constructor(opts: { trId: string; clientRef: string; lateByMs: number; attempts: number; cause?: unknown }) {
    super('KIS_ORDER_NOT_SENT', `order ${opts.clientRef} (tr_id ${opts.trId}) not sent: its send deadline passed ${opts.lateByMs} ms ago before it could leave (${opts.attempts} attempt(s) never reached KIS)`, {
      disposition: 'fatal',
      cause: opts.cause,
      details: { trId: opts.trId, clientRef: opts.clientRef, lateByMs: opts.lateByMs, attempts: opts.attempts },
    });
    this.trId = opts.trId;
    this.clientRef = opts.clientRef;
  }
}

/** A TR that does not exist in the configured mode (e.g. chk-holiday on paper). */
export class KisUnsupportedError extends KisdError {
  constructor(message: string) {
    super('KIS_UNSUPPORTED', message, { disposition: 'fatal' });
  }
}
