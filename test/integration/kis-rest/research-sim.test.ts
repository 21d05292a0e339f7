// The new KIS endpoints against the KIS simulator over loopback: minute bars that match, price for price, the
// H0STCNT0 ticks the simulator streams for the same minutes (the gap-fill contract), and news, opinions and
// estimates that are deterministic per symbol and date and appear only as (fake) time passes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createTokenManager, type TokenManager } from '../../../src/kis/auth/index.js';
import { createKisRestClient, createRateLimiter, fetchMinuteBars, fetchNewsTitles, inquireEstimatePerform, inquireInvestOpinions, KIS_PATHS, type EndpointContext, type KisRestClient } from '../../../src/kis/rest/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { estimateAsOf, isCovered, opinionsBetween } from '../../../src/sim/market/analyst-data.js';
import { symbolArticles } from '../../../src/sim/market/news-feed.js';
import { marketRecord } from '../../../src/sim/ws/tr-catalog.js';
import { kstInstant } from '../../../src/core/kst.js';
import { silentLogger } from '../../unit/kis-rest/support.js';

const APP = { appKey: 'PSresearchIntegrationKey00000000001', appSecret: 'researchSecret'.padEnd(120, 'r'), accountNo: '50000009-01', htsId: 'research' };
const CREDENTIALS = { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000009', acntPrdtCd: '01', htsId: APP.htsId };

interface Kit {
  clock: FakeClock;
  sim: Simulator;
  ctx: EndpointContext;
  close(): Promise<void>;
}
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function start(at: string): Promise<Kit> {
  const clock = createFakeClock(at);
  const sim = await createSimulator({ clock, apps: [APP] });
  const stateDir = await mkdtemp(join(tmpdir(), 'kisd-research-'));
  const tokens: TokenManager = createTokenManager({ clock, log: silentLogger, baseUrl: sim.restUrl, credentials: CREDENTIALS, stateDir });
  const client: KisRestClient = createKisRestClient({ baseUrl: sim.restUrl, mode: 'real', credentials: CREDENTIALS, tokens, clock, log: silentLogger, limiter: createRateLimiter({ clock, windows: { perSecond: 18 } }), random: () => 0 });
  return {
    clock,
    sim,
    ctx: { client, account: { cano: CREDENTIALS.cano, acntPrdtCd: CREDENTIALS.acntPrdtCd }, log: silentLogger },
    close: async () => {
      await client.close();
      await tokens.close();
      await sim.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** H0STCNT0 fields of the tick the simulator would stream for code at an instant. */
function tick(sim: Simulator, code: string, atMs: number): { price: number; accumulatedVolume: number } {
  const rec = marketRecord(sim.market, 'H0STCNT0', code, atMs);
  if (!rec) throw new Error(`no tick for ${code}`);
  return { price: Number(rec[2]), accumulatedVolume: Number(rec[13]) };
}

describe('minute chart ↔ WebSocket ticks', () => {
  it('every bar of 09:00–10:15 equals the ticks of its minute; volumes add up to the ticks\' accumulated volume', async () => {
    kit = await start('2026-11-23 10:16:00');
    for (const code of ['005930', '000660']) {
      const bars = await settle(kit.clock, fetchMinuteBars(kit.ctx, code, '090000', '101500'));
      expect(bars).toHaveLength(76);
      for (const [k, bar] of bars.entries()) {
        const startMs = kstInstant('2026-11-23 09:00') + k * 60_000;
        expect(bar.time).toBe(`${String(9 + Math.floor(k / 60)).padStart(2, '0')}${String(k % 60).padStart(2, '0')}00`);
        for (const offsetMs of [0, 17_000, 59_999]) {
          const t = tick(kit.sim, code, startMs + offsetMs);
          expect([bar.open, bar.high, bar.low, bar.close]).toEqual([t.price, t.price, t.price, t.price]);
        }
        // The bar's volume is what the accumulated volume of the ticks grew by across the minute.
        expect(bar.volume).toBe(tick(kit.sim, code, startMs + 60_000).accumulatedVolume - tick(kit.sim, code, startMs).accumulatedVolume);
      }
      const total = bars.reduce((s, b) => s + b.volume, 0);
      expect(total).toBe(tick(kit.sim, code, kstInstant('2026-11-23 10:16')).accumulatedVolume);
    }
    expect(kit.sim.stats.count({ path: KIS_PATHS.inquireTimeItemChart })).toBe(6); // 3 pages × 2 codes
  });

  it('the forming minute is the newest bar; before 09:00 there are no bars', async () => {
    kit = await start('2026-11-23 08:50:00');
    await expect(settle(kit.clock, fetchMinuteBars(kit.ctx, '005930', '080000', '153000'))).resolves.toEqual([]);
    await kit.clock.tickAsync(40 * 60_000 + 30_000); // 09:30:30
    const bars = await settle(kit.clock, fetchMinuteBars(kit.ctx, '005930', '090000', '153000'));
    expect(bars.at(-1)!.time).toBe('093000');
    expect(bars).toHaveLength(31);
  });
});

describe('news, opinions and estimates', () => {
  it('headlines of a code since a date equal the simulator\'s own list, and later ones appear as time passes', async () => {
    kit = await start('2026-11-23 12:00:00');
    const sym = kit.sim.market.krSymbol('005930')!;
    const index = kit.sim.market.universe.kr.indexOf(sym);
    const expectedBy = (nowYmdHms: string): string[] =>
      ['20261118', '20261119', '20261120', '20261121', '20261122', '20261123']
        .flatMap((d) => symbolArticles(sym, index, d))
        .filter((a) => `${a.ymd}${a.hms}` <= nowYmdHms)
        .map((a) => a.id)
        .sort();
    const noon = await settle(kit.clock, fetchNewsTitles(kit.ctx, '005930', { since: '20261118000000' }));
    expect(noon.map((n) => n.id).sort()).toEqual(expectedBy('20261123120000'));
    expect(noon.length).toBeGreaterThan(2);
    expect(noon.every((n) => n.codes.includes('005930'))).toBe(true);
    await kit.clock.tickAsync(9 * 3_600_000); // 21:00
    const night = await settle(kit.clock, fetchNewsTitles(kit.ctx, '005930', { since: '20261118000000' }));
    expect(night.map((n) => n.id).sort()).toEqual(expectedBy('20261123210000'));
  });

  it('brokerage opinions and the weekly consensus of a covered stock; an ETF has neither', async () => {
    kit = await start('2026-11-23 12:00:00');
    const market = kit.sim.market;
    const covered = market.universe.kr.find((s) => isCovered(s) && opinionsBetween(market, s, 20260101, 20261123, 20261123).length >= 3)!;
    const opinions = await settle(kit.clock, inquireInvestOpinions(kit.ctx, covered.code, '20260101', '20261123'));
    const expected = opinionsBetween(market, covered, 20260101, 20261123, 20261123);
    expect(opinions.map((o) => `${o.date}/${o.broker}/${o.targetPrice}`)).toEqual(expected.map((o) => `${o.ymd}/${o.broker}/${o.targetPrice}`));
    const est = await settle(kit.clock, inquireEstimatePerform(kit.ctx, covered.code));
    const simEst = estimateAsOf(market, covered, 20261123, market.krQuote(covered.code, kit.clock.nowMs())!.prevClose)!;
    expect(est).toMatchObject({ code: covered.code, name: covered.name, estimateDate: '20261123', periods: ['202412', '202512', '202612', '202712', '202812'] });
    expect(est!.income.revenue).toEqual(simEst.income[0]);
    const etf = market.universe.kr.find((s) => s.kind === 'etf')!;
    await expect(settle(kit.clock, inquireEstimatePerform(kit.ctx, etf.code))).resolves.toBeNull();
    await expect(settle(kit.clock, inquireInvestOpinions(kit.ctx, etf.code, '20260101', '20261123'))).resolves.toEqual([]);
  });
});
