// The one table from (HTTP status, rt_cd, msg_cd, network error) to what the client does next (STYLE
// rule 5). KIS's HTTP status is unreliable (fact sheet §2.3: EGW00121/123/201 come as 500 or 200), so
// known body codes are checked before the status; seed 004 §2.1 gives the branches.
import type { NetworkErrorKind, ReachedServer } from './errors.js';

/** The parts of the KIS envelope the pipeline needs. */
export interface KisEnvelope {
  rtCd: string;
  msgCd: string;
  msg1: string;
}

export interface ReplyFacts {
  /** Undefined when the request failed at the network level. */
  httpStatus?: number;
  /** How the body looked: 'json' object, 'html' (gateway page), 'empty', 'other' (unparseable / non-object). */
  bodyKind: 'json' | 'html' | 'empty' | 'other' | 'none';
  /** Present when the body was a JSON object with rt_cd. */
  envelope?: KisEnvelope;
  network?: { kind: NetworkErrorKind; reachedServer: ReachedServer };
}

/**
 * success: done. rate-limited: pause the key's limiter, retry. token-rejected: invalidate the used token,
 * retry once. backoff: exponential backoff, retry (an order only if reachedServer is 'no').
 * malformed: retry a read, an order becomes unresolved. fail: KisApiError at once.
 */
export type ReplyAction = 'success' | 'rate-limited' | 'token-rejected' | 'backoff' | 'malformed' | 'fail';

/** Event label for metrics. */
export type ReplyOutcome =
  | 'success'
  | 'rate-limited'
  | 'token-rejected'
  | 'network-error'
  | 'server-error'
  | 'malformed'
  | 'http-error'
  | 'business-error';

export interface Verdict {
  rule: string;
  action: ReplyAction;
  outcome: ReplyOutcome;
  /** Whether KIS may have processed the request; decides whether an order may be resent. */
  reachedServer: ReachedServer;
}

/** EGW00201 per-key TPS, EGW00215 ledger TPS (🟡): gateway refusals, so the request was not processed. */
export const RATE_LIMIT_CODES: ReadonlySet<string> = new Set(['EGW00201', 'EGW00215']);
/** EGW00123 expired, EGW00121 invalid; EGW00122 "not found" is ❓ unconfirmed but costs only one re-issue. */
export const TOKEN_REJECTED_CODES: ReadonlySet<string> = new Set(['EGW00123', 'EGW00121', 'EGW00122']);

interface Row extends Verdict {
  when: (f: ReplyFacts) => boolean;
}

const is2xx = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;
/** rt_cd not 0 with a code that is not a gateway's (EGW…): KIS processed the request and refused it. */
const isBusinessRefusal = (e: KisEnvelope | undefined): boolean => e !== undefined && e.rtCd !== '0' && e.msgCd !== '' && !e.msgCd.startsWith('EGW');

