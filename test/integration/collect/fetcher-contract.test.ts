// One contract, every source: each source's fetcher (KIS daily bars, news, opinions, estimates; OpenDART disclosures) runs through the same
// scenarios against its own simulator over loopback on a fake clock — success, a well-formed "no data", a reply
// of the wrong shape (once: retried; always: an error queued, never "no data", and the recovery queue later
// saves it), the rate limit, a refused key, maintenance, a timeout. A source added behind the Fetcher port joins
// by adding a harness to SOURCES; where a freshness rule reads its table, the rule sees its rows (stale → fresh).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { silentLogger } from '../../unit/kis-rest/support.js';
import {
  classifyFetchError,
  createBulkCollector,
  createFreshnessChecker,
  storeFreshnessProbes,
  type FreshnessDataset,
  createDartDatasets,
  createDatasetRecoveryRunner,
  createKisDatasets,
  type CollectDataset,
} from '../../../src/collect/index.js';
import { createDartClient, DartApi, DART_PATHS, loadCorpCodeMap, type CorpCodeMap } from '../../../src/dart/index.js';
import type { AccessToken, TokenProvider } from '../../../src/kis/auth/types.js';
import { createKisRestClient, createRateLimiter, KisRestApi } from '../../../src/kis/rest/index.js';
import { createRecoveryQueue } from '../../../src/recovery/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { isCovered, opinionsBetween } from '../../../src/sim/market/analyst-data.js';
import { createDartSimulator } from '../../../src/sim/dart/index.js';
import { weekdayCalendar } from '../../../src/core/trading-calendar.js';
import { openStore, type Store } from '../../../src/store/index.js';

type Fault = 'malformed' | 'rate-limit' | 'maintenance' | 'timeout';

interface Harness {
  clock: FakeClock;
  store: Store;
  dataDir: string;
  dataset: CollectDataset<unknown>;
  /** The same dataset with credentials the server refuses. */
  badKeyDataset: CollectDataset<unknown>;
  okCode: string;
  okParams: Record<string, unknown>;
  /** A symbol (default okCode) and params for which the server answers a well-formed "no data". */
  noDataCode?: string;
  noDataParams: Record<string, unknown>;
  /** The SQLite table the dataset saves into. */
  table: string;

  /** The next `count` data calls (unlimited when absent) meet the fault. */
  fault(kind: Fault, count?: number): void;
  clearFaults(): void;
  /** Data calls the server answered (every attempt, faults included). */
  dataCalls(): number;
  /** Replies the server gave for a fault kind. */
  faultReplies(kind: Fault): number;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempStore(): { store: Store; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'kisd-contract-'));
  const store = openStore({ dataDir });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return { store, dataDir };
}

const KIS_APP = { appKey: 'PSsimAppKey0000000000000000000000001', appSecret: 'simSecret'.padEnd(180, 'x'), accountNo: '50000000-01', htsId: 'simhts' };

interface KisSpec {
  dataset: 'daily-bars' | 'news' | 'opinions' | 'estimates';
  trId: string;
  table: string;
  freshness: FreshnessDataset;
  start: string;
  /** The symbol with data, the params, and what answers "no data", from the simulator's market. */
  pick(sim: Simulator): { okCode: string; okParams: Record<string, unknown>; noDataCode?: string; noDataParams: Record<string, unknown> };
}

const dailyBarsSpec: KisSpec = {
  dataset: 'daily-bars',
  trId: 'FHKST03010100',
  table: 'daily_bars',
  freshness: 'daily_bars', // at 16:10 on Monday the 23rd: Friday the 20th's bars are due
  start: '2026-11-23 16:10:00',
  pick: () => ({ okCode: '005930', okParams: { fromYmd: '20261116', toYmd: '20261120' }, noDataParams: { fromYmd: '20261121', toYmd: '20261122' } }), // a weekend
};

/** A symbol analysts cover with an opinion in the week before 2026-11-20, and an ETF nobody covers. */
function researchPick(sim: Simulator): { covered: string; etf: string } {
  const kr = sim.market.universe.kr;
  return {
    covered: kr.find((x) => isCovered(x) && opinionsBetween(sim.market, x, 20261113, 20261120, 20261120).length >= 1)!.code,
    etf: kr.find((x) => x.kind === 'etf')!.code,
  };
}

const researchSpecs: KisSpec[] = [
  // News of the last 24 h; nothing was published in the second before 18:00.
  { dataset: 'news', trId: 'FHKST01011800', table: 'research_news', freshness: 'news', start: '2026-11-20 18:00:00', pick: () => ({ okCode: '005930', okParams: {}, noDataParams: { since: '20261120175959' } }) },
  { dataset: 'opinions', trId: 'FHKST663300C0', table: 'research_opinions', freshness: 'consensus', start: '2026-11-20 18:00:00', pick: (sim) => ({ okCode: researchPick(sim).covered, okParams: {}, noDataCode: researchPick(sim).etf, noDataParams: {} }) },
  { dataset: 'estimates', trId: 'HHKST668300C0', table: 'research_estimates', freshness: 'consensus', start: '2026-11-20 18:00:00', pick: (sim) => ({ okCode: researchPick(sim).covered, okParams: {}, noDataCode: researchPick(sim).etf, noDataParams: {} }) },
];

