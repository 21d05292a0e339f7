// Issue 9 item 5: after the close today's investor flows are stale, and the freshness re-collection must fetch
// them. It used to run with the morning run's key (date + symbols + params), find that checkpoint done, make 0
// requests and log a WARNING every day; and one symbol's row for the day counted as fresh. The daemon's own
// pieces together on one fake clock: the broker's REST client against the simulator on loopback, the KIS
// datasets into SQLite, the universe collection (phase 1's) and the freshness component with its 5-minute check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.js';
import { kstInstant } from '../../../src/core/kst.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { compileConfig } from '../../../src/config/load.js';
import { createDatasets } from '../../../src/collect/index.js';
import { createBroker } from '../../../src/daemon/broker.js';
import type { FeedBundle } from '../../../src/daemon/feed-wiring.js';
import { createFreshnessComponent } from '../../../src/daemon/freshness-wiring.js';
import { createUniverseCollection } from '../../../src/daemon/universe-collection.js';
import { createRecoveryQueue } from '../../../src/recovery/index.js';
import { createSimulator } from '../../../src/sim/index.js';
import { openStore } from '../../../src/store/index.js';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const logger = pino({ level: 'silent' });
const TODAY = '20261123'; // a Monday

describe('freshness re-collection of investor flows after the close', () => {
  it('a 16:05 re-collection makes requests and stores today\'s flows; one symbol\'s row is not fresh', { timeout: 60_000 }, async () => {
    const clock = createFakeClock('2026-11-23 06:00:00');
    const c = SIM_CREDENTIALS;
    const sim = await createSimulator({ clock, apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }], rateLimitPerSec: 0, seed: 5 });
    cleanups.push(() => sim.close());
    const varDir = mkdtempSync(join(tmpdir(), 'kisd-fresh-'));
    cleanups.push(() => rmSync(varDir, { recursive: true, force: true }));
    const config = compileConfig({ mode: 'sim', paths: { var_dir: varDir }, kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl }, feed: { enabled: false } }, 'test.yaml', varDir);
    const broker = createBroker({ config, credentials: c, clock, logger, restBaseUrl: sim.restUrl });
    cleanups.push(() => broker.close());
    const store = openStore({ dataDir: config.resolved.paths.dataDir, nowMs: clock.nowMs() });
    cleanups.push(() => store.close());
    const alerts: Alert[] = [];
    const alertPort = { send: async (a: Alert) => void alerts.push(a) };
    const datasets = createDatasets({ kis: { api: broker.api, store, clock, logger } });
    const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
    const universe = sim.market.krRequestCodes().filter((s) => /^\d{6}$/.test(s)).slice(0, 20);
    const collect = createUniverseCollection({ config, clock, logger, queue, alerts: alertPort, datasets, universe: () => universe });
    const flowsRequests = (): number => sim.stats.count({ trId: 'FHKST01010900' });

    // 06:00, phase 1: flows up to Friday (today's row does not exist before the close).
    const morning = await settle(clock, collect('investor-flows'));
    expect(morning.collected).toBe(universe.length);
    expect(store.investorFlows.countOn(TODAY)).toBe(0);
    expect(flowsRequests()).toBe(universe.length);

    // 16:00: one symbol's row for today is in (e.g. a manual `kisd collect`): not "fresh" for a 20-symbol universe.
    clock.setSystemTime(kstInstant('2026-11-23 16:00:00'));
    store.investorFlows.upsert([{ symbol: universe[0]!, date: TODAY, personNetQty: 1, personNetAmount: 1, foreignNetQty: 0, foreignNetAmount: 0, institutionNetQty: -1, institutionNetAmount: -1 }], clock.nowMs());
    const before = flowsRequests();

    const fresh = createFreshnessComponent({
      config, clock, logger, calendar: { isKrTradingDay: () => true }, store, feed: {} as FeedBundle, alerts: alertPort,
      restartFeed: async () => undefined,
      collect: async (name, signal, dataDate) => void (await collect(name, signal, dataDate)),
      universeSize: () => universe.length,
      stopSignal: () => new AbortController().signal,
    });
    const lifetime = new AbortController();
    await fresh.start?.(lifetime.signal);
    cleanups.push(async () => void (await fresh.stop?.(lifetime.signal)));
    // The 5-minute check at 16:05 finds the flows stale and re-collects them.
    await settle(clock, new Promise<void>((resolve) => {
      const poll = setInterval(() => store.investorFlows.countOn(TODAY) === universe.length && (clearInterval(poll), resolve()), 5);
    }), { stepMs: 100, maxVirtualMs: 10 * 60_000 });
    expect(flowsRequests() - before).toBe(universe.length);
    expect(alerts.some((a) => a.key === `freshness:investor_flows:${TODAY}` && a.what.includes(`1 investor-flow rows for ${TODAY}`))).toBe(true);
  });

  it('research: news with no headline in 24 h is re-collected at the 30-minute check, a missing consensus at the 3-hour one', { timeout: 60_000 }, async () => {
    const clock = createFakeClock('2026-11-20 17:45:00'); // a Friday evening; 005930 had headlines at 13:57 and 15:00
    const c = SIM_CREDENTIALS;
    const sim = await createSimulator({ clock, apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }], rateLimitPerSec: 0, seed: 5 });
    cleanups.push(() => sim.close());
    const varDir = mkdtempSync(join(tmpdir(), 'kisd-fresh-research-'));
    cleanups.push(() => rmSync(varDir, { recursive: true, force: true }));
    const config = compileConfig({ mode: 'sim', paths: { var_dir: varDir }, kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl }, feed: { enabled: false } }, 'test.yaml', varDir);
    const broker = createBroker({ config, credentials: c, clock, logger, restBaseUrl: sim.restUrl });
    cleanups.push(() => broker.close());
    const store = openStore({ dataDir: config.resolved.paths.dataDir, nowMs: clock.nowMs() });
    cleanups.push(() => store.close());
    const alerts: Alert[] = [];
    const alertPort = { send: async (a: Alert) => void alerts.push(a) };
    const datasets = createDatasets({ kis: { api: broker.api, store, clock, logger } });
    const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
    const universe = ['005930', ...sim.market.krRequestCodes().filter((s) => /^\d{6}$/.test(s) && s !== '005930').slice(0, 9)];
    const collect = createUniverseCollection({ config, clock, logger, queue, alerts: alertPort, datasets, universe: () => universe });
    const fresh = createFreshnessComponent({
      config, clock, logger, calendar: { isKrTradingDay: () => true }, store, feed: {} as FeedBundle, alerts: alertPort,
      restartFeed: async () => undefined,
      collect: async (name, signal, dataDate) => void (await collect(name, signal, dataDate)),
      universeSize: () => universe.length,
      stopSignal: () => new AbortController().signal,
    });
    const lifetime = new AbortController();
    await fresh.start?.(lifetime.signal);
    cleanups.push(async () => void (await fresh.stop?.(lifetime.signal)));
    const until = (pred: () => boolean): Promise<void> =>
      settle(clock, new Promise<void>((resolve) => {
        const poll = setInterval(() => pred() && (clearInterval(poll), resolve()), 5);
      }), { stepMs: 100, maxVirtualMs: 5 * 60_000 });

    await clock.tickAsync(29 * 60_000);
    expect(sim.stats.count({ trId: 'FHKST01011800' })).toBe(0); // nothing before the 30-minute check
    await clock.tickAsync(60_000);
    await until(() => store.research.newsOf('005930').length > 0);
    expect(store.research.newsOf('005930').map((n) => n.publishedAtMs)).toEqual([kstInstant('2026-11-20 13:57:12'), kstInstant('2026-11-20 15:00:09')]);
    expect(alerts.map((a) => a.key)).toContain('freshness:news:20261120');
    expect(store.research.count().opinions).toBe(0); // consensus waits for its own 3-hour check

    await clock.tickAsync(3 * 3_600_000 - 30 * 60_000); // the 3-hour consensus check
    await until(() => store.research.count().estimates > 0 && sim.stats.count({ trId: 'HHKST668300C0' }) === universe.length);
    expect(store.research.newestConsensusDate()).toBeDefined();
    expect(alerts.map((a) => a.key)).toContain('freshness:consensus:20261120');
    expect(sim.stats.count({ trId: 'FHKST663300C0' })).toBeGreaterThanOrEqual(universe.length);
  });
});
