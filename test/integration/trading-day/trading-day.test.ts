// A simulated trading day end to end, on one fake clock against the simulator (REST + WebSocket + execution
// notices) on 127.0.0.1:0: daily bars and investor flows collected through KisRestApi into SQLite →
// scheduler phases run in order at their virtual instants (screening 06:00 → selection 07:00 → KR feed
// 08:30 → trading 09:00–09:30 with the opening-range breakout → market close 09:35 → daily report 17:00) with
// T1's journaled order manager. Checks: batches, subscriptions, strategy orders and fills, a flat book after
// the close, report files consistent with the journal and with the simulator's own order book.
// The phases are shortened (session 09:00–09:30, close 09:35) so the day runs in seconds; the close runs while
// KRX is open because the simulator, like KIS, refuses orders after 15:30.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/types.js';
import { kstInstant } from '../../../src/core/kst.js';
import { EventBus } from '../../../src/feed/bus.js';
import { QuoteCache } from '../../../src/feed/quote-cache.js';
import { createTokenManager } from '../../../src/kis/auth/index.js';
import { createKisRestClient, createRateLimiter, KisRestApi } from '../../../src/kis/rest/index.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import { WsSession } from '../../../src/kis/ws/session.js';
import { createDailyReportJob, dailyReportPaths, type DailyReport } from '../../../src/trade/report/index.js';
import { IntegratedScheduler } from '../../../src/scheduler/index.js';
import { readValidBatches } from '../../../src/store/batch-files.js';
import { bridgeExecutionNotices } from '../../../src/sim/notice-bridge.js';
import { createSimulator } from '../../../src/sim/index.js';
import { attachSimWebSocketTo } from '../../../src/sim/ws/index.js';
import { openStore } from '../../../src/store/index.js';
import { createOrderManager } from '../../../src/trade/orders/index.js';
import { estimateKrFees, KillSwitch, RiskGate } from '../../../src/trade/risk/index.js';
import { createRankingScreeningJob, createSelectionBatchJob, sqliteScreeningData, todayKrWatchlist } from '../../../src/trade/screening/index.js';
import { createMarketCloseJob, createTradingSessionJob } from '../../../src/trade/session/index.js';
import { positionsSnapshotPath, positionsSnapshotSchema } from '../../../src/store/positions-snapshot.js';
import { defaultStrategyRegistry, OPENING_RANGE_BREAKOUT } from '../../../src/trade/strategy/index.js';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';

