import { describe, expect, it } from 'vitest';
import { KisdError, AbortedError } from '../../../src/core/errors.js';
import { DartApiError, DartMalformedReplyError, DartNetworkError, DartQuotaExhaustedError } from '../../../src/dart/index.js';
import { classifyFetchError, FETCH_ERROR_POLICIES, NotFoundError, type FetchErrorKind } from '../../../src/collect/index.js';

function withCode(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(code), { code, ...extra });
}

// One row per line of seed 002 §7, plus the REST client's typed errors (duck-typed).
const rows: [string, unknown, FetchErrorKind, string][] = [
  ['NetworkError: connection reset', withCode('ECONNRESET'), 'network', 'retry'],
  ['NetworkError: DNS failure', withCode('ENOTFOUND'), 'network', 'retry'],
  ['NetworkError: REST client KIS_NETWORK', new KisdError('KIS_NETWORK', 'connect-refused: x', { disposition: 'retryable', details: { kind: 'connect-refused' } }), 'network', 'retry'],
  ['TimeoutError: undici headers timeout', withCode('UND_ERR_HEADERS_TIMEOUT'), 'timeout', 'retry'],
  ['TimeoutError: REST client read timeout', new KisdError('KIS_NETWORK', 'read-timeout', { disposition: 'retryable', details: { kind: 'read-timeout' } }), 'timeout', 'retry'],
  ['RateLimitError: EGW00201', new KisdError('KIS_API_ERROR', 'x', { details: { msgCd: 'EGW00201' } }), 'rate-limit', 'retry'],
  ['RateLimitError: HTTP 429', Object.assign(new Error('too many'), { statusCode: 429 }), 'rate-limit', 'retry'],
  ['AuthError: EGW00123 token expired', new KisdError('KIS_API_ERROR', 'x', { details: { msgCd: 'EGW00123', httpStatus: 500 } }), 'auth', 'retry'],
  ['AuthError: HTTP 401', Object.assign(new Error('unauthorised'), { httpStatus: 401 }), 'auth', 'retry'],
  ['NotFoundError: kisd NotFoundError', new NotFoundError('no bars'), 'not-found', 'skip'],
  ['NotFoundError: HTTP 404', Object.assign(new Error('nope'), { statusCode: 404 }), 'not-found', 'skip'],
  ['InvalidInput: OPSQ2001 (an ETN code without its Q prefix)', new KisdError('KIS_API_ERROR', 'ERROR : INPUT INVALID_CHECK_ITEM_CODE', { details: { msgCd: 'OPSQ2001', httpStatus: 200 } }), 'invalid-input', 'reject'],
  ['InvalidInput: OPSQ2000 (account)', new KisdError('KIS_API_ERROR', 'x', { details: { msgCd: 'OPSQ2000' } }), 'invalid-input', 'reject'],
  ['ServerError: HTTP 503', new KisdError('KIS_API_ERROR', 'x', { disposition: 'retryable', details: { httpStatus: 503 } }), 'server', 'retry'],
  ['ParseError: malformed reply', new KisdError('KIS_MALFORMED_REPLY', 'x', { disposition: 'retryable' }), 'parse', 'retry'],
  ['ParseError: SyntaxError', new SyntaxError('Unexpected token <'), 'parse', 'retry'],
  ['InvalidInput: an overseas code not written EXCD:SYMB', Object.assign(new Error('x'), { code: 'KISD_INVALID_CODE' }), 'invalid-input', 'reject'],
  ['DBError: SQLITE_BUSY', Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' }), 'storage', 'retry'],
  ['aborted: shutdown', new AbortedError(), 'aborted', 'abort'],
  ['OpenDART 010/011: a refused key stops the run', new DartApiError({ action: 'bad-key', status: '010', dartMessage: '등록되지 않은 키입니다.', path: '/api/list.json', httpStatus: 200, attempts: 1 }), 'bad-key', 'stop'],
  ['OpenDART 020: request limit', new DartApiError({ action: 'rate-limited', status: '020', dartMessage: '', path: '/api/list.json', httpStatus: 200, attempts: 3 }), 'rate-limit', 'retry'],
  ['OpenDART 800: maintenance', new DartApiError({ action: 'maintenance', status: '800', dartMessage: '', path: '/api/list.json', attempts: 2 }), 'server', 'retry'],
  ['OpenDART 100: bad field', new DartApiError({ action: 'bad-request', status: '100', dartMessage: '', path: '/api/list.json', attempts: 1 }), 'invalid-input', 'reject'],
  ['OpenDART: a reply without its shape', new DartMalformedReplyError('/api/list.json', 'list missing'), 'parse', 'retry'],
  ['OpenDART: read timeout', new DartNetworkError('read-timeout', '/api/list.json', 'slow'), 'timeout', 'retry'],
  ['OpenDART: the daily budget is spent', new DartQuotaExhaustedError(19_000, 0), 'quota', 'queue'],
  ['cause chain: wrapped ECONNREFUSED', new Error('fetch failed', { cause: withCode('ECONNREFUSED') }), 'network', 'retry'],
  ['unknown: plain Error', new Error('???'), 'unknown', 'queue'],
  ['unknown: a string', 'boom', 'unknown', 'queue'],
];

describe('classifyFetchError (seed 002 §7 table)', () => {
  it.each(rows)('%s', (_label, err, kind, disposition) => {
    const p = classifyFetchError(err);
    expect(p.kind).toBe(kind);
    expect(p.disposition).toBe(disposition);
  });

  it('rate limits wait at least a minute and auth errors renew the token', () => {
    expect(FETCH_ERROR_POLICIES['rate-limit'].minDelayMs).toBe(60_000);
    expect(FETCH_ERROR_POLICIES.auth.refreshToken).toBe(true);
    expect(Object.values(FETCH_ERROR_POLICIES).filter((p) => p.refreshToken)).toHaveLength(1);
  });
});
