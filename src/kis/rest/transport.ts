// HTTP I/O for the KIS REST client on an undici Pool (one origin). The read timeout runs on the injected
// Clock so fake-clock tests can time out a hung reply; `reset()` swaps the pool for a fresh one — seed 000
// §2.2 "session reset" against keep-alive connections that go half-dead during long bulk runs.
import { Pool } from 'undici';
import { networkTimeoutMs, type Clock } from '../../core/clock.js';
import { AbortedError } from '../../core/errors.js';
import { networkErrorKind } from '../../net/network-error.js';
import { KisNetworkError } from './errors.js';

export interface TransportRequest {
  method: 'GET' | 'POST';
  /** Path plus query string, e.g. "/uapi/...?FID_INPUT_ISCD=005930". */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lowercase header names. */
  headers: Record<string, string | undefined>;
  bodyText: string;
}

export interface HttpTransport {
  /** Rejects with KisNetworkError (network) or AbortedError (caller's signal). Any HTTP status resolves. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Replaces the connection pool; in-flight requests on the old pool finish or fail on their own. */
  reset(): void;
  /** 0 at creation, +1 per reset(). */
  readonly generation: number;
  close(): Promise<void>;
}

export interface UndiciTransportOptions {
  /** Origin (and optional path prefix) of the KIS REST host, e.g. "https://openapi.koreainvestment.com:9443". */
  baseUrl: string;
  clock: Clock;
  /** TCP+TLS connect timeout (undici's own timer), default 5000 (seed 000 §3). */
  connectTimeoutMs?: number;
  /** From request start to the last body byte, on the Clock; default 20000 (seed 000 §3). */
  readTimeoutMs?: number;
  /** Max sockets to the origin, default 8. */
  connections?: number;
}

export function createUndiciTransport(opts: UndiciTransportOptions): HttpTransport {
  const url = new URL(opts.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  const readTimeoutMs = opts.readTimeoutMs ?? 20_000;
  const { clock } = opts;
  // In clock ms; under time travel at least 5 s of real time (core/clock.ts networkTimeoutMs).
  const readTimerMs = networkTimeoutMs(clock, readTimeoutMs);
  let generation = 0;

  const makePool = (): Pool =>
    new Pool(url.origin, {
      connections: opts.connections ?? 8,
      connect: { timeout: connectTimeoutMs },
      // The Clock-driven read timeout is authoritative; undici's own are a real-time backstop only.
      headersTimeout: readTimeoutMs * 3,
      bodyTimeout: readTimeoutMs * 3,
    });
  let pool = makePool();
  let closed = false;

  async function request(req: TransportRequest): Promise<TransportResponse> {
    if (req.signal?.aborted) throw new AbortedError('request aborted before sending');
    const ac = new AbortController();
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      ac.abort(new Error('read timeout'));
    }, readTimerMs);
    const onCallerAbort = (): void => ac.abort(new AbortedError('request aborted'));
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const res = await pool.request({
        method: req.method,
        path: prefix + req.path,
        headers: req.headers,
        body: req.body,
        signal: ac.signal,
      });
      const bodyText = await res.body.text();
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.statusCode, headers, bodyText };
    } catch (err) {
      if (timedOut) throw new KisNetworkError('read-timeout', `no complete reply within ${readTimerMs} ms`, err);
      if (req.signal?.aborted) throw new AbortedError('request aborted');
      throw toNetworkError(err);
    } finally {
      clock.clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return {
    request,
    reset(): void {
      if (closed) return;
      const old = pool;
      pool = makePool();
      generation++;
      // Let in-flight requests on the old pool finish; errors from closing are irrelevant.
      old.close().catch(() => undefined);
    },
    get generation() {
      return generation;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.close();
    },
  };
}

/** Maps a Node/undici error to the kind that decides whether the request may have reached KIS. */
export function toNetworkError(err: unknown): KisNetworkError {
  if (err instanceof KisNetworkError) return err;
  return new KisNetworkError(networkErrorKind(err), err instanceof Error ? err.message : String(err), err);
}
