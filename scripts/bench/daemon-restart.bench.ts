// Benchmark: restart-to-ready of the real daemon (`node dist/src/cli/main.js --config <tmp> run`): a cold
// start on an empty var dir, then restarts after SIGTERM (graceful stop, exit 0 expected) and after SIGKILL
// (crash-only: start-up is the recovery path, stale lock/state files included). Ready = GET /healthz 200,
// polled every 10 ms. The simulator runs in this process and outlives the restarts (as KIS would), with its
// clock and the daemon's (`kisd run --at`) at 09:00 KST on a weekday, during the trading session.
// Usage: node --expose-gc dist/scripts/bench/daemon-restart.bench.js [--scale 0.25] [--trials 5] [--settle-ms 0]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { formatKstTimestamp } from '../../src/core/kst.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { daemonAvailable, freePort, nextWeekdayKst, spawnDaemon, startExternalSim, stopDaemon, waitHealthy, writeDaemonConfig, type DaemonProc } from './lib/daemon-proc.js';

const READY_TIMEOUT_MS = 60_000;

/** Error/fatal JSON log lines (level >= 50) in the daemon's console output, messages and first stack frames. */
function errorLines(output: string, max = 3): string[] {
  const out: string[] = [];
  for (const line of output.split('\n')) {
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; stack?: string } };
      if ((j.level ?? 0) >= 50) out.push(`${j.msg ?? ''} — ${j.err?.message ?? ''} ${(j.err?.stack ?? '').split('\n').slice(1, 6).map((l) => l.trim()).join(' < ')}`);
    } catch {
      // not a JSON line
    }
  }
  return out.slice(-max);
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('daemon-restart', args);
  const avail = daemonAvailable();
  if (!avail.ok) {
    report.note(`SKIPPED: the daemon is not built (${avail.why})`);
    report.figure('skipped', true);
    report.finish();
    return;
  }
  const trials = Number(args.flags['trials'] ?? Math.max(2, Math.round(5 * args.scale)));
  // SIGTERM right after ready by default (a restart can come at any moment, restart recovery included).
  const settleMs = Number(args.flags['settle-ms'] ?? 0);
  report.figure('settleBeforeSigtermMs', settleMs);
  const varDir = mkdtempSync(join(tmpdir(), 'kisd-bench-daemon-'));
  const ext = await startExternalSim({ startKst: nextWeekdayKst('09:00:05'), tickRecordsPerSec: 200 });
  const port = await freePort();
  const configPath = writeDaemonConfig(varDir, { healthPort: port, restUrl: ext.sim.restUrl, wsUrl: ext.sim.wsUrl, extra: { log: { level: 'info', console: 'json' } } }); // default level; JSON console so a fatal line is visible
  // The daemon's clock starts where the simulator's is now, on every (re)start.
  const spawnNow = (): DaemonProc => spawnDaemon(configPath, {}, ['--at', formatKstTimestamp(ext.clock.nowMs())]);
  let proc: DaemonProc | undefined;
  const sigtermReady: number[] = [];
  const sigtermStop: number[] = [];
  const sigkillReady: number[] = [];
  let badExits = 0;
  try {
    proc = spawnNow();
    const cold = await waitHealthy(proc, port, READY_TIMEOUT_MS);
    report.figure('coldStartToReadyMs', Math.round(cold), '(empty var dir: token issue, SQLite migrations, feed start)');
    for (let t = 0; t < trials; t++) {
      if (settleMs > 0) await systemClock.sleep(settleMs);
      const stop = await stopDaemon(proc, 'SIGTERM');
      sigtermStop.push(stop.ms);
      if (stop.code !== 0) {
        badExits++;
        for (const l of errorLines(proc.stderrTail())) console.log(`    daemon log: ${l}`);
      }
      proc = spawnNow();
      sigtermReady.push(await waitHealthy(proc, port, READY_TIMEOUT_MS));
      console.log(`  SIGTERM trial ${t + 1}: stopped in ${Math.round(stop.ms)} ms (exit ${stop.code ?? stop.signal}), restart-to-ready ${Math.round(sigtermReady[t]!)} ms`);
    }
    for (let t = 0; t < trials; t++) {
      await stopDaemon(proc, 'SIGKILL');
      proc = spawnNow();
      sigkillReady.push(await waitHealthy(proc, port, READY_TIMEOUT_MS));
      console.log(`  SIGKILL trial ${t + 1}: restart-to-ready ${Math.round(sigkillReady[t]!)} ms`);
    }
    report.figure('sigtermStopMs', summarize(sigtermStop), '(SIGTERM → process exit)');
    report.figure('sigtermRestartToReadyMs', summarize(sigtermReady), '(spawn → /healthz 200)');
    report.figure('sigkillRestartToReadyMs', summarize(sigkillReady), '(spawn after SIGKILL → /healthz 200)');
    report.figure('tokenPCalls', ext.sim.stats.count({ path: '/oauth2/tokenP' }), `over ${1 + 2 * trials} starts`);
    report.target('SIGTERM exits with status 0', badExits, '==', 0);
    report.target('restart-to-ready after SIGTERM, max (s)', summarize(sigtermReady).max / 1000, '<=', 10);
    report.target('restart-to-ready after SIGKILL, max (s)', summarize(sigkillReady).max / 1000, '<=', 15);
  } finally {
    if (proc) await stopDaemon(proc, 'SIGTERM', 10_000).catch(() => undefined);
    await ext.close();
    rmSync(varDir, { recursive: true, force: true });
  }
  report.finish();
}

runBench(main);
