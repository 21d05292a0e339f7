// The KIS simulator's composition root: one node:http server on loopback that speaks KIS REST (OAuth, quotes,
// orders, account queries) for the real or the paper server, with a deterministic synthetic market, per-account
// order books, fault injection and /__sim control routes. The WebSocket side (src/sim/ws) attaches to
// httpServer's 'upgrade' event and shares market, approvals, clock and apps.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../core/clock.js';
import { ApprovalRegistry } from './auth/approval-registry.js';
import { TokenRegistry } from './auth/token-registry.js';
import { createServerStateFile } from './auth/server-state-file.js';
import type { SimApp, SimLog } from './contracts.js';
import { createControlHandler } from './control-routes.js';
import { SimExchange } from './exchange/exchange.js';
import { FaultTable, type FaultInjector } from './faults.js';
import { SyntheticMarket } from './market/synthetic-market.js';
import { RateWindow } from './rate-window.js';
import { accountRoutes } from './rest/account-routes.js';
import { authRoutes } from './rest/auth-routes.js';
import { holidayRoute } from './rest/holiday-route.js';
import { minuteChartRoute } from './rest/minute-chart-route.js';
import { orderRoutes } from './rest/order-routes.js';
import { quoteRoutes } from './rest/quote-routes.js';
import { researchRoutes } from './rest/research-routes.js';
import { RestRouter } from './rest/router.js';
import type { Flavor, SimEnv } from './rest/types.js';
import { StatsRecorder, type SimStats } from './stats.js';

export interface SimulatorOptions {
  /** Drives everything time-based: token expiry (wall), rate window (monotonic), market time (wall, KST). */
  clock: Clock;
  /** default '127.0.0.1' */
  host?: string;
  /** default 0 (an ephemeral port) */
  port?: number;
  /** which KIS server to emulate: tr_ids, page sizes, default rate limit; default 'real' */
  flavor?: Flavor;
  /** registered apps; accountNo must look like "12345678-01" */
  apps: SimApp[];
  /** synthetic market and fault-probability seed; default 1 */
  seed?: number;
  /** accepted calls per app key per rolling second (monotonic); default real 20, paper 2; 0 = no limit */
  rateLimitPerSec?: number;
  /** access-token validity; default 86400 */
  tokenValiditySec?: number;
  /** a tokenP call within this many seconds of the token's issue returns the same token; default 21600 */
  tokenReuseWindowSec?: number;
  /** minimum spacing of tokenP successes per app key; default 60 (else 403 EGW00133) */
  tokenIssueMinIntervalSec?: number;
  /**
   * A file (0600) where the simulator keeps issued tokens and approval keys, so a restarted simulator still
   * honours them as KIS does for 24 h (the daemon's embedded simulator). Default: memory only.
   */
  stateFile?: string;
  /** extra KRX closures 'YYYYMMDD' on top of the built-in calendar (weekends are always closed) */
  holidays?: string[];
  /** starting cash per account; defaults 100,000,000 KRW and 100,000 USD */
  startingCashKrw?: number;
  startingCashUsd?: number;
  log?: SimLog;
}

export interface SimAuthControl {
  /** Every issued token expires now (calls then fail with EGW00123). */
  expireAllTokens(): void;
  /** Every issued token is revoked (calls then fail with EGW00121). */
  revokeAllTokens(): void;
  revokeToken(value: string): boolean;
  /** The app's latest live token, if any. */
  currentToken(appKey: string): string | undefined;
}

export interface Simulator {
  /** http://127.0.0.1:<port> */
  restUrl: string;
  /** ws://127.0.0.1:<port> (the WebSocket side handles httpServer 'upgrade') */
  wsUrl: string;
  httpServer: Server;
  clock: Clock;
  flavor: Flavor;
  apps: readonly SimApp[];
  market: SyntheticMarket;
  approvals: ApprovalRegistry;
  exchange: SimExchange;
  faults: FaultInjector;
  auth: SimAuthControl;
  stats: SimStats;
  /**
   * KIS unreachable: begin() stops listening and drops every connection (new connects are refused, like a
   * network outage in front of KIS); end() listens on the same port again. Orders placed before are kept.
   */
  outage: { begin(): Promise<void>; end(): Promise<void>; readonly active: boolean };
  /** Registers work to run first on close() (e.g. closing a WebSocket server). */
  onClose(hook: () => void | Promise<void>): void;
  /** Stops listening and destroys every socket, hung ones included. Idempotent. */
  close(): Promise<void>;
}

