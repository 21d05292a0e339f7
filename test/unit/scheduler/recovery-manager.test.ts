// Restart recovery at many times of day and with many on-disk states: exactly the missing phases run, in order,
// nothing runs twice, corrupt/empty batch files are quarantined and regenerated, one summary line per phase.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../../src/core/atomic-file.js';
import { kstInstant } from '../../../src/core/kst.js';
import { batchPath, inspectBatchFile, writeBatchFile } from '../../../src/store/batch-files.js';
import { IntegratedScheduler } from '../../../src/scheduler/integrated-scheduler.js';
import { createScreeningJob, createSelectionJob, screeningPath, type PriceSource } from '../../support/placeholder-phase-jobs.js';
import { PHASE_ORDER, type PhaseId } from '../../../src/core/phases.js';
import { RecoveryManager } from '../../../src/scheduler/recovery-manager.js';
import { HolidayCalendar } from '../../../src/scheduler/holiday-calendar.js';
import { driveUntilSettled, FakeAlertSink, FakeHolidaySource, FakePhaseJob, flushIo, installClock, memoryLogger, runUntil, tempDir, type InstalledClock } from './fake-world.js';

const WATCHLIST = Array.from({ length: 60 }, (_, i) => String(100000 + i * 10).padStart(6, '0'));

class FakePriceSource implements PriceSource {
  calls = 0;
  async getKrPrices(symbols: readonly string[]) {
    this.calls++;
    return symbols.map((symbol, i) => ({ symbol, price: 1000 + i, changeRate: (i % 7) - 3 }));
  }
}

interface World {
  c: InstalledClock;
  dataDir: string;
  scheduler: IntegratedScheduler;
  recovery: RecoveryManager;
  lines: ReturnType<typeof memoryLogger>['lines'];
  fakes: Partial<Record<PhaseId, FakePhaseJob>>;
  prices: FakePriceSource;
  runs: PhaseId[];
  alerts: FakeAlertSink;
}

let world: World | undefined;
afterEach(() => {
  world?.c.uninstall();
  world = undefined;
});

const YMD = '20261123'; // Monday
const T = (hm: string): number => kstInstant(`2026-11-23 ${hm}`);

/** Builds a world at `startKst`; `prepare` writes the on-disk state (with virtual time already set). */
async function setup(
  startKst: string,
  prepare?: (dataDir: string) => Promise<void>,
  closed: string[] = [],
  overrides: Partial<Record<PhaseId, FakePhaseJob>> = {},
): Promise<World> {
  const c = installClock(startKst);
  const dataDir = await tempDir('kisd-recovery-');
  await prepare?.(dataDir);
  const { logger, lines } = memoryLogger('info');
  const calendar = new HolidayCalendar({ dataDir }, new FakeHolidaySource(closed), c.clock, logger);
  const prices = new FakePriceSource();
  const runs: PhaseId[] = [];
  const track = (id: PhaseId, job: { run: (ctx: never) => Promise<unknown> }) => ({
    run: async (ctx: Parameters<FakePhaseJob['run']>[0]) => {
      runs.push(id);
      return (job.run as (x: typeof ctx) => ReturnType<FakePhaseJob['run']>)(ctx);
    },
  });
  const fakes: Partial<Record<PhaseId, FakePhaseJob>> = {
    'kr-feed': new FakePhaseJob(),
    trading: new FakePhaseJob({ session: true }),
    'market-close': new FakePhaseJob(),
    'us-feed': new FakePhaseJob(),
    'daily-report': new FakePhaseJob(),
  };
  const jobs = {
    screening: track('screening', createScreeningJob({ dataDir, watchlist: WATCHLIST, prices, clock: c.clock })),
    selection: track('selection', createSelectionJob({ dataDir, clock: c.clock })),
    ...Object.fromEntries(Object.entries(fakes).map(([id, job]) => [id, track(id as PhaseId, job)])),
    ...Object.fromEntries(Object.entries(overrides).map(([id, job]) => [id, track(id as PhaseId, job)])),
  };
  const scheduler = new IntegratedScheduler({ dataDir }, { clock: c.clock, logger, calendar, jobs });
  const alerts = new FakeAlertSink();
  const recovery = new RecoveryManager(scheduler, { clock: c.clock, logger, calendar, dataDir, alerts });
  world = { c, dataDir, scheduler, recovery, lines, fakes, prices, runs, alerts };
  return world;
}

