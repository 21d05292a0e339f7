// The DART simulator: a second HTTP server (loopback, port 0) speaking OpenDART for a synthetic set of filers
// consistent with the KIS simulator's KR universe. It checks crtfc_key (unknown → 010, suspended → 011),
// enforces a per-key per-minute window and a per-key daily cap (→ 020), injects faults like the KIS simulator
// and exposes /__sim/* control routes:
//   POST /__sim/faults {DartFaultRule} → {id};  GET /__sim/faults;  DELETE /__sim/faults[?id=…]
//   GET /__sim/stats;  POST /__sim/stats/reset;  POST /__sim/limits/reset
//   POST /__sim/disclosures {stock_code | corp_code, report_nm, kind?} → {rcept_no} (files it now)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { SimLog } from '../contracts.js';
import { RateWindow } from '../rate-window.js';
import { StatsRecorder, outcomeOf, type SimStats } from '../stats.js';
import { DartFaultTable, type DartFaultRule } from './dart-faults.js';
import { corpCodeRoute, companyRoute, DART_SIM_PATHS, keyAccountsRoute, listRoute, statusBody, statusXml, type DartBody, type RouteEnv } from './dart-routes.js';
import { DartUniverse } from './dart-universe.js';
import { dayOfKst, DisclosureFeed, type DisclosureKind, type SimDisclosure } from './disclosure-feed.js';

export interface DartSimKey {
  key: string;
  /** answer 011 (a registered but suspended key) */
  suspended?: boolean;
}

export interface DartSimulatorOptions {
  clock: Clock;
  /** keys the simulator accepts; calls with any other get 010 */
  keys: DartSimKey[];
  host?: string;
  port?: number;
  seed?: number;
  /** accepted calls per key per rolling minute (monotonic); default 1000; 0 = no limit */
  perMinuteLimit?: number;
  /** accepted calls per key per KST day; default 20000; 0 = no limit */
  perDayLimit?: number;
  /** unlisted filers in corpCode.xml; default 200 */
  unlistedCount?: number;
  log?: SimLog;
}