const ACCOUNT_NO = /^\d{8}-\d{2}$/;

/** Starts a simulator; resolves once it listens. Throws TypeError on invalid options. */
export async function createSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const flavor: Flavor = opts.flavor ?? 'real';
  for (const app of opts.apps) {
    if (!ACCOUNT_NO.test(app.accountNo)) throw new TypeError('SimApp.accountNo must look like "12345678-01"');
    if (!app.appKey || !app.appSecret) throw new TypeError('SimApp needs appKey and appSecret');
  }
  const seed = opts.seed ?? 1;
  const clock = opts.clock;
  const apps = Object.freeze(opts.apps.map((a) => Object.freeze({ ...a })));
  const market = new SyntheticMarket({ seed, krHolidays: opts.holidays ?? [] });
  const tokens = new TokenRegistry(clock, {
    validitySec: opts.tokenValiditySec ?? 86_400,
    reuseWindowSec: opts.tokenReuseWindowSec ?? 21_600,
    issueMinIntervalSec: opts.tokenIssueMinIntervalSec ?? 60,
  });
  const approvals = new ApprovalRegistry(clock);
  const persisted = opts.stateFile ? createServerStateFile(opts.stateFile, tokens, approvals, apps, opts.log) : undefined;
  const stats = new StatsRecorder();
  const faults = new FaultTable(seed);
  const exchange = new SimExchange({
    market,
    clock,
    apps,
    paper: flavor === 'paper',
    ...(opts.startingCashKrw !== undefined ? { startingCashKrw: opts.startingCashKrw } : {}),
    ...(opts.startingCashUsd !== undefined ? { startingCashUsd: opts.startingCashUsd } : {}),
  });
  const env: SimEnv = { clock, flavor, apps, market, exchange, tokens, approvals, stats, log: opts.log };
  const rate = new RateWindow({ limit: opts.rateLimitPerSec ?? (flavor === 'paper' ? 2 : 20) });
  const router = new RestRouter({
    env,
    routes: [...authRoutes, ...quoteRoutes, minuteChartRoute, ...researchRoutes, holidayRoute, ...orderRoutes, ...accountRoutes],
    faults,
    rate,
    control: createControlHandler({ faults, stats, tokens }),
  });

  const server = createServer((req, res) => router.handle(req, res));
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
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const closeHooks: (() => void | Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  opts.log?.info({ restUrl: `http://${urlHost}:${port}`, flavor, seed }, 'KIS simulator listening');

  return {
    restUrl: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}`,
    httpServer: server,
    clock,
    flavor,
    apps,
    market,
    approvals,
    exchange,
    faults,
    stats,
    auth: {
      expireAllTokens: () => tokens.expireAll(),
      revokeAllTokens: () => tokens.revokeAll(),
      revokeToken: (value) => tokens.revoke(value),
      currentToken: (appKey) => tokens.current(appKey),
    },
    outage: outageControl(server, sockets, { port, host }, () => closing !== undefined),
    onClose: (hook) => {
      closeHooks.push(hook);
    },
    close: () => {
      closing ??= (async () => {
        for (const hook of closeHooks) await hook();
        await persisted?.flush();
        router.close();
        const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
        for (const s of sockets) s.destroy();
        await closed;
      })();
      return closing;
    },
  };
}

/** KIS unreachable on demand: stop listening and drop every connection; later listen on the same port again. */
function outageControl(server: Server, sockets: Set<Socket>, at: { port: number; host: string }, closed: () => boolean): Simulator['outage'] {
  let active = false;
  return {
    get active() {
      return active;
    },
    async begin() {
      if (active || closed()) return;
      active = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
    async end() {
      if (!active || closed()) return;
      active = false;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(at.port, at.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
  };
}
