// Time travel as a user runs it: the real `kisd run --at "<trading day> 08:55" --speed 60` on its embedded
// simulator (one scaled clock) starts the KR session at 09:00 after five real seconds and trades; a second
// start of the same var dir at 16:58:30 closes the market and writes the daily report at 17:00 with the morning's
// orders in it — the whole day's milestones in well under a minute of real time. paper/real refuse it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeTestConfig } from '../cli/cli-harness.js';
import { DaemonProcess, killDaemons, nextTradingDayAt, requireBuild } from './daemon-harness.js';

let day: string;
beforeAll(async () => {
  requireBuild();
  day = (await nextTradingDayAt('00:00:00')).slice(0, 10);
});
afterAll(() => killDaemons());

const clockAt = (line: { msg: string }): string => line.msg;

describe('kisd run --at … --speed 60', () => {
  it('starts the KR session at 09:00, trades on the simulator, and writes the daily report at 17:00', { timeout: 150_000 }, async () => {
    const dirs = writeTestConfig({ log: { level: 'info', console: 'json' }, scheduler: { screening_universe_limit: 20 } });
    const morning = new DaemonProcess(dirs.configPath, {}, { at: `${day} 08:55:00`, speed: 60 });
    const t0 = performance.now();
    try {
      expect(clockAt(await morning.waitFor((l) => l.msg.startsWith('time travel'), 'time travel line'))).toContain(`starts at ${day} 08:55:00 KST and runs 60x`);
      await morning.ready();
      const runner = await morning.waitFor((l) => l.msg.startsWith('strategy runner started'), 'the 09:00 session');
      const sessionStartMs = performance.now() - t0;
      // Any fill, by notice or by the REST reply: the order manager logs each one ("fill: …").
      await morning.waitFor((l) => l.msg.startsWith('fill: '), 'a fill on the simulator');
      expect(runner['symbols']).toBeGreaterThan(0);
      // 5 simulated minutes to 09:00 take about 5 real seconds (plus start-up and restart recovery).
      expect(sessionStartMs).toBeLessThan(60_000);
    } finally {
      morning.child.kill('SIGTERM');
      expect((await morning.exited).code).toBe(0);
    }

    const report = join(dirs.dataDir, 'reports', `daily_${day.replaceAll('-', '')}`);
    expect(existsSync(`${report}.json`)).toBe(false);
    const evening = new DaemonProcess(dirs.configPath, {}, { at: `${day} 16:58:30`, speed: 60 });
    try {
      await evening.waitFor((l) => l.msg === 'daily report written', 'the 17:00 daily report');
      const json = JSON.parse(readFileSync(`${report}.json`, 'utf8')) as { date: string; orders: { total: number }; fills: number };
      expect(json.orders.total).toBeGreaterThan(0);
      expect(json.fills).toBeGreaterThan(0);
      expect(readFileSync(`${report}.html`, 'utf8')).toContain('<svg');
    } finally {
      evening.child.kill('SIGTERM');
      expect((await evening.exited).code).toBe(0);
    }
    expect(performance.now() - t0).toBeLessThan(140_000);
  });

  it('is refused in paper and real mode, with the reason and what to use', async () => {
    for (const mode of ['paper', 'real']) {
      const dirs = writeTestConfig({ mode, ...(mode === 'real' ? { dry_run: true } : {}) });
      const r = await runCli(['--config', dirs.configPath, 'run', '--at', `${day} 08:55`, '--speed', '60'], { env: { KISD_APP_KEY: 'PSxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', KISD_APP_SECRET: 'y'.repeat(180), KISD_ACCOUNT_NO: '12345678-01' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--at and --speed: time travel runs against the simulator only (mode: sim); KIS's ${mode} server keeps real time`);
    }
  });
});
