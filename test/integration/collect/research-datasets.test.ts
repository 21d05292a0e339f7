// The research datasets (news, opinions, estimates) behind the Fetcher port, against the KIS simulator over
// loopback on a fake clock: what each stores equals the simulator's own headlines, opinions and consensus for
// the window the seed's freshness rules name (news: the last 24 h; opinions: the last 7 days); an ETF with no
// analyst coverage is "no data", not an error; the store's freshness readings follow what was saved.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyFetchError, createKisDatasets } from '../../../src/collect/index.js';
import { kstInstant } from '../../../src/core/kst.js';
import { createTokenManager } from '../../../src/kis/auth/index.js';
import { createKisRestClient, createRateLimiter, KisRestApi } from '../../../src/kis/rest/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { isCovered, opinionsBetween } from '../../../src/sim/market/analyst-data.js';
import { symbolArticles } from '../../../src/sim/market/news-feed.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { silentLogger } from '../../unit/kis-rest/support.js';

const APP = { appKey: 'PSresearchDatasetsKey0000000000001', appSecret: 'researchDatasets'.padEnd(120, 'd'), accountNo: '50000041-01', htsId: 'research2' };
const CREDENTIALS = { appKey: APP.appKey, appSecret: APP.appSecret, cano: '50000041', acntPrdtCd: '01', htsId: APP.htsId };

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function start(at: string): Promise<{ clock: FakeClock; sim: Simulator; store: Store; datasets: ReturnType<typeof createKisDatasets> }> {
  const clock = createFakeClock(at);
  const sim = await createSimulator({ clock, apps: [APP] });
  const dir = await mkdtemp(join(tmpdir(), 'kisd-research-ds-'));
  const tokens = createTokenManager({ clock, log: silentLogger, baseUrl: sim.restUrl, credentials: CREDENTIALS, stateDir: dir });
  const client = createKisRestClient({ baseUrl: sim.restUrl, mode: 'real', credentials: CREDENTIALS, tokens, clock, log: silentLogger, limiter: createRateLimiter({ clock, windows: { perSecond: 18 } }), random: () => 0 });
  const store = openStore({ path: ':memory:' });
  const datasets = createKisDatasets({ api: new KisRestApi(client, { credentials: CREDENTIALS, log: silentLogger }), store, clock, logger: silentLogger, retry: { maxRetries: 0 } });
  cleanup = async () => {
    await client.close();
    await tokens.close();
    await sim.close();
    store.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { clock, sim, store, datasets };
}

describe('research datasets (simulator)', () => {
  it('news, opinions and estimates store what KIS serves for the freshness windows; an uncovered ETF is "no data"', { timeout: 30_000 }, async () => {
    const k = await start('2026-11-20 18:00:00'); // a Friday
    const market = k.sim.market;
    const covered = market.universe.kr.find((s) => isCovered(s) && opinionsBetween(market, s, 20261113, 20261120, 20261120).length >= 1)!;
    const etf = market.universe.kr.find((s) => s.kind === 'etf')!;
    const articlesInWindow = (code: string): string[] => {
      const sym = market.krSymbol(code)!;
      const index = market.universe.kr.indexOf(sym);
      return ['20261119', '20261120']
        .flatMap((d) => symbolArticles(sym, index, d))
        .filter((a) => `${a.ymd}${a.hms}` >= '20261119180000' && `${a.ymd}${a.hms}` <= '20261120180000')
        .map((a) => a.id)
        .sort();
    };
    const quiet = market.universe.kr.find((s) => s.kind === 'stock' && articlesInWindow(s.code).length === 0)!;
    const codes = ['005930', covered.code];

    const news = await settle(k.clock, k.datasets.news.fetcher.fetch({ targetCodes: codes }));
    expect(news.failed).toEqual([]);
    await k.datasets.news.save(news.ok);
    for (const code of codes) {
      expect(articlesInWindow(code).length).toBeGreaterThan(0);
      expect(k.store.research.newsOf(code).map((n) => n.newsId).sort()).toEqual(articlesInWindow(code));
    }
    // A symbol without a headline in the last 24 h is "no data", not a failure to retry.
    const none = await settle(k.clock, k.datasets.news.fetcher.fetch({ targetCodes: [quiet.code] }));
    expect(none.failed.map((f) => [f.code, classifyFetchError(f.error).kind])).toEqual([[quiet.code, 'not-found']]);
    const newest = Math.max(...news.ok.map((n) => (n as { publishedAtMs: number }).publishedAtMs));
    expect(k.store.research.newestNewsAtMs()).toBe(newest);
    expect(newest).toBeLessThanOrEqual(kstInstant('2026-11-20 18:00'));
    expect(newest).toBeGreaterThan(kstInstant('2026-11-19 18:00'));

    const opinions = await settle(k.clock, k.datasets.opinions.fetcher.fetch({ targetCodes: [covered.code, etf.code] }));
    const expectedOpinions = opinionsBetween(market, covered, 20261113, 20261120, 20261120);
    expect(opinions.ok.map((o) => { const r = o as { date: string; broker: string; targetPrice: number | null }; return `${r.date}/${r.broker}/${r.targetPrice}`; }))
      .toEqual(expectedOpinions.map((o) => `${o.ymd}/${o.broker}/${o.targetPrice}`));
    expect(opinions.failed.map((f) => [f.code, classifyFetchError(f.error).kind])).toEqual([[etf.code, 'not-found']]);
    await k.datasets.opinions.save(opinions.ok);

    const estimates = await settle(k.clock, k.datasets.estimates.fetcher.fetch({ targetCodes: [covered.code, etf.code] }));
    expect(estimates.ok).toMatchObject([{ symbol: covered.code, recommendation: expect.any(String) as string }]);
    const estimateDate = (estimates.ok[0] as { estimateDate: string }).estimateDate;
    expect(estimateDate >= '20261113' && estimateDate <= '20261120').toBe(true); // the weekly consensus of this week
    expect(estimates.failed.map((f) => [f.code, classifyFetchError(f.error).kind])).toEqual([[etf.code, 'not-found']]);
    await k.datasets.estimates.save(estimates.ok);
    expect(k.store.research.count()).toEqual({ news: news.ok.length, opinions: expectedOpinions.length, estimates: 1 });
    const newestOpinion = expectedOpinions.map((o) => String(o.ymd)).sort().at(-1)!;
    expect(k.store.research.newestConsensusDate()).toBe(newestOpinion > estimateDate ? newestOpinion : estimateDate);
  });
});