async function record(dataDir: string, phases: PhaseId[], detail: Partial<Record<PhaseId, Record<string, unknown>>> = {}): Promise<void> {
  const entries = Object.fromEntries(
    phases.map((p) => [p, { finishedAt: '2026-11-23 06:01:00', finishedAtEpochMs: T('06:01'), trigger: 'scheduled', attempts: 1, durationMs: 1000, ...(detail[p] ? { detail: detail[p] } : {}) }]),
  );
  await writeJsonAtomic(join(dataDir, 'phases', `${YMD}.json`), { date: YMD, phases: entries });
}

async function screeningFile(dataDir: string): Promise<void> {
  const candidates = WATCHLIST.map((symbol, i) => ({ symbol, price: 1000 + i, changeRate: 0 }));
  await writeJsonAtomic(screeningPath(dataDir, YMD), { date: YMD, created_at: '2026-11-23 06:01:00', candidates });
}

async function validBatches(dataDir: string, ids: number[]): Promise<void> {
  for (const id of ids) await writeBatchFile(dataDir, YMD, id, WATCHLIST.slice(id * 40, (id + 1) * 40), T('07:10'));
}

const summary = (w: World) => w.lines.filter((l) => l.msg.startsWith('recovery phase=') && l.msg.includes('decision=')).map((l) => l.msg);
const decisions = (r: Awaited<ReturnType<RecoveryManager['recover']>>) => r.decisions.map((d) => `${d.phase}:${d.decision}`);

