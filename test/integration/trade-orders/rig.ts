// The whole order path against the simulator on 127.0.0.1:0, on one fake clock: simulator REST + WS with the
// notice bridge, the real token manager, REST client and KisRestApi, a WsSession subscribed to H0STCNI0
// feeding an EventBus, and the order manager on a SQLite file in a temp dir (so a test can "restart").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createTokenManager, type TokenManager } from '../../../src/kis/auth/index.js';
import { offsetClock } from '../../../src/core/clock.js';
import { createKisRestClient, createRateLimiter, KisRestApi, type KisRestClient, type KisRestClientOptions } from '../../../src/kis/rest/index.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import { WsSession } from '../../../src/kis/ws/session.js';
import { EventBus } from '../../../src/feed/bus.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { attachSimWebSocketTo, type SimWebSocket } from '../../../src/sim/ws/index.js';
import { bridgeExecutionNotices } from '../../../src/sim/notice-bridge.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/index.js';
import { createOrderManager, type OrderManagerOptions, type RunningOrderManager } from '../../../src/trade/orders/index.js';

export const APP = { appKey: 'PStradeOrdersKey0000000000000001', appSecret: 'tradeOrdersSecret'.padEnd(120, 'q'), accountNo: '50000011-01', htsId: 'kisdtrade' };
export const CREDENTIALS = { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000011', acntPrdtCd: '01', htsId: APP.htsId };
export const silent = pino({ level: 'silent' });

export interface SentAlert {
  key: string;
  level: string;
  title: string;
}

export interface Rig {
  clock: FakeClock;
  sim: Simulator;
  ws: SimWebSocket;
  api: KisRestApi;
  client: KisRestClient;
  tokens: TokenManager;
  dir: string;
  db: SqliteDatabase;
  bus: EventBus<RealtimeEvent>;
  session: WsSession | undefined;
  alerts: SentAlert[];
  om: RunningOrderManager;
  /** Closes the manager and database and opens new ones on the same file (a process restart). */
  restart(extra?: Partial<OrderManagerOptions>): Promise<void>;
  /** Resolves once the notice session has its H0STCNI0 registration acknowledged. */
  connectNotices(): Promise<void>;
  /** Advances virtual time with real loopback I/O until pred() holds. */
  until(pred: () => boolean, what: string, maxVirtualMs?: number): Promise<void>;
  run<T>(p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RigOptions {
  start?: string;
  manager?: Partial<OrderManagerOptions>;
  /** REST client options over the rig's (e.g. more retries to outlast an outage). */
  client?: Partial<Pick<KisRestClientOptions, 'maxRetries' | 'backoffBaseMs' | 'backoffCapMs' | 'readTimeoutMs'>>;
  /** KIS's clock minus the host's, ms: the simulator runs on the rig clock shifted by this (−30000 = host 30 s fast). */
  kisClockOffsetMs?: number;
}

export async function startRig(o: RigOptions = {}): Promise<Rig> {
  const clock = createFakeClock(o.start ?? '2026-11-23 10:00:00');
  const simClock = o.kisClockOffsetMs ? offsetClock(clock, o.kisClockOffsetMs) : clock;
  const sim = await createSimulator({ clock: simClock, apps: [APP], rateLimitPerSec: 0 });
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: 0 });
  bridgeExecutionNotices(sim, ws);
  const dir = await mkdtemp(join(tmpdir(), 'kisd-trade-'));
  const tokens = createTokenManager({ clock, log: silent, baseUrl: sim.restUrl, credentials: CREDENTIALS, stateDir: dir });
  const client = createKisRestClient({
    baseUrl: sim.restUrl, mode: 'real', credentials: CREDENTIALS, tokens, clock, log: silent,
    limiter: createRateLimiter({ clock, windows: { perSecond: 50 } }), readTimeoutMs: 3_000, maxRetries: 2, backoffBaseMs: 100, backoffCapMs: 200, random: () => 0,
    ...o.client,
  });
  const api = new KisRestApi(client, { credentials: CREDENTIALS, log: silent });
  const bus = new EventBus<RealtimeEvent>({ log: silent });
  const alerts: SentAlert[] = [];
  const dbPath = join(dir, 'kisd.sqlite');
  const makeManager = (db: SqliteDatabase, extra: Partial<OrderManagerOptions> = {}): RunningOrderManager =>
    createOrderManager({
      broker: api, db, clock, log: silent, reconcileIntervalMs: 0, notFoundGraceMs: 10_000,
      alerts: { send: async (a) => void alerts.push({ key: a.key, level: a.level, title: a.title }) },
      ...o.manager, ...extra,
    });
  let db = openDatabase({ path: dbPath });
  let unsubscribe: (() => void) | undefined;
  const rig: Rig = {
    clock, sim, ws, api, client, tokens, dir, bus, alerts, session: undefined,
    db,
    om: makeManager(db),
    async restart(extra) {
      unsubscribe?.();
      await rig.om.stop();
      db.close();
      db = openDatabase({ path: dbPath });
      rig.db = db;
      rig.om = makeManager(db, extra);
      unsubscribe = rig.om.consumeNotices(bus);
    },
    async connectNotices() {
      let key: string | undefined;
      const session = new WsSession({
        clock, log: silent, url: `${sim.wsUrl}/tryitout`, subscribeSpacingMs: 10, releaseGraceMs: 0, random: () => 0.5,
        approvalKeys: { getApprovalKey: async () => (key ??= sim.approvals.issue(APP)), invalidateApprovalKey: async () => void (key = undefined) },
        sink: (e) => bus.publish(e),
      });
      rig.session = session;
      session.setDesired([{ trId: 'H0STCNI0', trKey: APP.htsId }]);
      session.start();
      await rig.until(() => session.status().acknowledged === 1, 'notice subscription');
    },
    async until(pred, what, maxVirtualMs = 120_000) {
      for (let advanced = 0; ; advanced += 20) {
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, 1));
        await bus.idle();
        if (pred()) return;
        if (advanced >= maxVirtualMs) throw new Error(`${what}: not reached within ${maxVirtualMs} virtual ms`);
        await clock.tickAsync(20);
      }
    },
    run: (p) => settle(clock, p, { stepMs: 20 }),
    async close() {
      unsubscribe?.();
      await rig.om.stop();
      if (rig.session) {
        const s = rig.session;
        let done = false;
        void s.stop().then(() => (done = true));
        await rig.until(() => done, 'session stop', 30_000).catch(() => undefined);
      }
      await client.close();
      await tokens.close();
      await sim.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  unsubscribe = rig.om.consumeNotices(bus);
  return rig;
}

/** Order-cash requests the simulator has seen (every outcome). */
export function orderCashCount(sim: Simulator): number {
  return sim.stats.count({ path: '/uapi/domestic-stock/v1/trading/order-cash' });
}
