// Issue 9 item 3, a late phase must not lose the trading day: screening (collection + ranking) still running at
// 07:00 used to make selection fail its 3 attempts within 90 s, nothing re-ran it, and at 09:00 the session found
// no batch and was recorded done with 0 symbols. Now selection waits for screening and trading waits for
// selection (each until the session end), and the operator gets one alert naming screening. The scheduler's own
// cron triggers on an installed fake clock, real ranking over SQLite bars, the real selection job writing batch
// files, and a session job that reads them the way the real one does (todayKrWatchlist).
import { afterEach, describe, expect, it } from 'vitest';
import { formatKstTimestamp, kstInstant } from '../../../src/core/kst.js';
import type { PhaseJob } from '../../../src/core/phases.js';
import { IntegratedScheduler } from '../../../src/scheduler/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createRankingScreeningJob, createSelectionBatchJob, sqliteScreeningData, todayKrWatchlist } from '../../../src/trade/screening/index.js';
import { FakeAlertSink, installClock, memoryLogger, runUntil, tempDir, type InstalledClock } from '../../unit/scheduler/fake-world.js';

const DAY = '2026-11-23'; // a Monday
const CODES = ['005930', '000660', '035420', '051910', '006400', '068270', '105560', '055550'];

let c: InstalledClock | undefined;
let store: Store | undefined;
let scheduler: IntegratedScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  store?.close();
  c?.uninstall();
  [c, store, scheduler] = [undefined, undefined, undefined];
});

/** Ten days of rising bars per code, so every code passes the ranking. */
function seedBars(s: Store, nowMs: number): void {
  for (const [i, symbol] of CODES.entries()) {
    const rows = Array.from({ length: 10 }, (_, d) => {
      const close = 10_000 + i * 1_000 + d * 100;
      return { symbol, date: `202611${String(9 + d).padStart(2, '0')}`, open: close - 50, high: close + 50, low: close - 100, close, volume: 100_000, turnover: close * 100_000 };
    });
    s.dailyBars.upsert(rows, nowMs);
  }
}

async function day(screeningDoneAt: string, alertTakesMs = 0) {
  c = installClock(`${DAY} 05:59:00`);
  const clock = c.clock;
  const dataDir = await tempDir('kisd-late-');
  store = openStore({ dataDir, nowMs: clock.nowMs() });
  seedBars(store, clock.nowMs());
  const rank = createRankingScreeningJob({ dataDir, data: sqliteScreeningData(store.db), clock, rules: { lookbackDays: 5, minAvgTurnoverKrw: 1, minScore: -1_000_000 } });
  // The daemon's screening collects the universe first (here: takes until screeningDoneAt), then ranks.
  const screening: PhaseJob = {
    async run(ctx) {
      await clock.sleep(kstInstant(`${DAY} ${screeningDoneAt}`) - clock.nowMs(), ctx.signal);
      return rank.run(ctx);
    },
  };
  const sessions: { at: string; symbols: string[] }[] = [];
  const trading: PhaseJob = {
    async run(ctx) {
      const symbols = await todayKrWatchlist(dataDir, ctx.ymd);
      sessions.push({ at: formatKstTimestamp(clock.nowMs()), symbols });
      await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
      return { symbols: symbols.length };
    },
  };
  const alerts = new FakeAlertSink();
  if (alertTakesMs > 0) {
    const record = alerts.send.bind(alerts);
    alerts.send = async (a) => {
      await clock.sleep(alertTakesMs); // a slow sink (SMTP): screening may finish meanwhile
      await record(a);
    };
  }
  const { logger } = memoryLogger('info');
  const s = (scheduler = new IntegratedScheduler(
    { dataDir },
    { clock, logger, calendar: { isKrTradingDay: () => true, refresh: async () => undefined }, jobs: { screening, selection: createSelectionBatchJob({ dataDir, clock, maxSymbols: 6 }), trading }, alerts },
  ));
  await s.start();
  return { s, sessions, alerts, ymd: '20261123' };
}

