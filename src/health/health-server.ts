// Local health/metrics HTTP server (loopback only): GET /healthz → JSON snapshot from the HealthSource port
// (200 when ready, 503 otherwise), GET /metrics → Prometheus text. `kisd status` reads /healthz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { formatKstTimestamp } from '../core/kst.js';
import type { KisdMetrics } from './metrics.js';

export interface HealthSnapshot {
  /** Start-up (recovery) finished and nothing fatal is pending. */
  ready: boolean;
  token: { valid: boolean; remainingSec?: number; expiresAt?: string } | null;
  feed: { market: 'KR' | 'US' | 'none'; state: string; subscriptions?: number; lastTickAt?: string } | null;
  lastPhase: { phase: string; outcome: string; at: string } | null;
  queueDepth: number;
  /** Jobs running now. */
  jobsInFlight?: string[];
  /** Anything else worth showing (mode, version). */
  info?: Record<string, string | number | boolean>;
}

export interface HealthSource {
  snapshot(): HealthSnapshot | Promise<HealthSnapshot>;
}

export interface HealthJson extends HealthSnapshot {
  status: 'ok' | 'not-ready' | 'error';
  now: string;
  uptimeSec: number;
}

export interface HealthServerOptions {
  /** Default 127.0.0.1; the server refuses to bind anywhere but loopback. */
  host?: string;
  /** 0 = any free port (tests). */
  port: number;
}

export class HealthServer {
  private server: Server | undefined;
  private readonly startedMs: number;

  constructor(
    private readonly opts: HealthServerOptions,
    private readonly deps: { source: HealthSource; metrics: KisdMetrics; clock: Clock; logger: Logger },
  ) {
    this.startedMs = deps.clock.monotonicMs();
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const host = this.opts.host ?? '127.0.0.1';
    if (!['127.0.0.1', '::1', 'localhost'].includes(host)) throw new Error(`health server must bind to loopback, not ${host}`);
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.deps.logger.info({ host, port }, 'health server listening');
    return port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
      if (path === '/healthz') {
        const body = await this.healthJson();
        return send(res, body.status === 'ok' ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
      }
      if (path === '/metrics') return send(res, 200, this.deps.metrics.registry.contentType, await this.deps.metrics.render());
      return send(res, 404, 'text/plain', 'not found\n');
    } catch (err) {
      this.deps.logger.error({ path, err: errorMessage(err) }, 'health endpoint failed');
      return send(res, 500, 'application/json', `${JSON.stringify({ status: 'error', error: errorMessage(err) })}\n`);
    }
  }

  private async healthJson(): Promise<HealthJson> {
    const snap = await this.deps.source.snapshot();
    this.deps.metrics.queueDepth.set(snap.queueDepth);
    return {
      status: snap.ready ? 'ok' : 'not-ready',
      now: formatKstTimestamp(this.deps.clock.nowMs()),
      uptimeSec: Math.round((this.deps.clock.monotonicMs() - this.startedMs) / 1000),
      ...snap,
    };
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
