// A loopback HTTP server (127.0.0.1, port 0) that answers each request from a script and records what it
// received, for KIS REST client tests that need a real socket but exact control of every reply.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/clock.js';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lowercase names. */
  headers: Record<string, string>;
  bodyText: string;
  json: unknown;
  /** Client port: a new value means a new TCP connection. */
  remotePort: number;
  /** clock.monotonicMs() at receipt, when the server was given a clock. */
  atMonoMs: number | undefined;
}

export type ScriptReply =
  | { status?: number; json?: unknown; body?: string; headers?: Record<string, string> }
  | { hang: true }
  | { reset: true };

export type ScriptStep = ScriptReply | ((req: RecordedRequest) => ScriptReply);

export interface ScriptedServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Appends steps; each request consumes the next one, then `fallback` answers. */
  push(...steps: ScriptStep[]): void;
  close(): Promise<void>;
}

/** The KIS success envelope with an output object. */
export function kisOk(output: unknown = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.', output, ...extra };
}

/** The KIS error envelope. */
export function kisErr(msgCd: string, msg1 = 'error'): Record<string, unknown> {
  return { rt_cd: '1', msg_cd: msgCd, msg1 };
}

export async function createScriptedServer(
  opts: { script?: ScriptStep[]; fallback?: ScriptStep; clock?: Clock; port?: number } = {},
): Promise<ScriptedServer> {
  const steps: ScriptStep[] = [...(opts.script ?? [])];
  const fallback: ScriptStep = opts.fallback ?? { json: kisOk() };
  const requests: RecordedRequest[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bodyText = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = bodyText ? JSON.parse(bodyText) : undefined;
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams.entries()),
        headers,
        bodyText,
        json,
        remotePort: req.socket.remotePort ?? 0,
        atMonoMs: opts.clock?.monotonicMs(),
      };
      requests.push(rec);
      const step = steps.shift() ?? fallback;
      const reply = typeof step === 'function' ? step(rec) : step;
      if ('hang' in reply) return; // never answer; close() destroys the socket
      if ('reset' in reply) {
        req.socket.resetAndDestroy();
        return;
      }
      const body = reply.body ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
      res.writeHead(reply.status ?? 200, {
        'Content-Type': reply.body !== undefined && reply.json === undefined ? 'text/html' : 'application/json; charset=utf-8',
        ...(reply.headers ?? {}),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    push: (...more) => steps.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
