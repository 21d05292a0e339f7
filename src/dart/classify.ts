// From one HTTP exchange with OpenDART to the action the client takes: network and HTTP facts first, then the
// body's `status` through the status table. DART puts its outcome in the body with HTTP 200, so an HTTP error
// status only decides when the body has no status. Pure; test/unit/dart/classify.test.ts walks every row.
import { XMLParser } from 'fast-xml-parser';
import type { NetworkErrorKind } from '../kis/rest/errors.js';
import { dartStatusRow, type DartAction } from './status-table.js';

export type BodyKind = 'json' | 'zip' | 'xml' | 'html' | 'empty' | 'other';

export interface DartReplyFacts {
  /** Undefined when the request failed at the network level. */
  httpStatus?: number;
  network?: NetworkErrorKind;
  bodyKind?: BodyKind;
  /** The body's status code and message, when it has one. */
  status?: string;
  message?: string;
  /** What the caller asked for: a JSON document or a file (the corp-code zip). */
  expect: 'json' | 'file';
}

export type DartVerdictAction = DartAction | 'malformed';

export interface DartVerdict {
  rule: string;
  action: DartVerdictAction;
}

interface Row {
  rule: string;
  when: (f: DartReplyFacts) => boolean;
  action: (f: DartReplyFacts) => DartVerdictAction;
}

const is2xx = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

/** Evaluated top to bottom; the first matching row wins. */
export const DART_REPLY_TABLE: readonly Row[] = [
  { rule: 'network', when: (f) => f.network !== undefined, action: () => 'server-error' },
  // A zip is the success reply of a file download; errors come back as a small JSON/XML status document.
  { rule: 'file', when: (f) => f.expect === 'file' && is2xx(f.httpStatus) && f.bodyKind === 'zip', action: () => 'success' },
  { rule: 'body-status', when: (f) => f.status !== undefined, action: (f) => dartStatusRow(f.status ?? '').action },
  // Not a documented DART reply, but any proxy in between may say it: treat as the rate limit.
  { rule: 'http-429', when: (f) => f.httpStatus === 429, action: () => 'rate-limited' },
  { rule: 'http-5xx', when: (f) => (f.httpStatus ?? 0) >= 500, action: () => 'server-error' },
  { rule: 'malformed-2xx', when: (f) => is2xx(f.httpStatus), action: () => 'malformed' },
  { rule: 'http-error', when: () => true, action: () => 'bad-request' },
];

export function classifyDartReply(facts: DartReplyFacts): DartVerdict {
  for (const row of DART_REPLY_TABLE) if (row.when(facts)) return { rule: row.rule, action: row.action(facts) };
  /* c8 ignore next */
  throw new Error('unreachable: the table ends with a catch-all row');
}

const xml = new XMLParser({ parseTagValue: false, trimValues: true });

/** Reads a reply body into facts (and the JSON object, when it is one). Never throws. */
export function readDartReply(httpStatus: number, body: Buffer, expect: 'json' | 'file'): { facts: DartReplyFacts; json: Record<string, unknown> | undefined } {
  const facts: DartReplyFacts = { httpStatus, expect };
  if (body.length >= 4 && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04) return { facts: { ...facts, bodyKind: 'zip' }, json: undefined };
  const text = body.toString('utf8').replace(/^\uFEFF/, '').trim();
  if (text === '') return { facts: { ...facts, bodyKind: 'empty' }, json: undefined };
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { facts: { ...facts, bodyKind: 'other' }, json: undefined };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { facts: { ...facts, bodyKind: 'other' }, json: undefined };
    const json = parsed as Record<string, unknown>;
    const status = typeof json['status'] === 'string' ? json['status'].trim() : undefined;
    const message = typeof json['message'] === 'string' ? json['message'] : undefined;
    return { facts: { ...facts, bodyKind: 'json', ...(status !== undefined ? { status } : {}), ...(message !== undefined ? { message } : {}) }, json };
  }
  if (text.startsWith('<')) {
    if (/^<(!doctype\s+)?html/i.test(text)) return { facts: { ...facts, bodyKind: 'html' }, json: undefined };
    try {
      const doc = xml.parse(text) as { result?: { status?: unknown; message?: unknown } };
      const status = typeof doc.result?.status === 'string' ? doc.result.status : undefined;
      const message = typeof doc.result?.message === 'string' ? doc.result.message : undefined;
      return { facts: { ...facts, bodyKind: 'xml', ...(status !== undefined ? { status } : {}), ...(message !== undefined ? { message } : {}) }, json: undefined };
    } catch {
      return { facts: { ...facts, bodyKind: 'other' }, json: undefined };
    }
  }
  return { facts: { ...facts, bodyKind: 'other' }, json: undefined };
}
