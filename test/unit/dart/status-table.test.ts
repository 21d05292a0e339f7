// Every row of the DART status table and of the reply-classification table, and the body reader.
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { classifyDartReply, DART_REPLY_TABLE, DART_STATUS_TABLE, dartStatusRow, readDartReply, type DartReplyFacts } from '../../../src/dart/index.js';

describe('DART_STATUS_TABLE', () => {
  const expected: Record<string, [string, boolean]> = {
    '000': ['success', false],
    '013': ['no-data', false],
    '014': ['no-data', false],
    '010': ['bad-key', true],
    '011': ['bad-key', true],
    '012': ['bad-key', true],
    '901': ['bad-key', true],
    '020': ['rate-limited', false],
    '021': ['bad-request', false],
    '100': ['bad-request', false],
    '101': ['bad-request', true],
    '800': ['maintenance', false],
    '900': ['server-error', false],
  };

  it('lists exactly the guide\'s codes, each once', () => {
    expect(DART_STATUS_TABLE.map((r) => r.status).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [status, [action, alert]] of Object.entries(expected)) {
    it(`${status} → ${action}${alert ? ' (alert)' : ''}`, () => {
      expect(dartStatusRow(status)).toMatchObject({ status, action, alert });
      expect(dartStatusRow(status).why.length).toBeGreaterThan(10);
    });
  }

  it('an undocumented code is a server error (retried, then failed), not success or no data', () => {
    expect(dartStatusRow('555').action).toBe('server-error');
  });
});

describe('DART_REPLY_TABLE', () => {
  const rows: [string, DartReplyFacts, string, string][] = [
    ['network error', { network: 'connection-reset', expect: 'json' }, 'network', 'server-error'],
    ['zip on a file endpoint', { httpStatus: 200, bodyKind: 'zip', expect: 'file' }, 'file', 'success'],
    ['status 000', { httpStatus: 200, bodyKind: 'json', status: '000', expect: 'json' }, 'body-status', 'success'],
    ['status 013', { httpStatus: 200, bodyKind: 'json', status: '013', expect: 'json' }, 'body-status', 'no-data'],
    ['status 020 in XML', { httpStatus: 200, bodyKind: 'xml', status: '020', expect: 'file' }, 'body-status', 'rate-limited'],
    ['status in a 500 body wins over the HTTP status', { httpStatus: 500, bodyKind: 'json', status: '800', expect: 'json' }, 'body-status', 'maintenance'],
    ['HTTP 429 without a status', { httpStatus: 429, bodyKind: 'empty', expect: 'json' }, 'http-429', 'rate-limited'],
    ['HTTP 502 HTML page', { httpStatus: 502, bodyKind: 'html', expect: 'json' }, 'http-5xx', 'server-error'],
    ['2xx JSON without a status', { httpStatus: 200, bodyKind: 'json', expect: 'json' }, 'malformed-2xx', 'malformed'],
    ['2xx zip on a JSON endpoint', { httpStatus: 200, bodyKind: 'zip', expect: 'json' }, 'malformed-2xx', 'malformed'],
    ['HTTP 404 without a status', { httpStatus: 404, bodyKind: 'html', expect: 'json' }, 'http-error', 'bad-request'],
  ];
  for (const [name, facts, rule, action] of rows) {
    it(`${name} → ${rule} / ${action}`, () => {
      expect(classifyDartReply(facts)).toEqual({ rule, action });
    });
  }

  it('every row of the table is reached by a case above', () => {
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(DART_REPLY_TABLE.map((r) => r.rule)));
  });
});

describe('readDartReply', () => {
  const buf = (s: string): Buffer => Buffer.from(s, 'utf8');
  it('reads JSON status and message', () => {
    expect(readDartReply(200, buf('{"status":"013","message":"조회된 데이타가 없습니다."}'), 'json').facts).toMatchObject({ bodyKind: 'json', status: '013', message: '조회된 데이타가 없습니다.' });
  });
  it('reads an XML status document (corpCode.xml refusals)', () => {
    expect(readDartReply(200, buf('<?xml version="1.0" encoding="UTF-8"?><result><status>010</status><message>등록되지 않은 키입니다.</message></result>'), 'file').facts).toMatchObject({ bodyKind: 'xml', status: '010' });
  });
  it('recognises a zip by its magic bytes', () => {
    expect(readDartReply(200, Buffer.from(zipSync({ 'a.xml': new Uint8Array([60]) })), 'file').facts.bodyKind).toBe('zip');
  });
  it('cut-off JSON, HTML, empty and a JSON array are not DART replies', () => {
    expect(readDartReply(200, buf('{"status":"000","list":['), 'json').facts).toMatchObject({ bodyKind: 'other' });
    expect(readDartReply(502, buf('<html><body>502</body></html>'), 'json').facts.bodyKind).toBe('html');
    expect(readDartReply(200, buf('  '), 'json').facts.bodyKind).toBe('empty');
    expect(readDartReply(200, buf('[1,2]'), 'json').facts.bodyKind).toBe('other');
  });
});
