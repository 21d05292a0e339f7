// The REST client and KisRestApi against the KIS simulator (real HTTP on port 0) with the real token manager
// and scripted faults: retries on 5xx / HTML gateways / resets / hangs / EGW00201, token expiry mid-run,
// orders sent once and reconciled, business rejections, and every endpoint parsing the simulator's replies.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createTokenManager, type TokenManager } from '../../../src/kis/auth/index.js';
import { createKisRestClient, createRateLimiter, KisApiError, KisRestApi, OrderOutcomeUnknownError, KIS_PATHS, type KisRestClient } from '../../../src/kis/rest/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { silentLogger } from '../../unit/kis-rest/support.js';

const APP = { appKey: 'PSrestIntegrationKey000000000001', appSecret: 'restIntegrationSecret'.padEnd(120, 'z'), accountNo: '50000007-01', htsId: 'restint' };
const CREDENTIALS = { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000007', acntPrdtCd: '01', htsId: APP.htsId };

let clock: FakeClock;
let sim: Simulator;
let stateDir: string;
let tokens: TokenManager;
let client: KisRestClient;
let api: KisRestApi;
let retries: { rule: string; delayMs: number }[];
let parseErrors: number;

beforeEach(async () => {
  clock = createFakeClock('2026-11-23 10:00:00'); // Monday, KRX in session
  sim = await createSimulator({ clock, apps: [APP] });
  stateDir = await mkdtemp(join(tmpdir(), 'kisd-rest-sim-'));
  tokens = createTokenManager({ clock, log: silentLogger, baseUrl: sim.restUrl, credentials: CREDENTIALS, stateDir });
  client = createKisRestClient({
    baseUrl: sim.restUrl,
    mode: 'real',
    credentials: CREDENTIALS,
    tokens,
    clock,
    log: silentLogger,
    limiter: createRateLimiter({ clock, windows: { perSecond: 18 } }),
    readTimeoutMs: 5_000,
    random: () => 0,
  });
  api = new KisRestApi(client, { credentials: CREDENTIALS, log: silentLogger });
  retries = [];
  parseErrors = 0;
  client.events.on('retry', (e) => retries.push({ rule: e.rule, delayMs: e.delayMs }));
  client.events.on('parse-error', () => parseErrors++);
});

afterEach(async () => {
  await client.close();
  await tokens.close();
  await sim.close();
  await rm(stateDir, { recursive: true, force: true });
});

const priceCalls = (): number => sim.stats.count({ path: KIS_PATHS.inquirePrice });

describe('reads through faults', () => {
  it('500, 500, 200: data after exactly 3 requests, backoff 2000 then 4000 ms', async () => {
    sim.faults.add({ kind: 'http500', match: { path: KIS_PATHS.inquirePrice }, count: 2 });
    const q = await settle(clock, api.inquirePrice('005930'));
    expect(q.price).toBeGreaterThan(0);
    expect(priceCalls()).toBe(3);
    expect(retries).toEqual([
      { rule: 'server-error', delayMs: 2000 },
      { rule: 'server-error', delayMs: 4000 },
    ]);
    expect(parseErrors).toBe(0);
  });

  it('HTML 502/503/504 gateway pages, a reset and a hang past the read timeout are all retried', async () => {
    for (const kind of ['http502', 'http503', 'http504'] as const) sim.faults.add({ kind, html: true, match: { path: KIS_PATHS.inquirePrice }, count: 1 });
    sim.faults.add({ kind: 'reset', match: { path: KIS_PATHS.inquirePrice }, count: 1 });
    sim.faults.add({ kind: 'hang', match: { path: KIS_PATHS.inquirePrice }, count: 1 });
    const q = await settle(clock, api.inquirePrice('005930'), { stepMs: 50 });
    expect(q.price).toBeGreaterThan(0);
    expect(priceCalls()).toBe(6);
    expect(retries.map((r) => r.rule)).toEqual(['server-error', 'server-error', 'server-error', 'network-after-send', 'network-after-send']);
  });

  it('EGW00201 waits and retries', async () => {
    sim.faults.add({ kind: 'egw00201', match: { path: KIS_PATHS.inquirePrice }, count: 1 });
    await settle(clock, api.inquirePrice('005930'));
    expect(priceCalls()).toBe(2);
    expect(retries).toEqual([{ rule: 'rate-limited', delayMs: 1000 }]);
  });

  it('EGW00123 mid-run: the token is replaced once, one retry, the call succeeds', async () => {
    await settle(clock, api.inquirePrice('005930'));
    await clock.tickAsync(61_000); // past the 1/min issue pacing
    sim.auth.expireAllTokens();
    const rejected: string[] = [];
    client.events.on('token-rejected', (e) => rejected.push(e.msgCd ?? ''));
    const q = await settle(clock, api.inquirePrice('000660'), { stepMs: 500 });
    expect(q.price).toBeGreaterThan(0);
    expect(rejected).toEqual(['EGW00123']);
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(2);
    expect(priceCalls()).toBe(3);
  });
});

describe('orders against the simulator', () => {
  it('an order whose reply fails after KIS booked it is sent once, unresolved, and found by inquire-daily-ccld', async () => {
    sim.faults.add({ kind: 'http500', match: { path: KIS_PATHS.orderCash }, count: 1, afterAccept: true });
    const quote = await settle(clock, api.inquirePrice('005930'));
    const err = await settle(clock, api.orderCash({ side: 'buy', code: '005930', qty: 1, price: quote.upperLimit ?? quote.price, clientRef: 'it-1' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(sim.stats.count({ path: KIS_PATHS.orderCash })).toBe(1);
    const ccld = await settle(clock, api.inquireDailyCcld({ fromYmd: '20261123', toYmd: '20261123' }));
    expect(ccld.executions).toHaveLength(1);
    expect(ccld.executions[0]).toMatchObject({ code: '005930', side: 'buy', orderQty: 1 });
  });

  it('an order meeting a hang is sent exactly once', async () => {
    sim.faults.add({ kind: 'hang', match: { path: KIS_PATHS.orderCash }, count: 1 });
    const err = await settle(clock, api.orderCash({ side: 'buy', code: '005930', qty: 1, price: 0, ordDvsn: '01' }), { stepMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(sim.stats.count({ path: KIS_PATHS.orderCash })).toBe(1);
  });

  it('an order meeting EGW00201 is retried and booked once', async () => {
    sim.faults.add({ kind: 'egw00201', match: { path: KIS_PATHS.orderCash }, count: 1 });
    const ack = await settle(clock, api.orderCash({ side: 'buy', code: '005930', qty: 1, price: 0, ordDvsn: '01' }));
    expect(ack.orderNo).toMatch(/^\d{10}$/);
    expect(sim.stats.count({ path: KIS_PATHS.orderCash })).toBe(2);
    const ccld = await settle(clock, api.inquireDailyCcld({ fromYmd: '20261123', toYmd: '20261123' }));
    expect(ccld.executions).toHaveLength(1);
  });

  it('a business rejection fails at once after exactly 1 request', async () => {
    const err = await settle(clock, api.orderCash({ side: 'sell', code: '005930', qty: 10, price: 0, ordDvsn: '01' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KisApiError);
    expect((err as KisApiError).disposition).toBe('fatal');
    expect(sim.stats.count({ path: KIS_PATHS.orderCash })).toBe(1);
  });
});

describe('endpoints parse the simulator without issues', () => {
  it('quotes, bars, investor, US price, holidays, balance', async () => {
    const chart = await settle(clock, api.inquireDailyItemChart('005930', '20260101', '20261120'));
    expect(chart.bars.length).toBeGreaterThan(0);
    expect(chart.bars.length).toBeLessThanOrEqual(100);
    const bars = await settle(clock, api.fetchDailyBars('005930', '20260101', '20261120'));
    expect(bars.length).toBeGreaterThan(100);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.date > bars[i - 1]!.date).toBe(true);
    await settle(clock, api.inquireInvestor('005930'));
    const us = await settle(clock, api.overseasPrice('NAS', sim.market.usSymbols().find((s) => s.exchange === 'NAS')!.symbol));
    expect(us.last).toBeGreaterThan(0);
    const days = await settle(clock, api.chkHoliday('20261123'));
    expect(days[0]).toMatchObject({ date: '20261123', marketOpen: true });
    const bal = await settle(clock, api.inquireBalance());
    expect(bal.summary?.cash).toBeGreaterThan(0);
    expect(parseErrors).toBe(0);
  });
});
