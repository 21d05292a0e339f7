// HTTP I/O for the OpenDART client: one undici Pool to the DART origin, GET only, bodies returned as bytes
// (corpCode.xml is a zip). The read timeout runs on the injected Clock so fake-clock tests can time out a hung
// reply. Errors never carry the query string: crtfc_key is in it.
import { Pool } from 'undici';
import type { Clock } from '../core/clock.js';
import { AbortedError } from '../core/errors.js';
import { toNetworkError } from '../kis/rest/transport.js';
import { DartNetworkError } from './errors.js';
import { redactPath } from './paths.js';

export interface DartHttpResponse {
  status: number;
  /** Lowercase header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface DartTransport {
  /** GET pathWithQuery. Rejects with DartNetworkError or AbortedError; any HTTP status resolves. */
  get(pathWithQuery: string, signal?: AbortSignal): Promise<DartHttpResponse>;
  close(): Promise<void>;
}

export interface DartTransportOptions {
  baseUrl: string;
  clock: Clock;
  /** From request start to the last body byte, on the Clock. Default 30000 (the corp-code zip is a few MB). */
  readTimeoutMs?: number;
  /** TCP+TLS connect timeout, default 5000. */
  connectTimeoutMs?: number;
  /** Largest body accepted, default 64 MiB (the real corp-code zip is ~3 MB). */
  maxBodyBytes?: number;
}

export function createDartTransport(opts: DartTransportOptions): DartTransport {
  const url = new URL(opts.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const readTimeoutMs = opts.readTimeoutMs ?? 30_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const pool = new Pool(url.origin, {
    connections: 4,
    connect: { timeout: opts.connectTimeoutMs ?? 5_000 },
    // The Clock-driven timeout is authoritative; undici's own are a real-time backstop only.
    headersTimeout: readTimeoutMs * 3,
    bodyTimeout: readTimeoutMs * 3,
  });

  return {
    async get(pathWithQuery, signal) {
      const path = redactPath(pathWithQuery);
      if (signal?.aborted) throw new AbortedError(`OpenDART ${path}: aborted before sending`);
      const ac = new AbortController();
      let timedOut = false;
      const timer = opts.clock.setTimeout(() => {
        timedOut = true;
        ac.abort(new Error('read timeout'));
      }, readTimeoutMs);
      const onAbort = (): void => ac.abort(new AbortedError('request aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const res = await pool.request({ method: 'GET', path: prefix + pathWithQuery, headers: { accept: '*/*' }, signal: ac.signal });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxBodyBytes) throw new DartNetworkError('other', path, `reply larger than ${maxBodyBytes} bytes`);
          chunks.push(chunk as Buffer);
        }
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        return { status: res.statusCode, headers, body: Buffer.concat(chunks) };
      } catch (err) {
        if (err instanceof DartNetworkError) throw err;
        if (timedOut) throw new DartNetworkError('read-timeout', path, `no complete reply within ${readTimeoutMs} ms`);
        if (signal?.aborted) throw new AbortedError(`OpenDART ${path}: aborted`);
        // Keep only the kind and undici's message; a message that echoes the URL is scrubbed by the logger too.
        const net = toNetworkError(err);
        throw new DartNetworkError(net.kind, path, redactPath(net.message.replace(/^[a-z-]+: /, '')));
      } finally {
        opts.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => pool.close(),
  };
}