export interface DartSimulator {
  /** http://127.0.0.1:<port> — the client's baseUrl */
  url: string;
  httpServer: Server;
  clock: Clock;
  universe: DartUniverse;
  feed: DisclosureFeed;
  faults: DartFaultTable;
  stats: SimStats;
  /** Files a disclosure for a listed code (or corp code) now, or at atMs. */
  injectDisclosure(opts: { stockCode?: string; corpCode?: string; reportNm: string; kind?: DisclosureKind; atMs?: number }): SimDisclosure;
  /** Clears the per-minute windows and daily counters. */
  resetLimits(): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

export async function createDartSimulator(opts: DartSimulatorOptions): Promise<DartSimulator> {
  const { clock } = opts;
  const seed = opts.seed ?? 1;
  const universe = new DartUniverse({ unlistedCount: opts.unlistedCount });
  const feed = new DisclosureFeed(universe, seed);
  const faults = new DartFaultTable(seed);
  const stats = new StatsRecorder();
  const keys = new Map(opts.keys.map((k) => [k.key, k]));
  const minuteWindow = new RateWindow({ limit: opts.perMinuteLimit ?? 1000, windowMs: 60_000 });
  const perDay = opts.perDayLimit ?? 20_000;
  const daily = new Map<string, { ymd: number; n: number }>();
  const timers = new Set<TimerHandle>();
  let closed = false;

  function overDailyCap(key: string): boolean {
    if (perDay === 0) return false;
    const today = dayOfKst(clock.nowMs());
    const c = daily.get(key);
    const n = c && c.ymd === today ? c.n : 0;
    if (n >= perDay) return true;
    daily.set(key, { ymd: today, n: n + 1 });
    return false;
  }

  function answer(path: string, q: URLSearchParams): DartBody {
    const key = q.get('crtfc_key') ?? '';
    const known = keys.get(key);
    if (!known) return { kind: 'json', json: statusBody('010') };
    if (known.suspended) return { kind: 'json', json: statusBody('011') };
    // Rejected calls are not counted (❓ whether DART counts them is undocumented), like the KIS window.
    if (!minuteWindow.tryAcquire(key, clock.monotonicMs()) || overDailyCap(key)) return { kind: 'json', json: statusBody('020') };
    const env: RouteEnv = { universe, feed, nowMs: clock.nowMs() };
    switch (path) {
      case DART_SIM_PATHS.corpCode:
        return corpCodeRoute(env);
      case DART_SIM_PATHS.list:
        return listRoute(env, q);
      case DART_SIM_PATHS.company:
        return companyRoute(env, q);
      case DART_SIM_PATHS.keyAccounts:
        return keyAccountsRoute(env, q);
      default:
        return { kind: 'json', json: statusBody('101') };
    }
  }

  function send(res: ServerResponse, httpStatus: number, type: string, body: string | Uint8Array): void {
    if (res.headersSent || res.destroyed) return;
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    res.writeHead(httpStatus, { 'Content-Type': type, 'Content-Length': String(buf.length) });
    res.end(buf);
  }

  function sendBody(res: ServerResponse, path: string, b: DartBody): { status: string; ok: boolean } {
    if (b.kind === 'zip') {
      send(res, 200, 'application/x-msdownload', b.bytes);
      return { status: '000', ok: true };
    }
    const status = String(b.json['status'] ?? '');
    // The corp-code endpoint is an XML endpoint: its refusals come as an XML status document.
    if (path === DART_SIM_PATHS.corpCode) send(res, 200, 'application/xml;charset=UTF-8', statusXml(status));
    else send(res, 200, JSON_TYPE, JSON.stringify(b.json));
    return { status, ok: status === '000' };
  }

  function deliverFault(rule: DartFaultRule, req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams, record: (http: number, status: string, fault: string) => void): void {
    switch (rule.kind) {
      case 'status':
        record(200, rule.status ?? '', 'status');
        sendBody(res, path, { kind: 'json', json: statusBody(rule.status ?? '900') });
        return;
      case 'http500':
      case 'http503': {
        const code = rule.kind === 'http500' ? 500 : 503;
        record(code, '', rule.kind);
        send(res, code, JSON_TYPE, JSON.stringify(statusBody('900')));
        return;
      }
      case 'html':
        record(502, '', 'html');
        send(res, 502, 'text/html', '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      case 'reset':
        record(0, '', 'reset');
        req.socket.destroy();
        return;
      case 'hang': {
        record(0, '', 'hang');
        if (rule.delayMs === undefined) return; // never answered; destroyed on close
        const body = answer(path, q);
        const t = clock.setTimeout(() => {
          timers.delete(t);
          if (!closed) sendBody(res, path, body);
        }, rule.delayMs);
        timers.add(t);
        return;
      }
      case 'malformed':
        record(200, '', 'malformed');
        send(res, 200, JSON_TYPE, '{"status":"000","message":"정상","list":[{"rcept_no":"2026');
        return;
      case 'wrongShape':
        // Well-formed JSON and a success status, but not the documented shape: no list, counters as text.
        record(200, '000', 'wrongShape');
        send(res, 200, JSON_TYPE, JSON.stringify({ status: '000', message: '정상', page_no: 'one', items: [] }));
        return;
      case 'empty':
        record(200, '', 'empty');
        send(res, 200, JSON_TYPE, '');
        return;
    }
  }

  function control(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams, rawBody: string): void {
    const json = (status: number, body: unknown): void => send(res, status, JSON_TYPE, JSON.stringify(body));
    let body: Record<string, unknown> = {};
    try {
      body = rawBody.trim() === '' ? {} : (JSON.parse(rawBody) as Record<string, unknown>);
    } catch {
      json(400, { error: 'body is not JSON' });
      return;
    }
    const route = `${req.method ?? 'GET'} ${path}`;
    try {
      switch (route) {
        case 'POST /__sim/faults':
          return json(200, { id: faults.add(body as unknown as DartFaultRule) });
        case 'GET /__sim/faults':
          return json(200, { faults: faults.list() });
        case 'DELETE /__sim/faults': {
          const id = q.get('id');
          if (id) faults.remove(id);
          else faults.clear();
          return json(200, { ok: true });
        }
        case 'GET /__sim/stats':
          return json(200, stats.snapshot());
        case 'POST /__sim/stats/reset':
          stats.reset();
          return json(200, { ok: true });
        case 'POST /__sim/limits/reset':
          sim.resetLimits();
          return json(200, { ok: true });
        case 'POST /__sim/disclosures': {
          const d = sim.injectDisclosure({
            stockCode: typeof body['stock_code'] === 'string' ? body['stock_code'] : undefined,
            corpCode: typeof body['corp_code'] === 'string' ? body['corp_code'] : undefined,
            reportNm: typeof body['report_nm'] === 'string' ? body['report_nm'] : '',
            kind: typeof body['kind'] === 'string' ? (body['kind'] as DisclosureKind) : undefined,
          });
          return json(200, { rcept_no: d.rceptNo, corp_code: d.filer.corpCode });
        }
        default:
          return json(404, { error: `unknown control route ${route}` });
      }
    } catch (err) {
      json(400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        if (path.startsWith('/__sim/')) return control(req, res, path, url.searchParams, Buffer.concat(chunks).toString('utf8'));
        const atMs = clock.nowMs();
        const record = (http: number, status: string, fault?: string): void => {
          stats.record({ path, trId: '', status: http, msgCd: status, ...(fault ? { fault } : {}), outcome: outcomeOf(http, status, fault, status === '000' && http === 200), atMs });
          opts.log?.debug({ path, status, fault }, 'DART simulator request');
        };
        const rule = faults.take(path);
        if (rule) return deliverFault(rule, req, res, path, url.searchParams, (h, s, f) => record(h, s, f));
        const result = sendBody(res, path, answer(path, url.searchParams));
        record(200, result.status);
      } catch (err) {
        opts.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'DART simulator request failed');
        send(res, 200, JSON_TYPE, JSON.stringify(statusBody('900')));
      }
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  const sim: DartSimulator = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    httpServer: server,
    clock,
    universe,
    feed,
    faults,
    stats,
    injectDisclosure(o) {
      const filer = o.corpCode ? universe.byCorpCode(o.corpCode) : o.stockCode ? universe.byStockCode(o.stockCode) : undefined;
      if (!filer) throw new TypeError('injectDisclosure needs the stock_code or corp_code of a known filer');
      if (o.reportNm.trim() === '') throw new TypeError('injectDisclosure needs report_nm');
      return feed.inject(filer, o.reportNm, o.kind ?? 'I', o.atMs ?? clock.nowMs());
    },
    resetLimits() {
      minuteWindow.reset();
      daily.clear();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const t of timers) clock.clearTimeout(t);
        timers.clear();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await done;
      })();
      return closing;
    },
  };
  opts.log?.info({ url: sim.url, filers: universe.filers.length }, 'DART simulator listening');
  return sim;
}
