// SIGTERM while the daemon is busy (phase 1 collecting through the rate limiter): it checkpoints the
// in-flight collection, exits 0 within the deadline, and the next start resumes from the checkpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../../src/sim/index.js';
import { DaemonProcess, killDaemons, nextTradingDayAt, requireBuild, startShiftedSimulator, writeTestConfig } from './daemon-harness.js';

let sim: Simulator;
let start: string;

beforeAll(async () => {
  requireBuild();
  start = await nextTradingDayAt('06:30:00'); // phase 1 (06:00) is due and missing
  sim = await startShiftedSimulator(start);
});
afterAll(async () => {
  killDaemons();
  await sim?.close();
});

describe('kisd run stopped while busy', () => {
  // Two daemon starts around ~20 s of collection by design: the default 30 s left no room on a loaded machine.
  it('checkpoints phase-1 collection on SIGTERM, exits 0 in time, and resumes on the next start', { timeout: 60_000 }, async () => {
    const codes = sim.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 400); // ~22 s at 18 req/s
    const { configPath, varDir } = writeTestConfig(sim, { feed: { enabled: false }, scheduler: { enabled: true, screening_symbols: codes }, collect: { checkpoint_every: 10 } });
    const first = new DaemonProcess(configPath, {}, { at: start });
    await first.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('daily_bars') && l.msg.includes('/400'), 'collection progress');
    const t0 = performance.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const cp = JSON.parse(readFileSync(join(varDir, 'data', 'progress', 'daily_bars.json'), 'utf8')) as { nextIndex: number; phase: string };
    expect(cp.phase).toBe('main');
    expect(cp.nextIndex).toBeGreaterThan(0);
    expect(cp.nextIndex).toBeLessThan(400);
    expect(first.lines.some((l) => l.msg === 'collection aborted; checkpoint saved')).toBe(true);

    const second = new DaemonProcess(configPath, {}, { at: start });
    try {
      const resumed = await second.waitFor((l) => l.msg === 'resuming from checkpoint', 'resume');
      expect(resumed['nextIndex']).toBe(cp.nextIndex);
    } finally {
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    }
  });
});
