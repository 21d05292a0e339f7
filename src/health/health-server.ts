// The health server: GET /healthz → JSON snapshot from the HealthSource port (200 when ready, 503 otherwise),
// GET /metrics → Prometheus text, GET / → the live status page with its JSON twin GET /status.json, and
// GET /reports/daily_YYYYMMDD.html → the daily reports. Read-only (GET/HEAD only). Loopback by default; any
// other address needs KISD_HEALTH_TOKEN (health-auth.ts) and refuses to start without it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { formatKstTimestamp } from '../core/kst.js';
import { scrubSecrets } from '../log/secrets.js';
import type { KisdMetrics } from './metrics.js';
import { healthAuthFor, isAuthorized, type HealthAuth } from './health-auth.js';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page.js';
import type { StatusJson } from './status-model.js';

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
  /** Default 127.0.0.1; any non-loopback address needs a token (env KISD_HEALTH_TOKEN) or start() throws. */
  host?: string;
  /** 0 = any free port (tests). */
  port: number;
  /** Where KISD_HEALTH_TOKEN is read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The status page's data (/status.json); without it / and /status.json answer 404. */
export interface StatusSource {
  status(): Promise<StatusJson>;
}

/** Reads one daily report's HTML by its file name (daily_YYYYMMDD.html), or undefined when absent. */
export type ReportReader = (fileName: string) => Promise<string | undefined>;

export class HealthServer {
  private server: Server | undefined;
  private readonly startedMs: number;
  private auth: HealthAuth = { token: undefined };

  constructor(
    private readonly opts: HealthServerOptions,
    private readonly deps: { source: HealthSource; metrics: KisdMetrics; clock: Clock; logger: Logger; status?: StatusSource; reports?: ReportReader },
  ) {
    this.startedMs = deps.clock.monotonicMs();
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const host = this.opts.host ?? '127.0.0.1';
    this.auth = healthAuthFor(host, this.opts.env ?? process.env);
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
    this.deps.logger.info({ host, port, tokenRequired: this.auth.token !== undefined }, 'health server listening');
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
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed (the status page is read-only)\n');
      if (!isAuthorized(req.headers, this.auth)) {
        res.setHeader('WWW-Authenticate', 'Basic realm="kisd", charset="UTF-8"');
        return send(res, 401, 'text/plain', 'kisd: this health server needs its token: Authorization: Bearer <KISD_HEALTH_TOKEN> (in a browser, any user name and the token as password)\n');
      }
      const status = this.deps.status;
      if (path === '/' && status) return send(res, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML, { 'Content-Security-Policy': STATUS_PAGE_CSP });
      if (path === '/status.json' && status) return send(res, 200, 'application/json', `${JSON.stringify(await status.status())}\n`);
      const report = /^\/reports\/(daily_\d{8}\.html)$/.exec(path ?? '')?.[1];
      if (report && this.deps.reports) {
        const html = await this.deps.reports(report);
        if (html !== undefined) return send(res, 200, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" });
      }
      if (path === '/healthz') {
        const body = await this.healthJson();
        return send(res, body.status === 'ok' ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
      }
      if (path === '/metrics') return send(res, 200, this.deps.metrics.registry.contentType, await this.deps.metrics.render());
      return send(res, 404, 'text/plain', 'not found\n');
    } catch (err) {
      this.deps.logger.error({ path, err: errorMessage(err) }, 'health endpoint failed');
      return send(res, 500, 'application/json', `${JSON.stringify({ status: 'error', error: scrubSecrets(errorMessage(err)) })}\n`);
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

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
