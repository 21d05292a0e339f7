import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { openStore } from '../../../src/store/index.js';
import { createRecoveryQueue, createRecoveryWorker, recoveryBackoffMs, type RecoveryTaskRunner } from '../../../src/recovery/index.js';
import type { Alert } from '../../../src/alerts/index.js';

const logger = pino({ level: 'silent' });

class FakeRunner implements RecoveryTaskRunner {
  calls: { code: string; atMs: number }[] = [];
  failuresLeft: number;
  constructor(failures: number, private readonly clock: { nowMs(): number }) {
    this.failuresLeft = failures;
  }
  async run(task: { targetCode: string }): Promise<void> {
    this.calls.push({ code: task.targetCode, atMs: this.clock.nowMs() });
    if (this.failuresLeft-- > 0) throw new Error('HTTP 500 from KIS');
  }
}

function setup(failures: number, maxRetries = 5) {
  const clock = createFakeClock('2026-11-23 10:00:00');
  const store = openStore({ path: ':memory:' });
  const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
  const runner = new FakeRunner(failures, clock);
  const alerts: Alert[] = [];
  const worker = createRecoveryWorker({
    queue,
    runners: { 'kis-daily-bars': runner },
    clock,
    logger,
    alerts: { send: async (a) => void alerts.push(a) },
    intervalMs: 60_000, // tick granularity for the test; production default is 10 min
  });
  const { id } = queue.enqueue({ fetcherName: 'kis-daily-bars', targetCode: '005930', taskType: 'daily_bars', maxRetries, errorMessage: 'first failure' });
  return { clock, store, queue, runner, worker, alerts, id };
}

describe('recovery back-off', () => {
  it('is 60 s × 2^retry_count', () => {
    expect([0, 1, 2, 3, 4].map((n) => recoveryBackoffMs(n))).toEqual([60_000, 120_000, 240_000, 480_000, 960_000]);
  });
});

describe('recovery worker', () => {
  it('retries at now + 60 s × 2^n on the clock and completes when the runner succeeds', async () => {
    const { clock, queue, runner, worker, id } = setup(3);
    const t0 = clock.nowMs();
    worker.start();
    // Runs every minute; tasks are only picked once due.
    await clock.tickAsync(60_000); // t0+1m: attempt 1 fails → due t0+1m+60s
    expect(queue.get(id)).toMatchObject({ status: 'pending', retryCount: 1, nextRetryAtMs: t0 + 60_000 + 60_000 });
    await clock.tickAsync(60_000); // t0+2m: attempt 2 fails → due t0+2m+120s
    expect(queue.get(id)).toMatchObject({ retryCount: 2, nextRetryAtMs: t0 + 120_000 + 120_000 });
    await clock.tickAsync(60_000); // t0+3m: not due
    expect(runner.calls).toHaveLength(2);
    await clock.tickAsync(60_000); // t0+4m: attempt 3 fails → due t0+4m+240s
    expect(queue.get(id)).toMatchObject({ retryCount: 3, nextRetryAtMs: t0 + 240_000 + 240_000 });
    await clock.tickAsync(4 * 60_000); // t0+8m: attempt 4 succeeds
    expect(runner.calls.map((c) => c.atMs - t0)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(queue.get(id)?.status).toBe('completed');
    await worker.stop();
  });

  it('marks the task failed at max_retries and sends one CRITICAL alert naming the symbol and the way out', async () => {
    const { clock, queue, worker, alerts, id } = setup(99, 3);
    for (let i = 0; i < 3; i++) {
      const s = await worker.runOnce();
      expect(s.claimed).toBe(1);
      await clock.tickAsync(recoveryBackoffMs(i));
    }
    expect(queue.get(id)).toMatchObject({ status: 'failed', retryCount: 3, nextRetryAtMs: null, errorMessage: 'HTTP 500 from KIS' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 'CRITICAL', symbols: ['005930'] });
    expect(alerts[0]?.nextSteps).toContain(`kisd queue retry`);
    expect(alerts[0]?.nextSteps).toContain(String(id));
    expect((await worker.runOnce()).claimed).toBe(0); // failed tasks are not picked again
    expect(queue.retry(id)).toBe(true);
    expect(queue.get(id)).toMatchObject({ status: 'pending', nextRetryAtMs: clock.nowMs() });
  });

  it('returns tasks left processing by a crash to pending at start-up', async () => {
    const { clock, store, queue, runner, id } = setup(0);
    expect(queue.claimDue(10)).toHaveLength(1); // "crashed" holding it
    expect(queue.get(id)?.status).toBe('processing');
    expect(queue.claimDue(10)).toHaveLength(0);
    // A new process starts.
    const worker2 = createRecoveryWorker({ queue: createRecoveryQueue({ repo: store.recoveryQueue, clock }), runners: { 'kis-daily-bars': runner }, clock, logger });
    worker2.start();
    expect(queue.get(id)).toMatchObject({ status: 'pending', nextRetryAtMs: clock.nowMs() });
    await clock.tickAsync(600_000);
    expect(queue.get(id)?.status).toBe('completed');
    await worker2.stop();
  });

  it('counts a task without a registered runner as a failed attempt, and purges completed tasks', async () => {
    const { queue, worker, id } = setup(0);
    const other = queue.enqueue({ fetcherName: 'unknown-fetcher', targetCode: '000660', taskType: 'x' });
    const s = await worker.runOnce();
    expect(s).toMatchObject({ claimed: 2, completed: 1, retryLater: 1 });
    expect(queue.get(other.id)?.errorMessage).toMatch(/no recovery runner/);
    expect(queue.purge({ completed: true })).toBe(1);
    expect(queue.get(id)).toBeUndefined();
    expect(queue.list().map((t) => t.id)).toEqual([other.id]);
  });

  it('times a hanging runner out on the clock and retries later', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const store = openStore({ path: ':memory:' });
    const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
    const hang: RecoveryTaskRunner = { run: () => new Promise(() => undefined) };
    const worker = createRecoveryWorker({ queue, runners: { f: hang }, clock, logger, taskTimeoutMs: 5_000 });
    const { id } = queue.enqueue({ fetcherName: 'f', targetCode: 'A', taskType: 't' });
    const run = worker.runOnce();
    await clock.tickAsync(5_000);
    expect(await run).toMatchObject({ retryLater: 1 });
    expect(queue.get(id)?.errorMessage).toMatch(/timed out/);
  });
});
