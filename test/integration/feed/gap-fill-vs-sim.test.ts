// Gap-fill end to end on one fake clock against the simulator (REST + WebSocket on 127.0.0.1:0): the dual market
// feed with real WsSessions, the gap tracker and filler as the daemon wires them (createGapFill), KisRestApi's
// minute chart through a real rate limiter, and SQLite. The realtime side goes away for 5 minutes mid-session;
// afterwards every subscribed symbol's bars of the missed minutes are stored and handed on as back-filled, equal
// to the simulator's own minute path (the one its ticks are cut from); a gap during a KIS REST outage is filled
// once KIS answers again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { kstHms, kstInstant } from '../../../src/core/kst.js';
import { weekdayCalendar } from '../../../src/core/trading-calendar.js';
import { DualMarketFeed, EventBus, createGapFill, createWsFeedSessionFactory, type BackfilledBar, type GapFill } from '../../../src/feed/index.js';
import { createTokenManager } from '../../../src/kis/auth/index.js';
import { createKisRestClient, createRateLimiter, KIS_PATHS, KisRestApi } from '../../../src/kis/rest/index.js';
import type { KrTick, RealtimeEvent } from '../../../src/kis/ws/events.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { krMinuteBars } from '../../../src/sim/market/minute-bars.js';
import { attachSimWebSocketTo, type SimWebSocket } from '../../../src/sim/ws/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

const APP = { appKey: 'PSgapFillTestKey000000000000000001', appSecret: 'gapFillSecret'.padEnd(120, 'g'), accountNo: '50000031-01', htsId: 'kisdgap1' };
const CREDENTIALS = { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000031', acntPrdtCd: '01', htsId: APP.htsId };
const SYMBOLS = ['005930', '000660', '035720'];
const DAY = '20261123'; // a Monday
const log = pino({ level: 'silent' });

interface Kit {
  clock: FakeClock;
  sim: Simulator;
  ws: SimWebSocket;
  store: Store;
  feed: DualMarketFeed;
  gapFill: GapFill;
  ticks: KrTick[];
  backfilled: BackfilledBar[];
  close(): Promise<void>;
}
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** Real loopback I/O between small virtual steps until pred() holds (bounded). */
async function advanceUntil(clock: FakeClock, pred: () => boolean, what: string, stepMs = 100, maxVirtualMs = 15 * 60_000): Promise<void> {
  for (let advanced = 0; ; advanced += stepMs) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    if (pred()) return;
    if (advanced >= maxVirtualMs) throw new Error(`${what}: not reached within ${maxVirtualMs} virtual ms`);
    await clock.tickAsync(stepMs);
  }
}

