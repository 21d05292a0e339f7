// Crash-only proof for the bulk collector (STYLE rule 8): the compiled collector runs in a child process,
// is SIGKILLed at several random points and restarted; at the end every symbol is stored exactly once,
// and after every kill the checkpoint never pointed past rows that were saved.
// Needs `npm run build` first (the pretest script does it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const WORKER = join(ROOT, 'test/fixtures/collect/collector-worker.mjs');
const COUNT = 300;
const symbolAt = (i: number): string => String(100000 + i * 7).padStart(6, '0');
const SYMBOLS = Array.from({ length: COUNT }, (_, i) => symbolAt(i));
const closeOf = (code: string): number => (Number(code) % 997) + 1000;

interface RunResult {
  killed: boolean;
  exitCode: number | null;
  lastDone: number;
  summary?: Record<string, unknown>;
  stderr: string;
}

/**
 * Runs the worker; once a main-pass progress line reaches `killAtDone` (if given) it SIGKILLs the child after
 * `jitterMs` more real milliseconds, so the kill lands anywhere in the fetch / save / checkpoint cycle rather
 * than always just after a progress line. (Randomising the instant of a kill, not waiting for an outcome.)
 */
function runWorker(dataDir: string, killAtDone?: number, jitterMs = 0): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [WORKER, dataDir, String(COUNT)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let killed = false;
    let lastDone = 0;
    let summary: Record<string, unknown> | undefined;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /^P main (\d+) /.exec(line);
      if (m) {
        lastDone = Number(m[1]);
        if (killAtDone !== undefined && !killed && lastDone >= killAtDone) {
          killed = true;
          setTimeout(() => child.kill('SIGKILL'), jitterMs);
        }
      } else if (line.startsWith('DONE ')) summary = JSON.parse(line.slice(5)) as Record<string, unknown>;
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ killed, exitCode, lastDone, summary, stderr }));
  });
}

function storedSymbols(dataDir: string): { symbol: string; close: number }[] {
  const db = openDatabase({ dataDir });
  try {
    return db.prepare('SELECT symbol, close FROM daily_bars').all() as { symbol: string; close: number }[];
  } finally {
    db.close();
  }
}

function readCheckpoint(dataDir: string): { nextIndex: number; phase: string } | undefined {
  const path = join(dataDir, 'progress', 'kill_test.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { nextIndex: number; phase: string }) : undefined;
}

const dataDir = mkdtempSync(join(tmpdir(), 'kisd-kill-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('bulk collector under SIGKILL', () => {
  it('converges to every symbol exactly once, and the checkpoint never runs ahead of saved rows', { timeout: 60_000 }, async () => {
    if (!existsSync(join(ROOT, 'dist/src/collect/index.js'))) throw new Error('dist/ missing: run `npm run build` first');
    // Random kill points spread over the list (ascending, since each restart resumes further on).
    const seed = Math.floor(Math.random() * 1e9);
    let s = seed;
    const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const killPoints = Array.from({ length: 8 }, (_, k) => 10 + k * 36 + Math.floor(rand() * 30));
    let kills = 0;
    for (const point of killPoints) {
      const r = await runWorker(dataDir, point, Math.floor(rand() * 12));
      expect(r.stderr, `seed ${seed}`).toBe('');
      if (!r.killed) break; // it finished (or resumed past the point) before the kill
      kills++;
      // Invariant after a crash at an arbitrary instant: everything before the checkpoint is stored.
      const cp = readCheckpoint(dataDir);
      const stored = new Set(storedSymbols(dataDir).map((x) => x.symbol));
      const failedMain = new Set(SYMBOLS.filter((_, i) => i % 50 === 7));
      for (const code of SYMBOLS.slice(0, cp?.nextIndex ?? 0)) {
        if (!failedMain.has(code)) expect(stored.has(code), `seed ${seed}: ${code} before checkpoint ${cp?.nextIndex} not stored`).toBe(true);
      }
    }
    expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(5);

    const final = await runWorker(dataDir);
    expect(final.exitCode).toBe(0);
    expect(final.summary).toMatchObject({ total: COUNT, aborted: false });
    // Symbols the final pass could not get were handed to the recovery worker, which got them.
    const stillFailed = (final.summary?.['stillFailed'] as string[]).length;
    expect(final.summary?.['recovery']).toMatchObject({ completed: stillFailed, failed: 0 });
    const rows = storedSymbols(dataDir);
    expect(rows).toHaveLength(COUNT);
    expect(new Set(rows.map((r) => r.symbol)).size).toBe(COUNT);
    expect(new Set(rows.map((r) => r.symbol))).toEqual(new Set(SYMBOLS));
    for (const r of rows) expect(r.close).toBe(closeOf(r.symbol));
    expect(readCheckpoint(dataDir)?.phase).toBe('done');
    // The flaky symbols were queued in the main pass and closed by the final pass.
    const db = openDatabase({ dataDir });
    const open = db.prepare(`SELECT COUNT(*) FROM recovery_queue WHERE status IN ('pending', 'processing')`).pluck().get();
    db.close();
    expect(open).toBe(0);
  });
});
