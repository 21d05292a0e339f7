// The scheduler, restart recovery, lifecycle and the health server together on real files and a real loopback
// HTTP server: a start-up at 10:00 with nothing on disk runs phases 1–2 and joins the session; /healthz shows it;
// a stop interrupts the session within the deadline without recording it; the next start-up joins it again and
// runs nothing twice.
import { afterEach, describe, expect, it } from 'vitest';
import { createKisdMetrics } from '../../../src/health/metrics.js';
import { HealthServer } from '../../../src/health/health-server.js';
import { IntegratedScheduler, RecoveryManager, HolidayCalendar } from '../../../src/scheduler/index.js';
import { Lifecycle } from '../../../src/core/lifecycle.js';
import type { PhaseId, PhaseJob } from '../../../src/core/phases.js';
import { readValidBatches } from '../../../src/store/batch-files.js';
import {
  createDailyReportJob,
  createFeedJob,
  createMarketCloseJob,
  createScreeningJob,
  createSelectionJob,
  createTradingSessionJob,
  type PriceSource,
} from '../../support/placeholder-phase-jobs.js';
import { driveUntilSettled, FakeHolidaySource, flushIo, installClock, memoryLogger, runUntil, tempDir, type InstalledClock } from '../../unit/scheduler/fake-world.js';
import { kstInstant } from '../../../src/core/kst.js';

const WATCHLIST = Array.from({ length: 90 }, (_, i) => String(200000 + i).padStart(6, '0'));
class FakePriceSource implements PriceSource {
  calls = 0;
  async getKrPrices(symbols: readonly string[]) {
    this.calls++;
    return symbols.map((symbol, i) => ({ symbol, price: 5000 + i, changeRate: (i % 5) - 2 }));
  }
}

let c: InstalledClock | undefined;
afterEach(() => c?.uninstall());

function daemon(dataDir: string, clock: InstalledClock['clock'], prices: FakePriceSource) {
  const { logger, lines } = memoryLogger('info');
  const metrics = createKisdMetrics({ defaultMetrics: false });
  const calendar = new HolidayCalendar({ dataDir }, new FakeHolidaySource(), clock, logger);
  const feedCalls: string[] = [];
  const feed = { ensureMarket: async (m: 'KR' | 'US') => void feedCalls.push(m) };
  const jobs: Record<PhaseId, PhaseJob> = {
    screening: createScreeningJob({ dataDir, watchlist: WATCHLIST, prices, clock }),
    selection: createSelectionJob({ dataDir, clock }),
    'kr-feed': createFeedJob({ feed, market: 'KR' }),
    trading: createTradingSessionJob({ dataDir, prices, clock, pollEveryMs: 60_000 }),
    'market-close': createMarketCloseJob({ dataDir, prices, clock }),
    'us-feed': createFeedJob({ feed, market: 'US' }),
    'daily-report': createDailyReportJob({ dataDir, clock }),
  };
  const scheduler = new IntegratedScheduler({ dataDir }, { clock, logger, calendar, jobs, metrics });
  const recovery = new RecoveryManager(scheduler, { clock, logger, calendar, dataDir });
  let ready = false;
  const health = new HealthServer({ port: 0 }, {
    source: {
      snapshot: () => ({ ready, token: null, feed: null, queueDepth: 0, jobsInFlight: scheduler.inFlight(), lastPhase: scheduler.lastPhase() ?? null }),
    },
    metrics, clock, logger,
  });
  const lifecycle = new Lifecycle(clock, logger);
  let port = 0;
  lifecycle.register({ name: 'health', start: async () => void (port = await health.start()), stop: () => health.stop() });
  lifecycle.register({ name: 'scheduler', start: () => scheduler.start(), stop: (deadline) => scheduler.stop(deadline) });
  return { lifecycle, scheduler, recovery, lines, feedCalls, metrics, port: () => port, setReady: (v: boolean) => (ready = v) };
}

describe('daemon restart convergence', () => {
  it('recovers at 10:00, serves health, stops in time, and rejoins the session after a restart', async () => {
    c = installClock('2026-11-23 10:00:00');
    const dataDir = await tempDir('kisd-daemon-');
    const prices = new FakePriceSource();

    const d1 = daemon(dataDir, c.clock, prices);
    await d1.lifecycle.startAll();
    const report = await driveUntilSettled(c, d1.recovery.recover());
    d1.setReady(true);
    expect(report.decisions.map((x) => `${x.phase}:${x.decision}`).slice(0, 4)).toEqual(['screening:run', 'selection:run', 'kr-feed:run', 'trading:join']);
    expect((await readValidBatches(dataDir, '20261123')).map((b) => b.symbols.length)).toEqual([40, 40, 10]);
    await runUntil(c, kstInstant('2026-11-23 10:05:00'));
    const health = (await (await fetch(`http://127.0.0.1:${d1.port()}/healthz`)).json()) as { status: string; jobsInFlight: string[] };
    expect(health.status).toBe('ok');
    expect(health.jobsInFlight).toEqual(['trading']);
    const metricsText = await (await fetch(`http://127.0.0.1:${d1.port()}/metrics`)).text();
    expect(metricsText).toContain('kisd_job_runs_total{job="selection",outcome="ok"} 1');

    const stop = await driveUntilSettled(c, d1.lifecycle.stopAll(20_000));
    expect(stop).toMatchObject({ inTime: true, timedOut: [] });
    expect(await d1.scheduler.records.get('20261123', 'trading')).toBeUndefined();
    expect(await report.sessions[0]).toBe('interrupted');
    c.uninstall();

    // Restart at 10:07: phases 1–2 are done (files and records), the session is joined again.
    c = installClock('2026-11-23 10:07:00');
    const d2 = daemon(dataDir, c.clock, prices);
    await d2.lifecycle.startAll();
    const again = await driveUntilSettled(c, d2.recovery.recover());
    expect(again.decisions.map((x) => `${x.phase}:${x.decision}`)).toEqual(['screening:done', 'selection:done', 'kr-feed:done', 'trading:join', 'market-close:wait', 'us-feed:wait', 'daily-report:wait']);
    // Let the day finish: the session ends at 15:30, close/US feed/report run on their cron.
    await runUntil(c, kstInstant('2026-11-23 17:10:00'));
    expect(await again.sessions[0]).toBe('done');
    const done = await d2.scheduler.records.load('20261123');
    expect(Object.keys(done.phases).sort()).toEqual(['daily-report', 'kr-feed', 'market-close', 'screening', 'selection', 'trading', 'us-feed']);
    expect(done.phases.trading?.finishedAt).toBe('2026-11-23 15:30:00');
    expect(d2.feedCalls).toEqual(['US']);
    await flushIo();
    await driveUntilSettled(c, d2.lifecycle.stopAll(20_000));
  });
});