async function kisHarness(spec: KisSpec): Promise<Harness> {
  const clock = createFakeClock(spec.start);
  const sim = await createSimulator({ clock, apps: [KIS_APP], seed: 7 });
  const { store, dataDir } = tempStore();
  let token: Promise<AccessToken> | undefined;
  const tokens: TokenProvider = {
    getAccessToken: () =>
      (token ??= request(`${sim.restUrl}/oauth2/tokenP`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', appkey: KIS_APP.appKey, appsecret: KIS_APP.appSecret }) })
        .then((r) => r.body.json() as Promise<{ access_token: string }>)
        .then((j) => ({ value: j.access_token, issuedAtEpochMs: clock.nowMs(), expiresAtEpochMs: clock.nowMs() + 86_400_000 }))),
    invalidateAccessToken: async () => undefined,
  };
  const api = (appKey: string): KisRestApi => {
    const client = createKisRestClient({
      baseUrl: sim.restUrl,
      mode: 'real',
      credentials: { appKey, appSecret: KIS_APP.appSecret, cano: '50000000', acntPrdtCd: '01', htsId: KIS_APP.htsId },
      tokens,
      clock,
      log: silentLogger,
      limiter: createRateLimiter({ clock, windows: { perSecond: 18 } }),
      maxRetries: 1,
      backoffBaseMs: 100,
      backoffJitterMs: 0,
      readTimeoutMs: 5_000,
    });
    return new KisRestApi(client, { credentials: { cano: '50000000', acntPrdtCd: '01' }, log: silentLogger });
  };
  const retry = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 1_000 };
  const datasets = createKisDatasets({ api: api(KIS_APP.appKey), store, clock, logger: silentLogger, retry });
  const refused = createKisDatasets({ api: api('PSwrongAppKey000000000000000000000009'), store, clock, logger: silentLogger, retry });
  const kinds: Record<Fault, Parameters<typeof sim.faults.add>[0]['kind']> = { malformed: 'noOutput', 'rate-limit': 'egw00201', maintenance: 'http503', timeout: 'hang' };
  const trId = spec.trId;
  return {
    clock,
    store,
    dataDir,
    dataset: datasets[spec.dataset],
    badKeyDataset: refused[spec.dataset],
    ...spec.pick(sim),
    table: spec.table,
    fault: (kind, count) => void sim.faults.add({ kind: kinds[kind], match: { trId }, ...(count ? { count } : {}) }),
    clearFaults: () => sim.faults.clear(),
    dataCalls: () => sim.stats.count({ trId }),
    faultReplies: (kind) => sim.stats.count({ trId, fault: kinds[kind] }),
    close: () => sim.close(),
  };
}

const DART_KEY = 'kisdDartContractKey000000000000000000001';

async function dartHarness(): Promise<Harness> {
  const clock = createFakeClock('2026-11-23 20:00:00');
  const sim = await createDartSimulator({ clock, keys: [{ key: DART_KEY }], unlistedCount: 20 });
  const { store, dataDir } = tempStore();
  const datasetWith = (apiKey: string): CollectDataset<unknown> => {
    const client = createDartClient({ apiKey, baseUrl: sim.url, clock, log: silentLogger, random: () => 0, readTimeoutMs: 5_000 });
    cleanups.push(() => client.close());
    const api = new DartApi(client);
    let memo: Promise<CorpCodeMap> | undefined;
    const corpCodes = (): Promise<CorpCodeMap> => (memo ??= loadCorpCodeMap({ download: (s) => api.corpCodes({ signal: s }), dir: join(dataDir, apiKey.slice(0, 8)), clock, log: silentLogger }));
    return createDartDatasets({ api, corpCodes, store, clock, logger: silentLogger }).disclosures;
  };
  const okFiler = sim.universe.listed().find((f) => sim.feed.visible(20261101, 20261123, clock.nowMs(), f.corpCode).length > 0);
  const kinds: Record<Fault, Parameters<typeof sim.faults.add>[0]> = {
    malformed: { kind: 'wrongShape' },
    'rate-limit': { kind: 'status', status: '020' },
    maintenance: { kind: 'status', status: '800' },
    timeout: { kind: 'hang' },
  };
  return {
    clock,
    store,
    dataDir,
    dataset: datasetWith(DART_KEY),
    badKeyDataset: datasetWith('kisdDartRefusedKey0000000000000000000009'),
    okCode: okFiler!.stockCode as string,
    okParams: { fromYmd: '20261101', toYmd: '20261123' },
    noDataParams: { fromYmd: '20261122', toYmd: '20261122' }, // a Sunday: DART 013
    table: 'dart_disclosures',
    fault: (kind, count) => void sim.faults.add({ ...kinds[kind], match: { path: DART_PATHS.list }, ...(count ? { count } : {}) }),
    clearFaults: () => sim.faults.clear(),
    dataCalls: () => sim.stats.count({ path: DART_PATHS.list }),
    faultReplies: (kind) => sim.stats.count({ path: DART_PATHS.list, fault: kinds[kind].kind }),
    close: () => sim.close(),
  };
}

