// `kisd queue list|retry|purge` and `kisd export csv` with the compiled CLI on a store the test seeds
// directly (the same SQLite file the daemon would use under paths.var_dir).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { createRecoveryQueue } from '../../../src/recovery/index.js';
import { openStore } from '../../../src/store/index.js';
import { requireBuild, runCli, writeTestConfig, type TestDirs } from './cli-harness.js';

beforeAll(requireBuild);

/** Three tasks: #1 pending (due later), #2 completed, #3 failed (out of retries). */
function seedQueue(t: TestDirs): void {
  const store = openStore({ dataDir: t.dataDir });
  try {
    const q = createRecoveryQueue({ repo: store.recoveryQueue, clock: systemClock });
    const a = q.enqueue({ fetcherName: 'kis-quotes', targetCode: '005930', taskType: 'quotes', errorMessage: 'network: connection-reset', nextRetryAtMs: systemClock.nowMs() + 3_600_000 });
    const b = q.enqueue({ fetcherName: 'kis-quotes', targetCode: '000660', taskType: 'quotes' });
    const c = q.enqueue({ fetcherName: 'kis-daily-bars', targetCode: '035420', taskType: 'daily_bars', maxRetries: 1 });
    expect([a.id, b.id, c.id]).toEqual([1, 2, 3]);
    q.complete(b.id);
    expect(q.fail(c.id, new Error('KIS rejected the request: OPSQ2000'))?.status).toBe('failed');
  } finally {
    store.close();
  }
}

function taskStatus(t: TestDirs, id: number): string | undefined {
  const store = openStore({ dataDir: t.dataDir });
  try {
    return store.recoveryQueue.get(id)?.status;
  } finally {
    store.close();
  }
}

describe('kisd queue', () => {
  it('list, filter by status, retry a failed task, purge completed ones', async () => {
    const t = writeTestConfig();
    const empty = await runCli(['--config', t.configPath, 'queue', 'list']);
    expect(empty.code, empty.stdout + empty.stderr).toBe(0);
    expect(empty.stdout).toMatch(/the queue is empty \(no database yet at .*kisd\.sqlite\)/);

    seedQueue(t);
    const all = await runCli(['--config', t.configPath, 'queue', 'list']);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(all.stdout).toContain('queue: 1 pending, 0 processing, 1 completed, 1 failed');
    const rows = all.stdout.split('\n').filter((l) => /^\d+ /.test(l));
    expect(rows.map((l) => l.split(/ +/).slice(0, 5))).toEqual([
      ['3', 'failed', 'daily_bars', '035420', '1/1'],
      ['2', 'completed', 'quotes', '000660', '0/5'],
      ['1', 'pending', 'quotes', '005930', '0/5'],
    ]);
    expect(rows[0]).toContain('KIS rejected the request: OPSQ2000');

    const failed = await runCli(['--config', t.configPath, 'queue', 'list', '--status', 'failed']);
    expect(failed.stdout.split('\n').filter((l) => /^\d+ /.test(l))).toHaveLength(1);
    const badStatus = await runCli(['--config', t.configPath, 'queue', 'list', '--status', 'broken']);
    expect(badStatus.code, badStatus.stdout + badStatus.stderr).toBe(2);
    expect(badStatus.stderr).toMatch(/--status must be one of pending, processing, completed, failed/);

    const retry = await runCli(['--config', t.configPath, 'queue', 'retry', '3']);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/task 3 \(daily_bars 035420, was failed, 1\/1 tries\) is pending and due now/);
    expect(taskStatus(t, 3)).toBe('pending');
    const missing = await runCli(['--config', t.configPath, 'queue', 'retry', '99']);
    expect(missing.code, missing.stdout + missing.stderr).toBe(1);
    expect(missing.stderr).toMatch(/no task 99 in the recovery queue\n {2}next: see `kisd queue list`/);

    const noFlag = await runCli(['--config', t.configPath, 'queue', 'purge']);
    expect(noFlag.code, noFlag.stdout + noFlag.stderr).toBe(2);
    expect(noFlag.stderr).toMatch(/say what to purge: --completed/);
    const purge = await runCli(['--config', t.configPath, 'queue', 'purge', '--completed']);
    expect(purge.code, purge.stdout + purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/deleted 1 completed task\(s\)/);
    expect(taskStatus(t, 2)).toBeUndefined();
    expect(taskStatus(t, 1)).toBe('pending');
  });
});

describe('kisd export csv', () => {
  it('exports chosen tables, overwrite then append, and rejects unknown tables and modes', async () => {
    const t = writeTestConfig();
    const none = await runCli(['--config', t.configPath, 'export', 'csv']);
    expect(none.code, none.stdout + none.stderr).toBe(1);
    expect(none.stderr).toMatch(/no database yet .*\n {2}next: .*kisd collect/);

    seedQueue(t);
    const store = openStore({ dataDir: t.dataDir });
    store.quotes.upsert([{ market: 'KR', symbol: '005930', price: 71200, volume: 1000, asOfMs: 1_763_884_800_000 }, { market: 'NAS', symbol: 'AAPL', price: 231.5, asOfMs: 1_763_884_800_000 }], 1_763_884_800_000);
    store.close();

    const r = await runCli(['--config', t.configPath, 'export', 'csv', '--tables', 'quotes,recovery_queue']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const quotesCsv = join(t.varDir, 'data', 'csv', 'quotes.csv');
    expect(r.stdout).toMatch(new RegExp(`quotes +2 rows +→ ${quotesCsv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.stdout).toMatch(/recovery_queue +3 rows/);
    expect(r.stdout).toMatch(/OK: 2 table\(s\) exported \(overwrite\)/);
    expect(existsSync(join(t.varDir, 'data', 'csv', 'daily_bars.csv'))).toBe(false);
    const text = readFileSync(quotesCsv, 'utf8');
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^market,symbol,price/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(expect.arrayContaining(['KR,005930,71200', 'NAS,AAPL,231.5']));

    const append = await runCli(['--config', t.configPath, 'export', 'csv', '--tables', 'quotes', '--mode', 'append']);
    expect(append.code, append.stdout + append.stderr).toBe(0);
    expect(readFileSync(quotesCsv, 'utf8').split('\r\n').filter(Boolean)).toHaveLength(5); // one header, rows twice

    const unknown = await runCli(['--config', t.configPath, 'export', 'csv', '--tables', 'prices']);
    expect(unknown.code, unknown.stdout + unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/unknown table\(s\) prices; exportable: .*quotes/);
    const badMode = await runCli(['--config', t.configPath, 'export', 'csv', '--mode', 'merge']);
    expect(badMode.code, badMode.stdout + badMode.stderr).toBe(2);
    expect(badMode.stderr).toMatch(/--mode must be overwrite or append/);
  });
});