describe('late screening does not lose the trading day', () => {
  for (const [doneAt, selectionAt, tradingAt] of [
    ['07:05', '07:05:00', '09:00:00'],
    ['08:50', '08:50:00', '09:00:00'],
    ['09:20', '09:20:00', '09:20:00'],
  ] as const) {
    it(`screening finishing at ${doneAt}: selection runs at ${selectionAt.slice(0, 5)}, the session trades from ${tradingAt.slice(0, 5)}, one alert`, { timeout: 60_000 }, async () => {
      const { s, sessions, alerts, ymd } = await day(doneAt);
      await runUntil(c!, kstInstant(`${DAY} 10:00:00`));

      const selection = await s.records.get(ymd, 'selection');
      expect(selection?.finishedAt).toBe(`${DAY} ${selectionAt}`);
      expect(selection?.attempts).toBe(1);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.at).toBe(`${DAY} ${tradingAt}`);
      expect(sessions[0]!.symbols).toHaveLength(6);
      // One alert, naming screening; no "job failed" alerts for selection.
      expect(alerts.alerts.map((a) => a.key)).toEqual([`scheduler.phase-late:${ymd}:screening`]);
      expect(alerts.alerts[0]!.title).toContain('screening is late');

      await runUntil(c!, kstInstant(`${DAY} 15:31:00`));
      expect((await s.records.get(ymd, 'trading'))?.detail).toEqual({ symbols: 6 });
    });
  }

  it('a screening that fails is not waited for: selection and trading give up at once, unrecorded, with one alert', { timeout: 60_000 }, async () => {
    const { s, sessions, alerts, ymd } = await day('06:10');
    store!.db.exec('DELETE FROM daily_bars'); // ranking finds no data: screening fails its attempts
    await runUntil(c!, kstInstant(`${DAY} 09:01:00`));
    expect(s.phaseActivity().get('screening')?.outcome).toBe('failed');
    expect(s.phaseActivity().get('selection')).toMatchObject({ outcome: 'dependency-missed' });
    expect(s.phaseActivity().get('trading')).toMatchObject({ outcome: 'dependency-missed' });
    expect(await s.records.get(ymd, 'selection')).toBeUndefined();
    expect(await s.records.get(ymd, 'trading')).toBeUndefined(); // a restart still runs the day
    expect(sessions).toEqual([]);
    expect(alerts.alerts.map((a) => a.key)).toEqual(['scheduler.job-failed.screening', `scheduler.phase-late:${ymd}:screening`]);
  });

  it("screening's job done but its record still being written when selection starts: selection waits for the record", { timeout: 60_000 }, async () => {
    const { s, sessions, ymd } = await day('06:59');
    // A slow disk: screening's completion record takes 2 minutes to land, across selection's 07:00 trigger.
    // Before, the job runner had already forgotten screening, so selection saw it neither running nor done
    // and gave up (dependency-missed), losing the day's trading.
    const markDone = s.records.markDone.bind(s.records);
    s.records.markDone = async (day, phase, info) => {
      if (phase === 'screening') await c!.clock.sleep(120_000);
      return markDone(day, phase, info);
    };
    await runUntil(c!, kstInstant(`${DAY} 09:01:00`));
    expect(s.phaseActivity().get('selection')?.outcome).toBe('done');
    expect((await s.records.get(ymd, 'selection'))?.finishedAt).toBe(`${DAY} 07:01:00`);
    expect(sessions.map((x) => x.symbols.length)).toEqual([6]);
  });

  it('screening finishing while the late alert is still being sent: selection does not miss it', { timeout: 60_000 }, async () => {
    const { s, sessions, alerts, ymd } = await day('07:05', 10 * 60_000);
    await runUntil(c!, kstInstant(`${DAY} 09:01:00`));
    expect((await s.records.get(ymd, 'selection'))?.finishedAt).toBe(`${DAY} 07:10:00`);
    expect(sessions.map((x) => x.symbols.length)).toEqual([6]);
    expect(alerts.alerts).toHaveLength(1);
  });
});
