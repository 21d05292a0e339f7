// A full virtual week (Mon 2026-12-21 .. Sun 12-27, Christmas a KR holiday) driven through the clock-cron triggers with
// installed fake timers: every phase fires at its KST instant on trading days only, never overlapping; the token
// check runs every 30 minutes (a hung check makes the next one skip), broker re-init every 6 hours.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatKstTimestamp, kstInstant } from '../../../src/core/kst.js';
import { IntegratedScheduler } from '../../../src/scheduler/integrated-scheduler.js';
import { PHASE_ORDER, type PhaseId } from '../../../src/core/phases.js';
import { TokenWatch } from '../../../src/scheduler/token-watch.js';
import { HolidayCalendar } from '../../../src/scheduler/holiday-calendar.js';
import {
  FakeAlertSink,
  FakeBrokerReinit,
  FakeHolidaySource,
  FakePhaseJob,
  FakeTokenCheck,
  installClock,
  memoryLogger,
  runUntil,
  tempDir,
  type InstalledClock,
} from './fake-world.js';

const TRADING_DAYS = ['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24'];
const AT: Record<PhaseId, string> = {
  screening: '06:00',
  selection: '07:00',
  'kr-feed': '08:30',
  trading: '09:00',
  'market-close': '16:00',
  'us-feed': '16:30',
  'daily-report': '17:00',
};

describe('integrated scheduler over a week with a KR holiday', () => {
  let c: InstalledClock;
  beforeEach(() => {
    c = installClock('2026-12-20 23:00:00'); // Sunday evening KST
  });
  afterEach(() => c.uninstall());

  it('fires each phase at its time on trading days only, token checks every 30 min, re-init every 6 h', async () => {
    const dataDir = await tempDir();
    const { logger, lines } = memoryLogger('info');
    const holidays = new FakeHolidaySource(['20261225']);
    const calendar = new HolidayCalendar({ dataDir }, holidays, c.clock, logger);
    const tokenCheck = new FakeTokenCheck();
    // The 11:00 check on Tuesday hangs 40 minutes: the 11:30 trigger must be skipped, not stacked.
    tokenCheck.hangAt.add('2026-12-22 11:00:00');
    tokenCheck.hangMs = 40 * 60_000;
    tokenCheck.script[2] = { changed: true }; // the 3rd check (2026-12-21 00:30) sees a token issued elsewhere
    const broker = new FakeBrokerReinit();
    const watch = new TokenWatch(tokenCheck, broker, c.clock, logger);
    const jobs = Object.fromEntries(
      PHASE_ORDER.map((id) => [id, new FakePhaseJob(id === 'trading' ? { session: true } : { durationMs: 5 * 60_000 })]),
    ) as Record<PhaseId, FakePhaseJob>;
    const alerts = new FakeAlertSink();
    const scheduler = new IntegratedScheduler({ dataDir }, { clock: c.clock, logger, calendar, jobs, tokenWatch: watch, alerts });
    await calendar.refresh();
    await scheduler.start();

    await runUntil(c, kstInstant('2026-12-28 00:00:00'));
    await scheduler.stop();

    for (const id of PHASE_ORDER) {
      expect(jobs[id].starts.map((s) => s.at), id).toEqual(TRADING_DAYS.map((d) => `${d} ${AT[id]}:00`));
      expect(jobs[id].maxActive, `${id} overlap`).toBe(1);
    }
    // Sessions end at 15:30 and are recorded then.
    expect(jobs.trading.ends).toEqual(TRADING_DAYS.map((d) => `${d} 15:30:00`));
    expect(jobs.selection.ends).toEqual(TRADING_DAYS.map((d) => `${d} 07:05:00`));

    // Token checks: every :00 and :30 from Sun 23:30 to Mon 12-28 00:00, minus the skipped Tue 11:30.
    const expectedChecks: string[] = [];
    for (let t = kstInstant('2026-12-20 23:30'); t <= kstInstant('2026-12-28 00:00'); t += 30 * 60_000) expectedChecks.push(formatKstTimestamp(t));
    expect(tokenCheck.calls).toEqual(expectedChecks.filter((s) => s !== '2026-12-22 11:30:00'));
    expect(lines.some((l) => l.msg === 'job token-check still running; this trigger is skipped' && String(l['job']) === 'token-check')).toBe(true);

    // Broker re-init: 04:40, 10:40, 16:40, 22:40 every day, plus one right after the changed token.
    const periodic = broker.calls.filter((x) => x.reason === 'periodic').map((x) => x.at);
    const expectedReinit: string[] = [];
    for (let day = kstInstant('2026-12-21 00:00'); day < kstInstant('2026-12-28 00:00'); day += 86_400_000) {
      for (const hm of ['04:40', '10:40', '16:40', '22:40']) expectedReinit.push(formatKstTimestamp(day + (Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3))) * 60_000));
    }
    expect(periodic).toEqual(expectedReinit);
    expect(broker.calls.filter((x) => x.reason === 'token-changed')).toEqual([{ at: '2026-12-21 00:30:00', reason: 'token-changed' }]);

    // Holiday check daily at 05:30 (7 days) plus the initial refresh.
    expect(holidays.calls).toHaveLength(8);
    expect(holidays.calls.slice(1)).toEqual(['20261221', '20261222', '20261223', '20261224', '20261225', '20261226', '20261227']);
    expect(lines.filter((l) => l.msg === 'phase screening skipped: 20261225 is not a KR trading day')).toHaveLength(1);
    expect(alerts.alerts).toEqual([]);
    // Completion records exist for trading days only.
    const done = await scheduler.records.load('20261224');
    expect(Object.keys(done.phases).sort()).toEqual([...PHASE_ORDER].sort());
    expect(done.phases.trading?.finishedAt).toBe('2026-12-24 15:30:00');
    scheduler.records.invalidate();
    expect(Object.keys((await scheduler.records.load('20261225')).phases)).toEqual([]);
  });

  it('retries a failed phase with backoff, alerts after the last attempt, and never runs a recorded phase twice', async () => {
    c.uninstall();
    c = installClock('2026-12-21 05:59:00');
    const dataDir = await tempDir();
    const { logger } = memoryLogger('info');
    const calendar = new HolidayCalendar({ dataDir }, new FakeHolidaySource(), c.clock, logger);
    const screening = new FakePhaseJob({ durationMs: 1_000 });
    screening.failAttempts = new Set([1]); // first attempt fails, second succeeds after 30 s
    const selection = new FakePhaseJob();
    selection.failAttempts = new Set([1, 2, 3]);
    const alerts = new FakeAlertSink();
    const scheduler = new IntegratedScheduler({ dataDir }, { clock: c.clock, logger, calendar, jobs: { screening, selection }, alerts });
    await calendar.refresh();
    await scheduler.start();
    await runUntil(c, kstInstant('2026-12-21 07:30:00'));
    expect(screening.starts.map((s) => `${s.at}#${s.attempt}`)).toEqual(['2026-12-21 06:00:00#1', '2026-12-21 06:00:30#2']);
    // selection: 07:00, +30 s, +60 s, then alerted.
    expect(selection.starts.map((s) => `${s.at}#${s.attempt}`)).toEqual(['2026-12-21 07:00:00#1', '2026-12-21 07:00:30#2', '2026-12-21 07:01:30#3']);
    expect(alerts.alerts.map((a) => a.key)).toEqual(['scheduler.job-failed.selection']);
    expect(await scheduler.runPhase('screening', 'manual')).toBe('already-done');
    expect(screening.starts).toHaveLength(2);
    await scheduler.stop();
  });
});
