// One test per row of the classification table, plus body reading.
import { describe, expect, it } from 'vitest';
import { CLASSIFICATION_TABLE, classifyReply, readReplyBody, type ReplyFacts } from '../../../src/kis/rest/classify.js';

const env = (rtCd: string, msgCd = '', msg1 = '') => ({ rtCd, msgCd, msg1 });
const json = (httpStatus: number, rtCd: string, msgCd = ''): ReplyFacts => ({ httpStatus, bodyKind: 'json', envelope: env(rtCd, msgCd) });

const ROWS: [rule: string, facts: ReplyFacts, action: string, reached: 'no' | 'maybe'][] = [
  ['network-before-send', { bodyKind: 'none', network: { kind: 'connect-refused', reachedServer: 'no' } }, 'backoff', 'no'],
  ['network-after-send', { bodyKind: 'none', network: { kind: 'read-timeout', reachedServer: 'maybe' } }, 'backoff', 'maybe'],
  ['rate-limited', json(500, '1', 'EGW00201'), 'rate-limited', 'no'],
  ['token-rejected-code', json(500, '1', 'EGW00123'), 'token-rejected', 'no'],
  ['success', json(200, '0', 'MCA00000'), 'success', 'maybe'],
  ['token-rejected-http', { httpStatus: 403, bodyKind: 'empty' }, 'token-rejected', 'no'],
  ['http-429', { httpStatus: 429, bodyKind: 'empty' }, 'backoff', 'maybe'],
  ['business-error-5xx', json(500, '1', 'APBK0919'), 'fail', 'maybe'],
  ['server-error', { httpStatus: 502, bodyKind: 'html' }, 'backoff', 'maybe'],
  ['malformed-2xx', { httpStatus: 200, bodyKind: 'empty' }, 'malformed', 'maybe'],
  ['http-error', { httpStatus: 404, bodyKind: 'other' }, 'fail', 'maybe'],
  ['business-error', json(200, '1', 'APBK0919'), 'fail', 'maybe'],
  ['unclassified', { httpStatus: 200, bodyKind: 'json', envelope: undefined, network: undefined } as ReplyFacts, 'malformed', 'maybe'],
];

describe('classification table', () => {
  it('has a test for every row, in table order', () => {
    expect(ROWS.map((r) => r[0])).toEqual(CLASSIFICATION_TABLE.map((r) => r.rule));
  });

  for (const [rule, facts, action, reached] of ROWS) {
    if (rule === 'unclassified') continue; // shadowed by malformed-2xx for real inputs; reachable only through odd facts
    it(`row ${rule}`, () => {
      expect(classifyReply(facts)).toMatchObject({ rule, action, reachedServer: reached });
    });
  }

  it('row unclassified catches anything the rows above miss', () => {
    expect(classifyReply({ httpStatus: 200, bodyKind: 'other', envelope: undefined })).toMatchObject({ rule: 'malformed-2xx' });
    const row = CLASSIFICATION_TABLE[CLASSIFICATION_TABLE.length - 1]!;
    expect(row.when({ bodyKind: 'none' })).toBe(true);
    expect(row.action).toBe('malformed');
  });

  it('EGW00121 and EGW00122 are token rejections, EGW00215 a rate limit, whatever the status', () => {
    expect(classifyReply(json(200, '1', 'EGW00121')).action).toBe('token-rejected');
    expect(classifyReply(json(403, '1', 'EGW00122')).action).toBe('token-rejected');
    expect(classifyReply(json(200, '1', 'EGW00215')).action).toBe('rate-limited');
    expect(classifyReply(json(200, '1', 'EGW00201')).action).toBe('rate-limited');
  });

  it('a 401/403 naming a non-token KIS code is not a token rejection (no needless re-issue)', () => {
    expect(classifyReply(json(403, '1', 'EGW02004'))).toMatchObject({ rule: 'http-error', action: 'fail' });
    expect(classifyReply(json(401, '1', 'APBK0656')).action).toBe('fail');
    expect(classifyReply({ httpStatus: 401, bodyKind: 'empty' }).action).toBe('token-rejected');
  });

  it('the body wins over the status: rt_cd 0 under HTTP 500 is a success', () => {
    expect(classifyReply(json(500, '0')).action).toBe('success');
  });

  it('a business msg_cd under 5xx is handled by its code; a gateway code or no code under 5xx is a server error', () => {
    expect(classifyReply(json(500, '1', 'APBK0656'))).toMatchObject({ rule: 'business-error-5xx', action: 'fail', outcome: 'business-error' });
    expect(classifyReply(json(503, '1', 'OPSQ2001')).action).toBe('fail');
    expect(classifyReply(json(500, '1', 'EGW00001'))).toMatchObject({ rule: 'server-error', action: 'backoff' });
    expect(classifyReply(json(500, '1', ''))).toMatchObject({ rule: 'server-error', action: 'backoff' });
  });
});

describe('readReplyBody', () => {
  it('parses the KIS envelope', () => {
    const { facts } = readReplyBody(200, '{"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상처리 되었습니다.  ","output":{}}');
    expect(facts).toEqual({ httpStatus: 200, bodyKind: 'json', envelope: { rtCd: '0', msgCd: 'MCA00000', msg1: '정상처리 되었습니다.  ' } });
  });
  it('recognises HTML, empty and unparseable bodies', () => {
    expect(readReplyBody(502, '  <html></html>').facts.bodyKind).toBe('html');
    expect(readReplyBody(200, '').facts.bodyKind).toBe('empty');
    expect(readReplyBody(200, '{"rt_cd":').facts.bodyKind).toBe('other');
    expect(readReplyBody(200, '[1,2]').facts.bodyKind).toBe('other');
  });
  it('maps OAuth-style {error_code} bodies onto msg_cd', () => {
    expect(readReplyBody(403, '{"error_code":"EGW00133","error_description":"1분당 1회"}').facts.envelope).toEqual({ rtCd: '1', msgCd: 'EGW00133', msg1: '1분당 1회' });
  });
  it('JSON without rt_cd or a code has no envelope', () => {
    expect(readReplyBody(200, '{"output":{}}').facts).toEqual({ httpStatus: 200, bodyKind: 'json' });
  });
});
