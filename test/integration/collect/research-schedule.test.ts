// The daily research collection of `kisd run` (collect.research_daily/research_at) on one fake clock: the
// daemon's own pieces (the broker's REST client against the simulator on loopback, the KIS research datasets into
// SQLite, the universe collection) driven by the research schedule's minute timer. It runs once a trading day
// from 08:00, not before, not on a weekend; a restart after the run makes no request; it waits for a late
// screening; what it stores is fresh for the freshness checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { compileConfig } from '../../../src/config/load.js';
import { createDatasets, createFreshnessChecker } from '../../../src/collect/index.js';
import { createBroker } from '../../../src/daemon/broker.js';
import { createResearchSchedule } from '../../../src/daemon/research-schedule.js';
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
const weekdays = { isKrTradingDay: (ymd: string) => ![0, 6].includes(new Date(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}T00:00:00Z`).getUTCDay()) };

describe('daily research collection', () => {
  it('runs at 08:00 on trading days only, once a day across a restart, after a late screening; the result is fresh', { timeout: 60_000 }, async () => {
    const clock = createFakeClock('2026-11-20 07:58:30'); // a Friday
    const c = SIM_CREDENTIALS;
    const sim = await createSimulator({ clock, apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }], rateLimitPerSec: 0, seed: 5 });
    cleanups.push(() => sim.close());
    const varDir = mkdtempSync(join(tmpdir(), 'kisd-research-'));
    cleanups.push(() => rmSync(varDir, { recursive: true, force: true }));
    const config = compileConfig({ mode: 'sim', paths: { var_dir: varDir }, kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl }, feed: { enabled: false } }, 'test.yaml', varDir);
    expect(config.collect.research_daily).toBe(true);
    expect(config.collect.research_at).toBe('08:00');
    const broker = createBroker({ config, credentials: c, clock, logger, restBaseUrl: sim.restUrl });
    cleanups.push(() => broker.close());
    const store = openStore({ dataDir: config.resolved.paths.dataDir, nowMs: clock.nowMs() });
    cleanups.push(() => store.close());
    const datasets = createDatasets({ kis: { api: broker.api, store, clock, logger } });
    const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
    const universe = ['005930', ...sim.market.krRequestCodes().filter((s) => /^\d{6}$/.test(s) && s !== '005930').slice(0, 5)];
    const collect = createUniverseCollection({ config, clock, logger, queue, alerts: { send: async () => undefined }, datasets, universe: () => universe });
    const requests = () => ({ news: sim.stats.count({ trId: 'FHKST01011800' }), opinions: sim.stats.count({ trId: 'FHKST663300C0' }), estimates: sim.stats.count({ trId: 'HHKST668300C0' }) });
    let screeningLate = false;
    const startSchedule = async () => {
      const s = createResearchSchedule({ clock, logger, calendar: weekdays, at: config.collect.research_at, collect: (n, sig, d) => collect(n, sig, d), yieldTo: () => screeningLate });
      const life = new AbortController();
      await s.start?.(life.signal);
      return { s, stop: () => s.stop?.(life.signal) };
    };
    // The ticks start runs in the background; wait (virtual + real time) until the counts reach `want`.
    const until = (pred: () => boolean): Promise<void> =>
      settle(clock, new Promise<void>((resolve) => {
        const poll = setInterval(() => pred() && (clearInterval(poll), resolve()), 5);
      }), { stepMs: 200, maxVirtualMs: 5 * 60_000 });

    const first = await startSchedule();
    await clock.tickAsync(60_000); // 07:59:30
    expect(requests()).toEqual({ news: 0, opinions: 0, estimates: 0 });

    await clock.tickAsync(60_000); // 08:00:30: the day's run
    await until(() => requests().estimates === universe.length);
    const day1 = requests();
    expect(day1.news).toBeGreaterThanOrEqual(universe.length);
    expect(day1.opinions).toBeGreaterThanOrEqual(universe.length);
    // Headlines since 00:00 the day before, and a consensus.
    expect(store.research.count().news).toBeGreaterThan(0);
    expect(store.research.newestConsensusDate()).toBeDefined();
    const fresh = createFreshnessChecker({ clock, logger, calendar: weekdays, probes: { dailyBarsCount: () => 0, latestQuoteAsOfMs: () => undefined, investorFlowsCount: () => 0, newestNewsAtMs: () => store.research.newestNewsAtMs(), newestConsensusYmd: () => store.research.newestConsensusDate() } });
    expect(fresh.check(['news', 'consensus']).map((r) => `${r.dataset}:${r.status}`)).toEqual(['news:fresh', 'consensus:fresh']);

    // Later ticks that day: nothing more. A restart at 08:20 (a new process): the day's run keys are finished.
    await clock.tickAsync(10 * 60_000);
    expect(requests()).toEqual(day1);
    await first.stop();
    clock.setSystemTime(kstInstant('2026-11-20 08:20:00'));
    const second = await startSchedule();
    await clock.tickAsync(60_000);
    await second.s.tick();
    expect(requests()).toEqual(day1);

    // Saturday and Sunday: no run.
    clock.setSystemTime(kstInstant('2026-11-21 08:30:00'));
    await clock.tickAsync(60_000);
    clock.setSystemTime(kstInstant('2026-11-22 08:30:00'));
    await clock.tickAsync(60_000);
    expect(requests()).toEqual(day1);

    // Monday with screening still running at 08:00: research waits for it, then runs.
    screeningLate = true;
    clock.setSystemTime(kstInstant('2026-11-23 07:59:50'));
    await clock.tickAsync(3 * 60_000);
    expect(requests()).toEqual(day1);
    screeningLate = false;
    await clock.tickAsync(60_000);
    await until(() => requests().estimates === 2 * universe.length);
    expect(requests().news).toBeGreaterThanOrEqual(day1.news + universe.length);
    await second.stop();
  });
});