/**
 * Each source, its harness, and the freshness rule (seed 002 §9) that reads its table at the harness's start
 * instant — none for OpenDART disclosures (a symbol may file nothing for weeks; the disclosure watch polls them).
 */
const SOURCES: [string, () => Promise<Harness>, FreshnessDataset | undefined][] = [
  ['KIS daily bars', () => kisHarness(dailyBarsSpec), dailyBarsSpec.freshness],
  ...researchSpecs.map((spec): [string, () => Promise<Harness>, FreshnessDataset] => [`KIS ${spec.dataset}`, () => kisHarness(spec), spec.freshness]),
  ['OpenDART disclosures', dartHarness, undefined],
];

async function open(make: () => Promise<Harness>): Promise<Harness> {
  const h = await make();
  cleanups.push(() => h.close());
  return h;
}

const fetchOne = (h: Harness, ds: CollectDataset<unknown>, params: Record<string, unknown>, code = h.okCode) => settle(h.clock, ds.fetcher.fetch({ targetCodes: [code], params }), { stepMs: 250, maxVirtualMs: 30 * 60_000 });

describe.each(SOURCES)('Fetcher contract: %s', (_name, make, freshness) => {
  it('success: rows for the symbol, nothing failed, and they save', async () => {
    const h = await open(make);
    const res = await fetchOne(h, h.dataset, h.okParams);
    expect(res.failed).toEqual([]);
    expect(res.ok.length).toBeGreaterThan(0);
    await h.dataset.save(res.ok);
  });

  it('no data: a well-formed empty answer is "not found" (skipped), not an error', async () => {
    const h = await open(make);
    const res = await fetchOne(h, h.dataset, h.noDataParams, h.noDataCode);
    expect(res.ok).toEqual([]);
    expect(classifyFetchError(res.failed[0]?.error)).toMatchObject({ kind: 'not-found', disposition: 'skip' });
  });

  for (const kind of ['malformed', 'rate-limit', 'maintenance', 'timeout'] as const) {
    it(`${kind} once: retried, and the symbol's rows come back`, async () => {
      const h = await open(make);
      h.fault(kind, 1);
      const res = await fetchOne(h, h.dataset, h.okParams);
      expect(res.failed).toEqual([]);
      expect(res.ok.length).toBeGreaterThan(0);
      expect(h.faultReplies(kind)).toBe(1);
      expect(h.dataCalls()).toBeGreaterThanOrEqual(2);
    });
  }

  // A source with no freshness rule has no such test (not a skipped one).
  if (freshness) {
    it(`freshness (${freshness}): stale before the symbol is saved, fresh after, read from the store`, async () => {
      const h = await open(make);
      const checker = createFreshnessChecker({ clock: h.clock, logger: silentLogger, calendar: weekdayCalendar(), probes: storeFreshnessProbes(h.store) });
      expect(checker.check([freshness])).toMatchObject([{ dataset: freshness, status: 'stale' }]);
      const res = await fetchOne(h, h.dataset, h.okParams);
      await h.dataset.save(res.ok);
      expect(checker.check([freshness])).toMatchObject([{ dataset: freshness, status: 'fresh' }]);
    });
  }

  it('a refused key: an auth error, never "no data", never rows', async () => {
    const h = await open(make);
    const res = await fetchOne(h, h.badKeyDataset, h.okParams);
    expect(res.ok).toEqual([]);
    expect(['auth', 'bad-key']).toContain(classifyFetchError(res.failed[0]?.error).kind);
  });

  it('the wrong shape every time: an error, queued with its kind; the recovery queue saves the symbol once the server is right', async () => {
    const h = await open(make);
    h.fault('malformed');
    const queue = createRecoveryQueue({ repo: h.store.recoveryQueue, clock: h.clock });
    const collector = createBulkCollector({ dataDir: h.dataDir, clock: h.clock, logger: silentLogger, queue, finalPassDelayMs: 1_000 });
    const summary = await settle(h.clock, collector.run({ ...h.dataset, params: h.okParams }, [h.okCode]), { stepMs: 250, maxVirtualMs: 30 * 60_000 });
    expect(summary).toMatchObject({ collected: 0, notFound: 0, skipped: 1, rows: 0, stillFailed: [h.okCode] });
    const [task] = queue.list();
    expect(task).toMatchObject({ fetcherName: h.dataset.fetcher.name, targetCode: h.okCode, status: 'pending' });
    expect(task?.errorMessage).toMatch(/^parse: /);
    h.clearFaults();
    await settle(h.clock, createDatasetRecoveryRunner(h.dataset).run(task!, new AbortController().signal), { stepMs: 250, maxVirtualMs: 30 * 60_000 });
    const res = await fetchOne(h, h.dataset, h.okParams);
    const saved = h.store.db.prepare(`SELECT COUNT(*) FROM ${h.table}`).pluck().get();
    expect(saved).toBe(res.ok.length);
  });
});