/** Evaluated top to bottom; the first matching row wins. Each row has its own test. */
export const CLASSIFICATION_TABLE: readonly Row[] = [
  { rule: 'network-before-send', when: (f) => f.network?.reachedServer === 'no', action: 'backoff', outcome: 'network-error', reachedServer: 'no' },
  { rule: 'network-after-send', when: (f) => f.network !== undefined, action: 'backoff', outcome: 'network-error', reachedServer: 'maybe' },
  { rule: 'rate-limited', when: (f) => RATE_LIMIT_CODES.has(f.envelope?.msgCd ?? ''), action: 'rate-limited', outcome: 'rate-limited', reachedServer: 'no' },
  { rule: 'token-rejected-code', when: (f) => TOKEN_REJECTED_CODES.has(f.envelope?.msgCd ?? ''), action: 'token-rejected', outcome: 'token-rejected', reachedServer: 'no' },
  { rule: 'success', when: (f) => f.envelope?.rtCd === '0', action: 'success', outcome: 'success', reachedServer: 'maybe' },
  // A bare 401/403 (no KIS code) is taken as a token problem; one that names another code (EGW02004 paper key
  // on the real host, a business code) is not: dropping a good token would cost an issue (and a KakaoTalk notice).
  { rule: 'token-rejected-http', when: (f) => (f.httpStatus === 401 || f.httpStatus === 403) && !f.envelope?.msgCd, action: 'token-rejected', outcome: 'token-rejected', reachedServer: 'no' },
  // 429 is not a documented KIS reply (KIS says EGW00201); from an unknown proxy it proves nothing for orders.
  { rule: 'http-429', when: (f) => f.httpStatus === 429, action: 'backoff', outcome: 'server-error', reachedServer: 'maybe' },
  // A 5xx whose body is a KIS refusal with its own code (APBK…, OPSQ…) is that refusal: KIS's status is
  // unreliable (fact sheet §2.3) and seed 004 says to read the code first. Retrying it wasted calls, and an order
  // refused this way became "outcome unknown" instead of rejected. Gateway codes (EGW…) and bare 5xx are transient.
  { rule: 'business-error-5xx', when: (f) => (f.httpStatus ?? 0) >= 500 && isBusinessRefusal(f.envelope), action: 'fail', outcome: 'business-error', reachedServer: 'maybe' },
  { rule: 'server-error', when: (f) => (f.httpStatus ?? 0) >= 500, action: 'backoff', outcome: 'server-error', reachedServer: 'maybe' },
  { rule: 'malformed-2xx', when: (f) => is2xx(f.httpStatus) && f.envelope === undefined, action: 'malformed', outcome: 'malformed', reachedServer: 'maybe' },
  { rule: 'http-error', when: (f) => !is2xx(f.httpStatus), action: 'fail', outcome: 'http-error', reachedServer: 'maybe' },
  { rule: 'business-error', when: (f) => f.envelope !== undefined && f.envelope.rtCd !== '0', action: 'fail', outcome: 'business-error', reachedServer: 'maybe' },
  { rule: 'unclassified', when: () => true, action: 'malformed', outcome: 'malformed', reachedServer: 'maybe' },
];

export function classifyReply(facts: ReplyFacts): Verdict {
  for (const row of CLASSIFICATION_TABLE) {
    if (row.when(facts)) return { rule: row.rule, action: row.action, outcome: row.outcome, reachedServer: row.reachedServer };
  }
  /* c8 ignore next */
  throw new Error('unreachable: the classification table ends with a catch-all row');
}

/** Parses a body into facts; never throws. */
export function readReplyBody(httpStatus: number, bodyText: string): { facts: ReplyFacts; json: Record<string, unknown> | undefined } {
  const trimmed = bodyText.trim();
  if (trimmed === '') return { facts: { httpStatus, bodyKind: 'empty' }, json: undefined };
  if (trimmed.startsWith('<')) return { facts: { httpStatus, bodyKind: 'html' }, json: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { facts: { httpStatus, bodyKind: 'other' }, json: undefined };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { facts: { httpStatus, bodyKind: 'other' }, json: undefined };
  const json = parsed as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  const rtCd = str(json['rt_cd']);
  // OAuth-style errors ({error_code, error_description}) carry the same EGW codes under other names.
  const msgCd = str(json['msg_cd']) ?? str(json['error_code']) ?? '';
  const msg1 = str(json['msg1']) ?? str(json['error_description']) ?? '';
  if (rtCd === undefined) {
    // No rt_cd but a recognisable gateway code: still an envelope worth classifying (as an error).
    if (msgCd !== '') return { facts: { httpStatus, bodyKind: 'json', envelope: { rtCd: '1', msgCd, msg1 } }, json };
    return { facts: { httpStatus, bodyKind: 'json' }, json };
  }
  return { facts: { httpStatus, bodyKind: 'json', envelope: { rtCd: rtCd.trim(), msgCd: msgCd.trim(), msg1 } }, json };
}
