// Concrete KIS collection fetchers → real KIS REST client → the in-repo KIS simulator on loopback, with
// injected gateway faults: the bulk collector stores what the simulator serves, and recovers from the faults.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import type { AccessToken, TokenProvider } from '../../../src/kis/auth/types.js';
import { createKisRestClient, createRateLimiter, KisRestApi } from '../../../src/kis/rest/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { openStore } from '../../../src/store/index.js';
import { createRecoveryQueue } from '../../../src/recovery/index.js';
import { createBulkCollector, createKisDailyBarsFetcher, createKisInvestorFlowsFetcher, createKisOverseasQuotesFetcher, createKisQuotesFetcher } from '../../../src/collect/index.js';
import type { Alert } from '../../../src/core/alert.js';

const logger = pino({ level: 'silent' });
const APP = { appKey: 'PSsimAppKey0000000000000000000000001', appSecret: 'simSecret'.padEnd(180, 'x'), accountNo: '50000000-01', htsId: 'simhts' };

/** Minimal token provider for the test: one (single-flight) tokenP call, dropped when KIS rejects it. */
class SimTokens implements TokenProvider {
  private token: Promise<AccessToken> | undefined;
  private current: string | undefined;
  issued = 0;
  constructor(private readonly baseUrl: string, private readonly clock: FakeClock) {}
  getAccessToken(): Promise<AccessToken> {
    this.token ??= this.issue();
    return this.token;
  }
  private async issue(): Promise<AccessToken> {
    const res = await request(`${this.baseUrl}/oauth2/tokenP`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', appkey: APP.appKey, appsecret: APP.appSecret }),
    });
    const j = (await res.body.json()) as { access_token?: string };
    if (res.statusCode !== 200 || !j.access_token) throw new Error(`tokenP failed: HTTP ${res.statusCode}`);
    this.issued++;
    this.current = j.access_token;
    return { value: j.access_token, issuedAtEpochMs: this.clock.nowMs(), expiresAtEpochMs: this.clock.nowMs() + 86_400_000 };
  }
  async invalidateAccessToken(value: string): Promise<void> {
    if (this.current === value) {
      this.current = undefined;
      this.token = undefined;
    }
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const clock = createFakeClock('2026-11-23 16:10:00'); // Monday after the close
  const sim: Simulator = await createSimulator({ clock, apps: [APP], seed: 7 });
  cleanups.push(() => sim.close());
  const tokens = new SimTokens(sim.restUrl, clock);
  const client = createKisRestClient({
    baseUrl: sim.restUrl,
    mode: 'real',
    credentials: { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000000', acntPrdtCd: '01', htsId: APP.htsId },
    tokens,
    clock,
    log: logger,
    limiter: createRateLimiter({ clock, windows: { perSecond: 18 } }), // kisd's real-server default
    maxRetries: 1, // leave most retrying to the collector so the fault path is exercised end to end
    backoffBaseMs: 100,
    backoffJitterMs: 0,
  });
  const api = new KisRestApi(client, { credentials: { cano: '50000000', acntPrdtCd: '01' }, log: logger });
  const dataDir = mkdtempSync(join(tmpdir(), 'kisd-kis-collect-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = openStore({ dataDir });
  cleanups.push(() => store.close());
  const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
  // What the server sees: every HTTP attempt the client sends, its own retries included (as `kisd collect` counts).
  let sent = 0;
  client.events.on('attempt', () => void sent++);
  return { clock, sim, api, dataDir, store, queue, tokens, requestCounter: () => sent };
}

describe('KIS fetchers against the simulator', () => {
  it('collects a week of daily bars for 25 symbols through injected 500s and a rate-limit reply', async () => {
    const { clock, sim, api, dataDir, store, queue } = await setup();
    const codes = sim.market.krCodes().slice(0, 25);
    sim.faults.add({ kind: 'http500', match: { trId: 'FHKST03010100' }, count: 5 });
    sim.faults.add({ kind: 'egw00201', match: { trId: 'FHKST03010100' }, count: 1 });
    const fetcher = createKisDailyBarsFetcher({ api, clock, logger, retry: { maxRetries: 5, baseDelayMs: 200, maxDelayMs: 1_000 } });
    const collector = createBulkCollector({ dataDir, clock, logger, queue, concurrency: 2, checkpointEvery: 5, finalPassDelayMs: 1_000 });
    const run = collector.run({ name: 'daily_bars', taskType: 'daily_bars', fetcher, save: (rows) => store.dailyBars.upsert(rows, clock.nowMs()) }, codes);
    const summary = await settle(clock, run, { stepMs: 20, maxVirtualMs: 30 * 60_000 });
    expect(summary).toMatchObject({ total: 25, aborted: false });
    expect(summary.collected + summary.recovered + summary.notFound).toBe(25);
    expect(summary.stillFailed).toEqual([]);
    expect(sim.faults.list()).toEqual([]); // every injected fault was met
    // What is stored is exactly what the simulator serves for the default window (the week up to yesterday).
    const closesOf = store.db.prepare('SELECT close FROM daily_bars WHERE symbol = ? ORDER BY date').pluck();
    for (const code of codes) {
      const expected = sim.market.krDailyBars(code, 20261116, 20261122, clock.nowMs());
      expect(expected.length).toBeGreaterThan(0);
      expect(closesOf.all(code)).toEqual(expected.map((b) => b.close));
      expect(store.dailyBars.latest(code)?.date).toBe('20261120');
    }
    expect(queue.counts().pending + queue.counts().processing).toBe(0);
  });

  it('stores domestic quotes equal to the simulator market, and renews an expired token on the way', async () => {
    const { clock, sim, api, dataDir, store, tokens } = await setup();
    const codes = sim.market.krCodes().slice(0, 5);
    const fetcher = createKisQuotesFetcher({ api, clock, logger, retry: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 400 } });
    const collector = createBulkCollector({ dataDir, clock, logger, finalPassDelayMs: 0 });
    const first = await settle(clock, collector.run({ name: 'quotes_a', taskType: 'quotes', fetcher, save: (rows) => store.quotes.upsert(rows, clock.nowMs()) }, codes.slice(0, 2)));
    expect(first.collected).toBe(2);
    sim.auth.expireAllTokens();
    await clock.tickAsync(61_000); // KIS issues at most one token a minute (EGW00133)
    const second = await settle(clock, collector.run({ name: 'quotes_b', taskType: 'quotes', fetcher, save: (rows) => store.quotes.upsert(rows, clock.nowMs()) }, codes));
    expect(second).toMatchObject({ collected: 5, skipped: 0 });
    expect(tokens.issued).toBe(2);
    for (const code of codes) {
      const q = store.quotes.get('KR', code);
      expect(q?.price).toBe(sim.market.krQuote(code, clock.nowMs())?.price);
    }
  });
});

// Issue 13 item 4: against an independent server, an investor-flows reply without `output` was counted as
// "no data" (0 rows, "OK: every symbol collected") and a malformed overseas reply was skipped without a retry.
// A reply whose shape does not match the API is an error: retried, queued if it persists, counted and alerted.
describe('replies that do not match the API are errors, not "no data"', () => {
  const INVESTOR = 'FHKST01010900';
  const alertsSent: Alert[] = [];
  const alerts = { send: async (a: Alert) => void alertsSent.push(a) };

  it('an investor-flows reply without output is retried and the symbol collected', async () => {
    const { clock, sim, api, dataDir, store, queue, requestCounter } = await setup();
    const codes = sim.market.krCodes().slice(0, 3);
    sim.faults.add({ kind: 'noOutput', match: { trId: INVESTOR }, count: 1 });
    const fetcher = createKisInvestorFlowsFetcher({ api, clock, logger, retry: { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 1_000 } });
    const collector = createBulkCollector({ dataDir, clock, logger, queue, requestCounter, finalPassDelayMs: 1_000 });
    const run = collector.run({ name: 'investor_flows', taskType: 'investor_flows', fetcher, save: (rows) => store.investorFlows.upsert(rows, clock.nowMs()) }, codes);
    const summary = await settle(clock, run, { stepMs: 20, maxVirtualMs: 10 * 60_000 });
    expect(sim.faults.list()).toEqual([]);
    expect(sim.stats.count({ trId: INVESTOR, fault: 'noOutput' })).toBe(1);
    expect(summary).toMatchObject({ total: 3, collected: 3, notFound: 0, skipped: 0, stillFailed: [] });
    const perSymbol = store.db.prepare('SELECT COUNT(*) FROM investor_flows WHERE symbol = ?').pluck();
    for (const code of codes) expect(perSymbol.get(code)).toBeGreaterThan(0);
    expect(summary.rows).toBe(store.db.prepare('SELECT COUNT(*) FROM investor_flows').pluck().get());
    // Three symbols, one answered twice: the summary counts the four requests the server saw.
    expect(summary.requests).toBe(sim.stats.count({ trId: INVESTOR }));
    expect(summary.requests).toBe(4);
  });

  it('when every reply lacks output: nothing is "without data"; all are queued and an ERROR alert names them', async () => {
    alertsSent.length = 0;
    const { clock, sim, api, dataDir, store, queue, requestCounter } = await setup();
    const codes = sim.market.krCodes().slice(0, 2);
    sim.faults.add({ kind: 'noOutput', match: { trId: INVESTOR } });
    const fetcher = createKisInvestorFlowsFetcher({ api, clock, logger, retry: { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 1_000 } });
    const collector = createBulkCollector({ dataDir, clock, logger, queue, requestCounter, alerts, finalPassDelayMs: 1_000 });
    const run = collector.run({ name: 'investor_flows', taskType: 'investor_flows', fetcher, save: (rows) => store.investorFlows.upsert(rows, clock.nowMs()) }, codes);
    const summary = await settle(clock, run, { stepMs: 20, maxVirtualMs: 10 * 60_000 });
    expect(summary).toMatchObject({ collected: 0, notFound: 0, skipped: 2, recovered: 0, rows: 0 });
    expect(summary.stillFailed).toEqual(codes);
    // Each symbol: three tries in the main pass and three in the final pass — and the summary says so.
    expect(sim.stats.count({ trId: INVESTOR })).toBe(2 * 3 * 2);
    expect(summary.requests).toBe(12);
    const queued = queue.list();
    expect(queued.map((t) => t.targetCode).sort()).toEqual([...codes].sort());
    for (const t of queued) expect(t.errorMessage).toMatch(/parse: .*"output" missing/);
    expect(alertsSent).toHaveLength(1);
    expect(alertsSent[0]).toMatchObject({ level: 'ERROR', symbols: codes });
  });

  it('an overseas reply without output is retried at once, not skipped to the queue', async () => {
    const { clock, sim, api, dataDir, store, queue, requestCounter } = await setup();
    sim.faults.add({ kind: 'noOutput', match: { trId: 'HHDFS00000300' }, count: 1 });
    const fetcher = createKisOverseasQuotesFetcher({ api, clock, logger, retry: { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 1_000 } });
    const collector = createBulkCollector({ dataDir, clock, logger, queue, requestCounter, finalPassDelayMs: 60_000 });
    const run = collector.run({ name: 'us_quotes', taskType: 'us_quotes', fetcher, save: (rows) => store.quotes.upsert(rows, clock.nowMs()) }, ['NAS:AAPL', 'NAS:MSFT']);
    const summary = await settle(clock, run, { stepMs: 20, maxVirtualMs: 10 * 60_000 });
    expect(summary).toMatchObject({ collected: 2, skipped: 0, recovered: 0, rows: 2, requests: 3 });
    expect(store.quotes.get('NAS', 'AAPL')?.price).toBeGreaterThan(0);
    expect(queue.counts().pending).toBe(0);
  });
});
