// Low-level HTTP plumbing for the simulator: bounded body reading, replies with KIS's header names and casing
// (Content-Type capitalised; tr_id / tr_cont / gt_uid lowercase, as the official client expects), and the
// canned bodies of injected gateway faults.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 256 * 1024;
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** msg_cd / error_code of the body, '' if none */
  msgCd: string;
  ok: boolean;
}

/** Reads the request body; rejects past MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** A KIS REST reply: JSON body plus tr_id / tr_cont / gt_uid headers. */
export function restReply(status: number, body: unknown, trId: string, trCont: string): Reply {
  const b = body as { rt_cd?: unknown; msg_cd?: unknown } | null;
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, tr_id: trId, tr_cont: trCont, gt_uid: randomBytes(16).toString('hex') },
    body: JSON.stringify(body),
    msgCd: typeof b?.msg_cd === 'string' ? b.msg_cd : '',
    ok: status === 200 && (b?.rt_cd === undefined || b.rt_cd === '0'),
  };
}

/** An /oauth2 reply: plain JSON, errors as {error_code, error_description}. */
export function oauthReply(status: number, body: unknown): Reply {
  const b = body as { error_code?: unknown } | null;
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE },
    body: JSON.stringify(body),
    msgCd: typeof b?.error_code === 'string' ? b.error_code : '',
    ok: status === 200,
  };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const buf = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(buf.length) });
  res.end(buf);
}

/** Body of an injected 5xx: a generic KIS gateway error (❓ code: one 3P map lists EGW00001–004 as generic). */
export function gatewayFaultReply(status: number, html: boolean, trId: string): Reply {
  if (!html) return restReply(status, { rt_cd: '1', msg_cd: 'EGW00001', msg1: '일시적인 오류가 발생하였습니다.' }, trId, '');
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return {
    status,
    headers: { 'Content-Type': 'text/html' },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    msgCd: '',
    ok: false,
  };
}

const STATUS_TEXT: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

/** A 200 whose body is cut off mid-JSON. */
export function malformedReply(trId: string): Reply {
  return {
    status: 200,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, tr_id: trId, tr_cont: '', gt_uid: randomBytes(16).toString('hex') },
    body: '{"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상처리 되었습니다.","output":{"stck_prpr":"7',
    msgCd: '',
    ok: false,
  };
}

/** The reply with every top-level `output…` key removed (fault 'noOutput'); a body that is not a JSON object is kept. */
export function withoutOutputs(reply: Reply): Reply {
  let body: unknown;
  try {
    body = JSON.parse(reply.body);
  } catch {
    return reply;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return reply;
  const kept = Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !k.startsWith('output')));
  return { ...reply, body: JSON.stringify(kept), ok: false };
}

export function emptyReply(trId: string): Reply {
  return { status: 200, headers: { 'Content-Type': JSON_CONTENT_TYPE, tr_id: trId, tr_cont: '', gt_uid: randomBytes(16).toString('hex') }, body: '', msgCd: '', ok: false };
}
