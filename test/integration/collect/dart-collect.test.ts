// The OpenDART datasets through the bulk collector, the real DART client and the DART simulator on loopback
// (fake clock): disclosures and key accounts stored exactly as the simulator files them, DART's 013 recorded as
// "no data", its 020 waited out with nothing lost, and a refused key stopping the run with what to do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../helpers/fake-clock.js';
import { silentLogger } from '../../unit/kis-rest/support.js';
import { createBulkCollector, createDartDatasets } from '../../../src/collect/index.js';
import { DART_PATHS, loadCorpCodeMap, type CorpCodeMap } from '../../../src/dart/index.js';
import { createRecoveryQueue } from '../../../src/recovery/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { startDart, type DartKit } from '../dart/dart-kit.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(kit: DartKit): Promise<{ store: Store; dataDir: string; datasets: ReturnType<typeof createDartDatasets>; requests: () => number; map: () => Promise<CorpCodeMap> }> {
  cleanups.push(() => kit.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'kisd-dart-collect-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = openStore({ dataDir });
  cleanups.push(() => store.close());
  let memo: Promise<CorpCodeMap> | undefined;
  const map = (): Promise<CorpCodeMap> => (memo ??= loadCorpCodeMap({ download: (s) => kit.api.corpCodes({ signal: s }), dir: dataDir, clock: kit.clock, log: silentLogger }));
  const datasets = createDartDatasets({ api: kit.api, corpCodes: map, store, clock: kit.clock, logger: silentLogger, retry: { baseDelayMs: 1_000 } });
  let sent = 0;
  kit.client.events.on('attempt', () => void sent++);
  return { store, dataDir, datasets, requests: () => sent, map };
}

describe('kisd collect disclosures | financials (OpenDART)', () => {
  it('disclosures: every filing of the range per symbol, 013 recorded as "no data"; requests counted as the server saw them', async () => {
    const kit = await startDart({ start: '2026-11-23 20:00:00' });
    const { store, dataDir, datasets, requests } = await setup(kit);
    const codes = kit.sim.universe.listed().slice(0, 30).map((f) => f.stockCode as string);
    const collector = createBulkCollector({ dataDir, clock: kit.clock, logger: silentLogger, requestCounter: requests, finalPassDelayMs: 0 });
    const params = { fromYmd: '20261116', toYmd: '20261123' };
    const summary = await settle(kit.clock, collector.run({ ...datasets.disclosures, params }, codes), { stepMs: 50, maxVirtualMs: 10 * 60_000 });
    let withFilings = 0;
    for (const code of codes) {
      const corp = kit.sim.universe.byStockCode(code)!.corpCode;
      const expected = kit.sim.feed.visible(20261116, 20261123, kit.clock.nowMs(), corp).map((d) => d.rceptNo);
      if (expected.length > 0) withFilings++;
      expect(store.dart.disclosuresFor(code).map((d) => d.receiptNo).sort()).toEqual([...expected].sort());
    }
    expect(withFilings).toBeGreaterThan(0);
    expect(withFilings).toBeLessThan(codes.length); // some symbols filed nothing: DART 013
    expect(summary).toMatchObject({ total: 30, collected: withFilings, notFound: 30 - withFilings, skipped: 0, stillFailed: [] });
    expect(kit.sim.stats.count({ path: DART_PATHS.list, msgCd: '013' })).toBe(30 - withFilings);
    expect(summary.requests).toBe(kit.sim.stats.count({})); // the corp-code download included
  });

  it('020 (request limit) is waited out: nothing lost, every symbol collected', async () => {
    const kit = await startDart({ start: '2026-11-23 20:00:00', sim: { perMinuteLimit: 8 } });
    const { store, dataDir, datasets, requests } = await setup(kit);
    const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock: kit.clock });
    const codes = kit.sim.universe.listed().slice(0, 20).map((f) => f.stockCode as string);
    const collector = createBulkCollector({ dataDir, clock: kit.clock, logger: silentLogger, queue, requestCounter: requests, finalPassDelayMs: 60_000 });
    const summary = await settle(kit.clock, collector.run({ ...datasets.disclosures, params: { fromYmd: '20261101', toYmd: '20261123' } }, codes), { stepMs: 250, maxVirtualMs: 60 * 60_000 });
    expect(kit.sim.stats.count({ msgCd: '020' })).toBeGreaterThan(0);
    expect(summary.stillFailed).toEqual([]);
    expect(summary.collected + summary.recovered + summary.notFound).toBe(20);
    for (const code of codes) {
      const corp = kit.sim.universe.byStockCode(code)!.corpCode;
      expect(store.dart.disclosuresFor(code, 1_000)).toHaveLength(kit.sim.feed.visible(20261101, 20261123, kit.clock.nowMs(), corp).length);
    }
    expect(queue.counts().pending).toBe(0);
  });

  it('a refused key stops the run at once with what to do; the checkpoint stays for the resume', async () => {
    const kit = await startDart({ client: { apiKey: 'kisdDartUnknownKey0000000000000000000009' } });
    const { dataDir, datasets, requests } = await setup(kit);
    const collector = createBulkCollector({ dataDir, clock: kit.clock, logger: silentLogger, requestCounter: requests, finalPassDelayMs: 0 });
    const codes = kit.sim.universe.listed().slice(0, 10).map((f) => f.stockCode as string);
    const summary = await settle(kit.clock, collector.run(datasets.disclosures, codes));
    expect(summary.stoppedBy).toMatch(/status 010 .*check KISD_DART_API_KEY/);
    expect(summary).toMatchObject({ aborted: true, collected: 0, skipped: 0 });
    // One refused request per worker at most (two symbols in flight), not one per symbol.
    expect(kit.sim.stats.count({ msgCd: '010' })).toBeLessThanOrEqual(2);
  });

  it('financials: the key accounts of last year\'s annual report; a report not filed yet is "no data"', async () => {
    const kit = await startDart();
    const { store, dataDir, datasets, map } = await setup(kit);
    const codes = ['005930', '000660', '035420'];
    const collector = createBulkCollector({ dataDir, clock: kit.clock, logger: silentLogger, finalPassDelayMs: 0 });
    const summary = await settle(kit.clock, collector.run(datasets.financials, codes));
    expect(summary).toMatchObject({ collected: 3, notFound: 0 });
    const corp = (await map()).corpCodeFor('005930')!;
    const rows = store.dart.keyAccountsFor(corp, '2025', '11011');
    const direct = await settle(kit.clock, kit.api.keyAccounts(corp, 2025, '11011'));
    expect(rows.map((r) => [r.fsDiv, r.accountName, r.currentAmount]).sort()).toEqual(direct.map((a) => [a.fsDiv, a.accountName, a.currentAmount]).sort());
    const notYet = await settle(kit.clock, collector.run({ ...datasets.financials, name: 'dart_financials_2026', params: { bsnsYear: 2026 } }, codes));
    expect(notYet).toMatchObject({ collected: 0, notFound: 3, rows: 0 });
  });
});
