// The phase plan compiles options into KST minutes and cron expressions and rejects bad values with ConfigError.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { compileSchedulePlan, everyHoursCron, tokenCheckCron } from '../../../src/scheduler/phase-plan.js';
import { backoffDelayMs } from '../../../src/core/retry.js';
import { compileRetryPolicy } from '../../../src/scheduler/job-runner.js';

describe('compileSchedulePlan', () => {
  it('has the documented defaults', () => {
    const plan = compileSchedulePlan();
    expect(plan.phases.map((p) => `${p.id}@${p.cron}`)).toEqual([
      'screening@0 6 * * *', 'selection@0 7 * * *', 'kr-feed@30 8 * * *', 'trading@0 9 * * *',
      'market-close@0 16 * * *', 'us-feed@30 16 * * *', 'daily-report@0 17 * * *',
    ]);
    expect(plan.phases.find((p) => p.id === 'trading')).toMatchObject({ session: true, endsAtMin: 930, lateStartUntilMin: 930 });
    expect(plan.tokenCheckCron).toBe('*/30 * * * *');
    expect(plan.brokerReinitCron).toBe('40 4,10,16,22 * * *');
    expect(plan.holidayCheckCron).toBe('30 5 * * *');
    expect(plan.retry).toEqual({ attempts: 3, baseMs: 30_000, capMs: 300_000, jitterMs: 0 });
  });

  it('applies overrides and rejects bad values', () => {
    expect(compileSchedulePlan({ phases: { selection: { at: '07:30' } } }).phases[1]?.cron).toBe('30 7 * * *');
    expect(() => compileSchedulePlan({ phases: { trading: { at: '09:00', endsAt: '08:00' } } })).toThrow(ConfigError);
    expect(() => compileSchedulePlan({ phases: { selection: { at: '05:00' } } })).toThrow(/must not be earlier than screening/);
    expect(() => compileSchedulePlan({ phases: { screening: { at: '6:00' } } })).toThrow(/scheduler.phases.screening.at/);
    expect(() => tokenCheckCron(45)).toThrow(ConfigError);
    expect(tokenCheckCron(120)).toBe('0 */2 * * *');
    expect(everyHoursCron(0, 8)).toBe('0 0,8,16 * * *');
    expect(() => compileRetryPolicy({ attempts: 0 })).toThrow(RangeError);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, compileRetryPolicy()))).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });
});