async function start(at: string): Promise<Kit> {
  const clock = createFakeClock(at);
  const sim = await createSimulator({ clock, apps: [APP], seed: 5 });
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: 30 });
  const dir = await mkdtemp(join(tmpdir(), 'kisd-gapfill-'));
  const tokens = createTokenManager({ clock, log, baseUrl: sim.restUrl, credentials: CREDENTIALS, stateDir: dir });
  const client = createKisRestClient({
    baseUrl: sim.restUrl, mode: 'real', credentials: CREDENTIALS, tokens, clock, log,
    limiter: createRateLimiter({ clock, windows: { perSecond: 18 } }), readTimeoutMs: 5_000, maxRetries: 1, backoffBaseMs: 200, backoffCapMs: 400, random: () => 0,
  });
  const api = new KisRestApi(client, { credentials: CREDENTIALS, log });
  const store = openStore({ path: ':memory:' });
  const bus = new EventBus<RealtimeEvent>({ log });
  const ticks: KrTick[] = [];
  bus.subscribe((ev) => void (ev.kind === 'kr-tick' && ticks.push(ev)), { name: 'test-ticks', capacity: 100_000 });
  let approvalKey: string | undefined;
  const sessions = createWsFeedSessionFactory({
    clock, log, url: `${sim.wsUrl}/tryitout`, subscribeSpacingMs: 20, releaseGraceMs: 0, random: () => 0.5,
    reconnect: { baseMs: 1_000, capMs: 4_000, jitterMs: 0 },
    approvalKeys: { getApprovalKey: async () => (approvalKey ??= sim.approvals.issue(APP)), invalidateApprovalKey: async () => void (approvalKey = undefined) },
  });
  const feed = new DualMarketFeed({ clock, log, sessions, bus, calendar: weekdayCalendar(), krWatchlist: SYMBOLS, krTrIds: ['H0STCNT0'] });
  const gapFill = createGapFill({ clock, log, calendar: weekdayCalendar(), feed, minuteChart: api, store, filler: { random: () => 0, retry: { baseMs: 5_000, capMs: 20_000, jitterMs: 0 } } });
  const backfilled: BackfilledBar[] = [];
  gapFill.filler.onBars((bars) => void backfilled.push(...bars));
  gapFill.start();
  feed.start();
  return {
    clock, sim, ws, store, feed, gapFill, ticks, backfilled,
    close: async () => {
      let done = false;
      void feed.stop().then(() => gapFill.stop()).then(() => (done = true));
      await advanceUntil(clock, () => done, 'feed stop', 50, 60_000);
      await client.close();
      await tokens.close();
      await sim.close();
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The simulator's own bars (its ticks are cut from the same minute path) for minutes [fromHms, toHms]. */
function simBars(sim: Simulator, code: string, nowMs: number, fromHms: string, toHms: string): { minute: string; open: number; high: number; low: number; close: number; volume: number }[] {
  return krMinuteBars(sim.market, code, nowMs)
    .filter((b) => b.hhmmss >= fromHms && b.hhmmss <= toHms)
    .map((b) => ({ minute: b.hhmmss, open: b.price, high: b.price, low: b.price, close: b.price, volume: b.volume }));
}

describe('gap-fill after a feed gap (simulator)', () => {
  it('a 5-minute realtime outage mid-session: every subscribed symbol\'s missed minutes stored and delivered back-filled, equal to the simulator\'s', { timeout: 60_000 }, async () => {
    kit = await start('2026-11-23 10:02:40');
    const k = kit;
    await advanceUntil(k.clock, () => k.feed.status().socketState === 'ready' && k.ticks.length > 20, 'live ticks');
    await advanceUntil(k.clock, () => k.clock.nowMs() >= kstInstant('2026-11-23 10:03:30'), '10:03:30', 200);
    const downAtMs = k.clock.nowMs();
    const ticksBefore = k.ticks.length;
    k.ws.faults.outage(5 * 60_000);
    await advanceUntil(k.clock, () => k.store.feedGaps.onDay(DAY).some((g) => g.status === 'filled'), 'gap filled', 500);

    const [gap, ...more] = k.store.feedGaps.onDay(DAY);
    expect(more).toEqual([]);
    expect(gap).toMatchObject({ market: 'KR', day: DAY, fromMs: downAtMs, status: 'filled', symbols: SYMBOLS.length, attempts: 1, lastError: null });
    expect(gap!.toMs).toBeGreaterThanOrEqual(downAtMs + 5 * 60_000); // up again only after the outage
    expect(gap!.toMs).toBeLessThan(downAtMs + 5 * 60_000 + 10_000);
    // No live tick was received inside the gap (the socket was gone); none was made up for it either.
    const inGap = k.ticks.slice(ticksBefore).filter((t) => t.receivedAtMs > downAtMs && t.receivedAtMs < gap!.toMs);
    expect(inGap).toEqual([]);

    const fromHms = kstHms(Math.floor(gap!.fromMs / 60_000) * 60_000); // 10:03:00, the minute the feed dropped in
    const toHms = kstHms(Math.floor((gap!.toMs - 1) / 60_000) * 60_000); // the minute it came back in
    expect(fromHms).toBe('100300');
    const nowMs = k.clock.nowMs();
    let total = 0;
    for (const code of SYMBOLS) {
      const expected = simBars(k.sim, code, nowMs, fromHms, toHms);
      expect(expected.length).toBeGreaterThanOrEqual(6); // 10:03 … 10:08 at least
      const stored = k.store.minuteBars.onDay(code, DAY);
      expect(stored.map(({ minute, open, high, low, close, volume }) => ({ minute, open, high, low, close, volume }))).toEqual(expected);
      expect(stored.every((b) => b.backfilled && b.gapId === gap!.id)).toBe(true);
      const delivered = k.backfilled.filter((b) => b.symbol === code);
      expect(delivered.map((b) => ({ minute: kstHms(b.startMs), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }))).toEqual(expected);
      expect(delivered.every((b) => b.backfilled)).toBe(true);
      total += expected.length;
      // The live ticks before and after the gap carry the same minute path the back-filled bars come from
      // (keyed by the trade time they carry, STCK_CNTG_HOUR: a tick can be received just after its minute).
      for (const t of k.ticks.filter((x) => x.code === code)) {
        const minute = `${t.time.slice(0, 4)}00`;
        const bar = krMinuteBars(k.sim.market, code, nowMs).find((b) => b.hhmmss === minute);
        expect(t.price).toBe(bar?.price);
      }
    }
    expect(gap!.bars).toBe(total);
    // One minute-chart call per symbol: the gap is shorter than one 30-bar page.
    expect(k.sim.stats.count({ path: KIS_PATHS.inquireTimeItemChart })).toBe(SYMBOLS.length);
  });

  it('a gap during a KIS REST outage stays pending, retried with backoff, and is filled once KIS answers again', { timeout: 60_000 }, async () => {
    kit = await start('2026-11-23 13:00:00');
    const k = kit;
    await advanceUntil(k.clock, () => k.feed.status().socketState === 'ready' && k.ticks.length > 10, 'live ticks');
    const fault = k.sim.faults.add({ kind: 'http503', match: { path: KIS_PATHS.inquireTimeItemChart } });
    const downAtMs = k.clock.nowMs();
    k.ws.faults.outage(2 * 60_000);
    await advanceUntil(k.clock, () => (k.store.feedGaps.onDay(DAY)[0]?.attempts ?? 0) >= 3, 'three failed attempts', 500);
    const pending = k.store.feedGaps.onDay(DAY)[0]!;
    expect(pending).toMatchObject({ status: 'pending', fromMs: downAtMs, bars: 0 });
    expect(pending.lastError).toMatch(/503|EGW|gateway|unavailable/i);
    expect(k.store.minuteBars.countOn(DAY)).toBe(0);
    expect(k.backfilled).toEqual([]);

    k.sim.faults.remove(fault); // KIS answers again
    await advanceUntil(k.clock, () => k.store.feedGaps.onDay(DAY)[0]?.status === 'filled', 'filled after the outage', 200);
    const gap = k.store.feedGaps.onDay(DAY)[0]!;
    expect(gap.attempts).toBe(4);
    const fromHms = kstHms(Math.floor(gap.fromMs / 60_000) * 60_000);
    const toHms = kstHms(Math.floor((gap.toMs - 1) / 60_000) * 60_000);
    for (const code of SYMBOLS) {
      const expected = simBars(k.sim, code, k.clock.nowMs(), fromHms, toHms);
      expect(k.store.minuteBars.onDay(code, DAY).map((b) => b.close)).toEqual(expected.map((b) => b.close));
      expect(k.backfilled.filter((b) => b.symbol === code).map((b) => b.volume)).toEqual(expected.map((b) => b.volume));
    }
  });
});