describe('restart recovery', () => {
  it('05:30, before screening: everything waits, nothing runs', async () => {
    const w = await setup('2026-11-23 05:30:00');
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(PHASE_ORDER.map((p) => `${p}:wait`));
    expect(w.runs).toEqual([]);
    expect(summary(w)[0]).toBe('recovery phase=screening decision=wait reason="scheduled at 06:00"');
    expect(summary(w)).toHaveLength(7);
  });

  it('06:30, nothing on disk: screening runs, the rest waits', async () => {
    const w = await setup('2026-11-23 06:30:00');
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(['screening:run', 'selection:wait', 'kr-feed:wait', 'trading:wait', 'market-close:wait', 'us-feed:wait', 'daily-report:wait']);
    expect(w.runs).toEqual(['screening']);
    expect((await w.scheduler.records.get(YMD, 'screening'))?.trigger).toBe('recovery');
  });

  it('07:40 mid phase 2: batch_0 valid, batch_1 missing → only batch_1 is written', async () => {
    const w = await setup('2026-11-23 07:40:00', async (d) => {
      await record(d, ['screening']);
      await screeningFile(d);
      await validBatches(d, [0]);
    });
    const before = await fs.stat(batchPath(w.dataDir, 0));
    const r = await w.recovery.recover();
    expect(decisions(r).slice(0, 3)).toEqual(['screening:done', 'selection:run', 'kr-feed:wait']);
    expect(r.decisions[1]?.reason).toBe('due at 07:00; no completion record; 1 valid batch file(s) kept');
    expect(w.runs).toEqual(['selection']);
    expect((await w.scheduler.records.get(YMD, 'selection'))?.detail).toMatchObject({ batchCount: 2, written: 1, kept: 1 });
    expect((await fs.stat(batchPath(w.dataDir, 0))).mtimeMs).toBe(before.mtimeMs);
    expect((await inspectBatchFile(w.dataDir, 1, YMD)).status).toBe('valid');
  });

  it('07:40: corrupt and empty batch files are quarantined and regenerated; missing screening runs first', async () => {
    const w = await setup('2026-11-23 07:40:00', async (d) => {
      await fs.mkdir(join(d, 'daily_selection'), { recursive: true });
      await fs.writeFile(batchPath(d, 0), '{"date":"20261123","batch_id":0,"symb');
      await fs.writeFile(batchPath(d, 1), '');
    });
    const r = await w.recovery.recover();
    expect(decisions(r).slice(0, 2)).toEqual(['screening:run', 'selection:run']);
    expect(r.decisions[1]?.reason).toBe('due at 07:00; no completion record; 0 valid batch file(s) kept; batch_0.json is not valid JSON, quarantined; batch_1.json empty, quarantined');
    expect(r.decisions[1]?.quarantined).toHaveLength(2);
    expect(w.runs).toEqual(['screening', 'selection']);
    const names = await fs.readdir(join(w.dataDir, 'daily_selection'));
    expect(names.filter((n) => n.includes('.corrupt-')).sort()).toHaveLength(2);
    for (const id of [0, 1]) expect((await inspectBatchFile(w.dataDir, id, YMD)).status).toBe('valid');
  });

  it('08:45: record says selection done but batch_1 is stale-dated → selection re-runs; kr-feed runs', async () => {
    const w = await setup('2026-11-23 08:45:00', async (d) => {
      await record(d, ['screening', 'selection'], { selection: { batchCount: 2 } });
      await screeningFile(d);
      await validBatches(d, [0]);
      await writeJsonAtomic(batchPath(d, 1), { date: '20261120', batch_id: 1, symbols: ['005930'], created_at: '2026-11-20 07:05:00' });
    });
    const r = await w.recovery.recover();
    expect(decisions(r).slice(0, 4)).toEqual(['screening:done', 'selection:run', 'kr-feed:run', 'trading:wait']);
    expect(summary(w)[1]).toBe('recovery phase=selection decision=run reason="due at 07:00; batch_1.json stale (date 20261120)"');
    expect(w.runs).toEqual(['selection', 'kr-feed']);
    expect((await inspectBatchFile(w.dataDir, 1, YMD)).status).toBe('valid');
  });

  it('10:00 during trading, phases 1–2 done: joins the session, which ends and is recorded at 15:30', async () => {
    const w = await setup('2026-11-23 10:00:00', async (d) => {
      await record(d, ['screening', 'selection', 'kr-feed'], { selection: { batchCount: 2 } });
      await validBatches(d, [0, 1]);
    });
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(['screening:done', 'selection:done', 'kr-feed:done', 'trading:join', 'market-close:wait', 'us-feed:wait', 'daily-report:wait']);
    expect(r.sessions).toHaveLength(1);
    await runUntil(w.c, T('15:31'));
    expect(await r.sessions[0]).toBe('done');
    expect(w.fakes.trading?.ends).toEqual(['2026-11-23 15:30:00']);
    expect(w.runs).toEqual(['trading']);
  });

  it('10:00 with nothing on disk: screening, selection and kr-feed run in order, then the session is joined', async () => {
    const w = await setup('2026-11-23 10:00:00');
    const r = await w.recovery.recover();
    expect(decisions(r).slice(0, 4)).toEqual(['screening:run', 'selection:run', 'kr-feed:run', 'trading:join']);
    await flushIo();
    expect(w.runs).toEqual(['screening', 'selection', 'kr-feed', 'trading']);
    expect(w.prices.calls).toBe(1);
    await w.scheduler.stop();
    // A session cut short by shutdown is not recorded, so the next start joins it again.
    expect(await r.sessions[0]).toBe('interrupted');
    expect(await w.scheduler.records.get(YMD, 'trading')).toBeUndefined();
  });

  it('16:10 after close: market close runs; the US feed and report wait', async () => {
    const w = await setup('2026-11-23 16:10:00', async (d) => {
      await record(d, ['screening', 'selection', 'kr-feed', 'trading'], { selection: { batchCount: 2 } });
      await validBatches(d, [0, 1]);
    });
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(['screening:done', 'selection:done', 'kr-feed:done', 'trading:done', 'market-close:run', 'us-feed:wait', 'daily-report:wait']);
    expect(w.runs).toEqual(['market-close']);
  });

  it('17:30 with an unrecorded session: trading expired, close, US feed and report run', async () => {
    const w = await setup('2026-11-23 17:30:00', async (d) => {
      await record(d, ['screening', 'selection', 'kr-feed'], { selection: { batchCount: 2 } });
      await validBatches(d, [0, 1]);
    });
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(['screening:done', 'selection:done', 'kr-feed:done', 'trading:expired', 'market-close:run', 'us-feed:run', 'daily-report:run']);
    expect(summary(w)[3]).toBe('recovery phase=trading decision=expired reason="session 09:00-15:30 is over; no completion record"');
    expect(w.runs).toEqual(['market-close', 'us-feed', 'daily-report']);
    // A second start-up the same evening runs nothing.
    const again = await w.recovery.recover();
    expect(again.decisions.filter((d) => d.decision === 'run')).toEqual([]);
    expect(w.runs).toHaveLength(3);
  });

  it('18:00 with everything recorded and valid: nothing runs', async () => {
    const w = await setup('2026-11-23 18:00:00', async (d) => {
      await record(d, [...PHASE_ORDER], { selection: { batchCount: 2 } });
      await validBatches(d, [0, 1]);
    });
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(PHASE_ORDER.map((p) => `${p}:done`));
    expect(w.runs).toEqual([]);
    expect(w.alerts.alerts).toEqual([]);
  });

  it('21:00 with nothing done: the too-late morning phases expire; close and report still run', async () => {
    const w = await setup('2026-11-23 21:00:00');
    const r = await w.recovery.recover();
    expect(decisions(r)).toEqual(['screening:expired', 'selection:expired', 'kr-feed:expired', 'trading:expired', 'market-close:run', 'us-feed:run', 'daily-report:run']);
    expect(w.runs).toEqual(['market-close', 'us-feed', 'daily-report']);
    // The day lost its morning and session: one WARNING names each phase (it was only a log line before).
    expect(w.alerts.alerts).toHaveLength(1);
    expect(w.alerts.alerts[0]).toMatchObject({ level: 'WARNING', title: `kisd: screening, selection, kr-feed, trading did not run on ${YMD} and can no longer start today` });
    expect(w.alerts.alerts[0]!.what).toContain('trading: session 09:00-15:30 is over; no completion record');
  });

  it('on a KR holiday (Christmas, a Friday) nothing runs', async () => {
    const w = await setup('2026-12-25 10:00:00', undefined, ['20261225']);
    const r = await w.recovery.recover();
    expect(r.decisions.every((d) => d.decision === 'skip' && d.reason === '20261225 is a KR market holiday')).toBe(true);
    expect(w.runs).toEqual([]);
  });

  it('on a weekend nothing runs', async () => {
    const w = await setup('2026-11-28 12:00:00');
    const r = await w.recovery.recover();
    expect(r.decisions.map((d) => d.reason)).toEqual(PHASE_ORDER.map(() => '20261128 is a weekend (Sat)'));
    expect(w.runs).toEqual([]);
  });

  it('a corrupt completion record is quarantined and its phases run again', async () => {
    const w = await setup('2026-11-23 06:30:00', async (d) => {
      await fs.mkdir(join(d, 'phases'), { recursive: true });
      await fs.writeFile(join(d, 'phases', `${YMD}.json`), '{"date":"2026');
    });
    const r = await w.recovery.recover();
    expect(decisions(r)[0]).toBe('screening:run');
    expect((await fs.readdir(join(w.dataDir, 'phases'))).some((n) => n.includes('.corrupt-'))).toBe(true);
    expect(w.lines.some((l) => l.msg.startsWith('corrupt phase completion record quarantined'))).toBe(true);
  });

  it('a cron trigger firing during recovery is deferred, then skipped because recovery ran the phase itself', async () => {
    const slowScreening = new FakePhaseJob({ durationMs: 5_000, work: async (ctx) => {
      await createScreeningJob({ dataDir: world!.dataDir, watchlist: WATCHLIST, prices: world!.prices, clock: world!.c.clock }).run(ctx);
      return undefined;
    } });
    const w = await setup('2026-11-23 06:59:58', undefined, [], { screening: slowScreening as never });
    await w.scheduler.start();
    const pending = w.recovery.recover(); // screening runs 06:59:58 → 07:00:03; the 07:00 selection cron fires meanwhile
    const r = await driveUntilSettled(w.c, pending);
    expect(decisions(r).slice(0, 2)).toEqual(['screening:run', 'selection:run']);
    expect(w.runs.filter((x) => x === 'selection')).toHaveLength(1);
    expect((await w.scheduler.records.get(YMD, 'selection'))?.trigger).toBe('recovery');
    expect(w.lines.some((l) => l.msg === 'phase selection trigger deferred until restart recovery finishes')).toBe(true);
    expect(w.lines.some((l) => String(l.msg).startsWith('phase selection already done today'))).toBe(true);
    await w.scheduler.stop();
  });
});
