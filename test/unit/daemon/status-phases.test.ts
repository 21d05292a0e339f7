// The status page's phase table from a real IntegratedScheduler on a fake clock (not installed: the cron
// triggers run on the Clock): pending with its due time, running, done with times and attempts, failed with
// the error and what happens next, skipped on a day without a KR session.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { phaseRows } from '../../../src/daemon/status-source.js';
import { kstInstant, kstYmd } from '../../../src/core/kst.js';
import { IntegratedScheduler } from '../../../src/scheduler/index.js';
import type { PhaseJob } from '../../../src/core/phases.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const weekdays = (ymd: string): boolean => ![0, 6].includes(new Date(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}T12:00:00Z`).getUTCDay());

describe('phase rows', () => {
  it('says pending, running, done, failed (with the error) and skipped, with times and attempts', async () => {
    const clock = createFakeClock('2026-12-07 05:59:00');
    let release: () => void = () => undefined;
    const screening: PhaseJob = { run: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))) };
    const selection: PhaseJob = {
      run: async () => {
        throw new Error('no ranked symbols in screening_20261207.json');
      },
    };
    const scheduler = new IntegratedScheduler(
      { dataDir: mkdtempSync(join(tmpdir(), 'kisd-status-phases-')), retry: { attempts: 1 } },
      { clock, logger: pino({ level: 'silent' }), calendar: { isKrTradingDay: weekdays, refresh: async () => undefined }, jobs: { screening, selection } },
    );
    const deps = { scheduler, isTradingDay: weekdays };
    const row = async (id: string) => (await phaseRows(deps, clock.nowMs())).find((r) => r.id === id);

    expect(await row('screening')).toMatchObject({ at: '06:00', state: 'pending', reason: 'due at 06:00' });
    await scheduler.start();
    await clock.tickAsync(60_000); // 06:00: the cron trigger on the fake clock starts phase 1
    expect(await row('screening')).toMatchObject({ state: 'running', startedAt: '2026-12-07 06:00:00' });
    await clock.tickAsync(5 * 60_000);
    release();
    await clock.tickAsync(1);
    await expect.poll(async () => (await row('screening'))?.state).toBe('done');
    expect(await row('screening')).toMatchObject({ finishedAt: '2026-12-07 06:05:00', attempts: 1, startedAt: '2026-12-07 06:00:00' });

    await clock.tickAsync(55 * 60_000); // 07:00: selection fails
    await expect.poll(async () => (await row('selection'))?.state).toBe('failed');
    expect((await row('selection'))?.reason).toBe('failed: no ranked symbols in screening_20261207.json; retried at the next trigger or restart');
    expect(await row('trading')).toMatchObject({ at: '09:00', endsAt: '15:30', state: 'pending' });
    expect(await row('kr-feed')).toMatchObject({ state: 'pending', reason: 'due at 08:30' });
    await clock.tickAsync(90 * 60_000); // 08:30: the trigger finds no job for the KR feed in this test
    expect(await row('kr-feed')).toMatchObject({ state: 'skipped', reason: 'no job configured (trading.enabled: false?)' });
    await scheduler.stop();

    // Saturday: every phase is skipped, and says why.
    const saturday = kstInstant('2026-12-12 10:00:00');
    expect(kstYmd(saturday)).toBe('20261212');
    for (const r of await phaseRows(deps, saturday)) expect(r, r.id).toMatchObject({ state: 'skipped', reason: 'not a KR trading day' });
  });

  it('says what a late phase\'s dependents wait for, and why they were not run', async () => {
    const clock = createFakeClock('2026-12-07 06:59:00');
    let finish: (ok: boolean) => void = () => undefined;
    const screening: PhaseJob = { run: () => new Promise<undefined>((resolve, reject) => (finish = (ok) => (ok ? resolve(undefined) : reject(new Error('no daily bars collected yet'))))) };
    const selection: PhaseJob = { run: async () => ({ batchCount: 0 }) };
    const scheduler = new IntegratedScheduler(
      { dataDir: mkdtempSync(join(tmpdir(), 'kisd-status-late-')), retry: { attempts: 1 } },
      { clock, logger: pino({ level: 'silent' }), calendar: { isKrTradingDay: weekdays, refresh: async () => undefined }, jobs: { screening, selection } },
    );
    const deps = { scheduler, isTradingDay: weekdays };
    const row = async (id: string) => (await phaseRows(deps, clock.nowMs())).find((r) => r.id === id);
    void scheduler.runPhase('screening', 'recovery'); // still collecting at 07:00
    await expect.poll(() => scheduler.inFlight()).toContain('screening');
    await scheduler.start();
    await clock.tickAsync(60_000);
    await expect.poll(async () => (await row('selection'))?.state).toBe('waiting');
    expect((await row('selection'))?.reason).toBe('waiting for screening to finish');
    finish(false);
    await expect.poll(async () => (await row('selection'))?.state).toBe('missed');
    expect((await row('selection'))?.reason).toContain('not run: screening did not finish today and is not running');
    await scheduler.stop();
  });
});