const APP = { appKey: 'PStradingDayKey00000000000000001', appSecret: 'tradingDaySecret'.padEnd(120, 'q'), accountNo: '50000021-01', htsId: 'kisdday1' };
const CREDENTIALS = { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000021', acntPrdtCd: '01', htsId: APP.htsId };
const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a simulated trading day', () => {
  it('screening → batches → subscriptions → strategy orders → fills → close → report', { timeout: 60_000 }, async () => {
    const clock = createFakeClock('2026-11-23 05:50:00'); // Monday
    const dir = await mkdtemp(join(tmpdir(), 'kisd-day-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const stateDir = join(dir, 'state');
    const sim = await createSimulator({ clock, apps: [APP], rateLimitPerSec: 0, seed: 11 });
    const simWs = attachSimWebSocketTo(sim, { tickRecordsPerSec: 30 });
    bridgeExecutionNotices(sim, simWs);
    cleanups.push(() => sim.close());
    const stopMatching = sim.exchange.startMatching(1_000);
    cleanups.push(stopMatching);
    const tokens = createTokenManager({ clock, log, baseUrl: sim.restUrl, credentials: CREDENTIALS, stateDir });
    const client = createKisRestClient({
      baseUrl: sim.restUrl, mode: 'real', credentials: CREDENTIALS, tokens, clock, log,
      limiter: createRateLimiter({ clock, windows: { perSecond: 50 } }), readTimeoutMs: 3_000, maxRetries: 2, backoffBaseMs: 100, backoffCapMs: 200, random: () => 0,
    });
    cleanups.push(async () => {
      await client.close();
      await tokens.close();
    });
    const api = new KisRestApi(client, { credentials: CREDENTIALS, log });
    const store = openStore({ dataDir });
    cleanups.push(() => store.close());
    const run = <T>(p: Promise<T>, maxVirtualMs = 600_000): Promise<T> => settle(clock, p, { stepMs: 50, maxVirtualMs });
    /** Advances virtual time in small steps with real loopback I/O between them until pred() holds (bounded). */
    const until = async (pred: () => boolean, what: string, maxVirtualMs = 60_000): Promise<void> => {
      for (let advanced = 0; !pred(); advanced += 20) {
        if (advanced >= maxVirtualMs) throw new Error(`${what}: not reached within ${maxVirtualMs} virtual ms`);
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, 1));
        if (pred()) return;
        await clock.tickAsync(20);
      }
    };

    // Collection (last evening's job): daily bars and investor flows of a small universe into SQLite.
    const universe = sim.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 24);
    for (const code of universe) {
      const bars = await run(api.fetchDailyBars(code, '20261020', '20261122'));
      store.dailyBars.upsert(bars.map((b) => ({ symbol: code, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, turnover: b.turnover })), clock.nowMs());
      const flows = await run(api.inquireInvestor(code));
      store.investorFlows.upsert(flows.filter((f) => f.foreignNetAmount !== null).map((f) => ({
        symbol: code, date: f.date, personNetQty: f.individualNetQty ?? 0, personNetAmount: f.individualNetAmount ?? 0, foreignNetQty: f.foreignNetQty ?? 0,
        foreignNetAmount: f.foreignNetAmount ?? 0, institutionNetQty: f.institutionNetQty ?? 0, institutionNetAmount: f.institutionNetAmount ?? 0,
      })), clock.nowMs());
    }
    expect(store.dailyBars.latestDate()).toBe('20261120');

    // Order path, feed, risk.
    const alerts: Alert[] = [];
    const alertPort = { send: async (a: Alert) => void alerts.push(a) };
    const om = createOrderManager({ broker: api, db: store.db, clock, log, reconcileIntervalMs: 0, alerts: alertPort });
    cleanups.push(() => om.stop());
    expect((await run(om.start())).passed).toBe(true);
    const bus = new EventBus<RealtimeEvent>({ log });
    const quotes = new QuoteCache();
    quotes.attach(bus);
    const unsubscribeNotices = om.consumeNotices(bus);
    cleanups.push(unsubscribeNotices);
    let approvalKey: string | undefined;
    const session = new WsSession({
      clock, log, url: `${sim.wsUrl}/tryitout`, subscribeSpacingMs: 10, releaseGraceMs: 0, random: () => 0.5,
      approvalKeys: { getApprovalKey: async () => (approvalKey ??= sim.approvals.issue(APP)), invalidateApprovalKey: async () => void (approvalKey = undefined) },
      sink: (e) => bus.publish(e),
    });
    const notice = { trId: 'H0STCNI0', trKey: APP.htsId };
    const watched: string[][] = [];
    const feed = {
      setWatchlist(_market: 'kr', codes: readonly string[]) {
        watched.push([...codes]);
        session.setDesired([...codes.map((trKey) => ({ trId: 'H0STCNT0', trKey })), notice]);
      },
    };
    const killSwitch = new KillSwitch({ stateDir, clock, logger: log, alerts: alertPort });
    await killSwitch.load();
    const risk = new RiskGate({ clock, logger: log, killSwitch, limits: { maxOrderValueKrw: 2_000_000, maxPositionValueKrw: 3_000_000, maxGrossExposureKrw: 30_000_000 } });
    const mark = (s: string): number | undefined => quotes.krTick(s)?.price ?? sim.market.krQuote(s, clock.nowMs())?.price;

    const scheduler = new IntegratedScheduler(
      { dataDir, phases: { trading: { at: '09:00', endsAt: '09:30' }, 'market-close': { at: '09:35' } } },
      {
        clock, logger: log, calendar: { isKrTradingDay: () => true, refresh: async () => undefined },
        jobs: {
          screening: createRankingScreeningJob({ dataDir, data: sqliteScreeningData(store.db), clock, rules: { lookbackDays: 5, minAvgTurnoverKrw: 1, minScore: -1_000 } }),
          selection: createSelectionBatchJob({ dataDir, clock, maxSymbols: 12 }),
          'kr-feed': {
            async run() {
              session.setDesired([notice]);
              session.start();
              return {};
            },
          },
          trading: createTradingSessionJob({
            dataDir, stateDir, clock, bus, quotes, orders: om, risk, registry: defaultStrategyRegistry(), feed, alerts: alertPort,
            watchlistBudget: { trsPerCode: 1, extraRegistrations: 1 },
            strategies: [{ kind: OPENING_RANGE_BREAKOUT, name: 'orb', params: { rangeMinutes: 3, lastEntryAt: '09:20', exitAt: '09:40', stopLossPct: 0.5, takeProfitPct: 0.8, orderValueKrw: 1_000_000, entryTimeoutSec: 30 } }],
          }),
          'market-close': createMarketCloseJob({ dataDir, clock, orders: om, mark, risk, alerts: alertPort }),
          'daily-report': createDailyReportJob({ dataDir, clock, orders: om, capitalKrw: 100_000_000, mark, alerts: alertPort }),
        },
      },
    );
    cleanups.push(async () => void (await scheduler.stop()));

    const at = async (hhmm: string): Promise<void> => {
      const t = kstInstant(`2026-11-23 ${hhmm}`);
      if (t > clock.nowMs()) await clock.tickAsync(t - clock.nowMs());
    };

    await at('06:00');
    expect(await run(scheduler.runPhase('screening', 'scheduled'))).toBe('done');
    await at('07:00');
    expect(await run(scheduler.runPhase('selection', 'scheduled'))).toBe('done');
    const batches = await readValidBatches(dataDir, '20261123');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.symbols).toHaveLength(12);
    const symbols = await todayKrWatchlist(dataDir, '20261123', { trsPerCode: 1, extraRegistrations: 1 });
    expect(symbols).toEqual(batches[0]!.symbols);

    await at('08:30');
    expect(await run(scheduler.runPhase('kr-feed', 'scheduled'))).toBe('done');
    await at('09:00');
    const trading = scheduler.runPhase('trading', 'scheduled');
    // The session job subscribes today's names: H0STCNT0 per code plus the notice registration.
    await until(() => session.status().acknowledged === symbols.length + 1, 'subscriptions of today\'s names');
    expect(watched).toEqual([symbols]);
    expect(simWs.registrations().filter((r) => r.trId === 'H0STCNT0').map((r) => r.trKey).sort()).toEqual([...symbols].sort());
    expect(await settle(clock, trading, { stepMs: 2_000, maxVirtualMs: 35 * 60_000 })).toBe('done');
    expect(quotes.size().kr).toBe(symbols.length);

    const orders = om.ordersOfDay();
    const entries = orders.filter((o) => o.strategy === 'orb' && o.side === 'buy');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((o) => o.tag === 'intraday' && o.type === 'limit')).toBe(true);
    expect(new Set(entries.map((o) => o.symbol)).size).toBe(entries.length); // at most one entry per symbol per day
    expect(orders.filter((o) => o.filledQty > 0).length).toBeGreaterThan(0);

    await at('09:35');
    expect(await run(scheduler.runPhase('market-close', 'scheduled'))).toBe('done');
    const snapshotText = await readFile(positionsSnapshotPath(dataDir, '20261123'), 'utf8');
    await until(() => om.positions().every((p) => p.qty === 0), `flat after the close (${snapshotText})`);
    expect(om.openOrders()).toEqual([]);
    sim.exchange.sweep(APP.accountNo);
    const simHeld = universe.map((c) => sim.exchange.ledger(APP.accountNo)?.holding('KR', c)?.qty ?? 0);
    expect(simHeld.every((q) => q === 0)).toBe(true);
    const snapshot = positionsSnapshotSchema.parse(JSON.parse(snapshotText));
    expect(snapshot.date).toBe('20261123');
    expect(snapshot.openOrders).toEqual([]);
    // Whatever the session left open was flattened by the close through the simulator (exits at 09:40 > session end).
    // Seed 11 is deterministic: some positions exit by the strategy's stop/target, the rest by the close.
    expect(orders.some((o) => o.strategy === 'orb' && o.side === 'sell' && o.filledQty > 0)).toBe(true);
    expect(snapshot.flatten.length).toBeGreaterThan(0);
    expect(snapshot.flatten.every((f) => f.result === 'filled' || f.result === 'acknowledged')).toBe(true);

    clock.setSystemTime(kstInstant('2026-11-23 17:00:00')); // wall time jump: no intraday timers to replay
    expect(await run(scheduler.runPhase('daily-report', 'scheduled'))).toBe('done');
    const paths = dailyReportPaths(dataDir, '20261123');
    const report = JSON.parse(await readFile(paths.json, 'utf8')) as DailyReport;
    const html = await readFile(paths.html, 'utf8');
    expect(html).toContain('<svg');

    // Consistent with the journal ...
    const day = om.ordersOfDay();
    expect(report.orders.total).toBe(day.length);
    expect(report.fills).toBe(day.filter((o) => o.filledQty > 0).length);
    expect(report.unrealizedPnlKrw).toBe(0);
    expect(report.trades.every((t) => !t.open)).toBe(true);
    // ... and with the simulator's own order book: realized = sells − buys − fees.
    const simOrders = sim.exchange.orders(APP.accountNo).filter((o) => o.filledQty > 0);
    const expected = simOrders.reduce((s, o) => s + (o.side === 'sell' ? o.filledAmount : -o.filledAmount) - estimateKrFees(o.side, o.filledAmount), 0);
    expect(Math.abs(report.realizedPnlKrw - expected)).toBeLessThan(1);
    expect(report.closedTrades).toBe(new Set(entries.filter((o) => o.filledQty > 0).map((o) => o.symbol)).size);
    expect(alerts.find((a) => a.key === 'daily-report:20261123')).toMatchObject({ level: 'INFO' });
    expect(alerts.filter((a) => a.level === 'CRITICAL')).toEqual([]);

    await run(session.stop(), 30_000);
  });
});
