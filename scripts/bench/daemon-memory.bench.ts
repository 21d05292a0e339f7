// Benchmark: resident memory of the real daemon over a compressed KRX trading day (09:00–15:30 = 6.5 h).
// The daemon (`kisd run`, default KR watchlist of 5 codes × tick + book) runs against a simulator in this
// process whose WebSocket sends a realistic day's record volume faster: 200 records/s is taken as realistic
// for that watchlist, compressed ×20 → 4,000 records/s for 19.5 min (× --scale). The daemon's own clock runs
// at real speed from 09:00 KST, so only the data volume is compressed (time-driven growth, e.g. per-minute
// timers, is under-represented). RSS is read from /proc every 2 s. Targets: steady RSS below 150 MB, and no
// upward trend from simulated hour 2 to the end (least-squares slope <= 1 MB per simulated hour).
// Usage: node --expose-gc dist/scripts/bench/daemon-memory.bench.js [--scale 0.25] [--compression 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { systemClock } from '../../src/core/clock.js';
import { formatKstTimestamp } from '../../src/core/kst.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { leastSquaresSlope } from './lib/stats.js';
import { daemonAvailable, freePort, nextWeekdayKst, rssBytes, spawnDaemon, startExternalSim, stopDaemon, waitHealthy, writeDaemonConfig, type DaemonProc } from './lib/daemon-proc.js';

const REALISTIC_RECORDS_PER_SEC = 200;
const DAY_HOURS = 6.5;
const SAMPLE_EVERY_MS = 2_000;
const MB = 1024 * 1024;

async function heapUsedBytes(port: number): Promise<number | undefined> {
  try {
    const res = await request(`http://127.0.0.1:${port}/metrics`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
    const text = await res.body.text();
    const m = /^nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('daemon-memory', args);
  const avail = daemonAvailable();
  if (!avail.ok) {
    report.note(`SKIPPED: the daemon is not built (${avail.why})`);
    report.figure('skipped', true);
    report.finish();
    return;
  }
  const compression = Number(args.flags['compression'] ?? 20);
  const recordsPerSec = REALISTIC_RECORDS_PER_SEC * compression;
  const simulatedHours = DAY_HOURS * args.scale;
  const runMs = (simulatedHours * 3_600_000) / compression;
  const trendFromHour = Math.min(2, simulatedHours * 0.3);
  report.figure('recordsPerSec', recordsPerSec, `(${REALISTIC_RECORDS_PER_SEC}/s realistic × ${compression})`);
  report.figure('simulatedHours', simulatedHours, `in ${Math.round(runMs / 1000)} s of real time`);

  const varDir = mkdtempSync(join(tmpdir(), 'kisd-bench-mem-'));
  const ext = await startExternalSim({ startKst: nextWeekdayKst('09:00:05'), tickRecordsPerSec: recordsPerSec, tickIntervalMs: 50 });
  const port = await freePort();
  const configPath = writeDaemonConfig(varDir, { healthPort: port, restUrl: ext.sim.restUrl, wsUrl: ext.sim.wsUrl, extra: { log: { level: 'warn', console: 'off' } } });
  let proc: DaemonProc | undefined;
  const xsHours: number[] = [];
  const rssMb: number[] = [];
  const heapMb: number[] = [];
  try {
    proc = spawnDaemon(configPath, { KISD_TEST_CLOCK_START: formatKstTimestamp(ext.clock.nowMs()) });
    const pid = proc.child.pid!;
    report.figure('startToReadyMs', Math.round(await waitHealthy(proc, port, 60_000)));
    const before = ext.ws.stats();
    const t0 = systemClock.monotonicMs();
    let n = 0;
    while (systemClock.monotonicMs() - t0 < runMs) {
      await systemClock.sleep(SAMPLE_EVERY_MS);
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`daemon exited during the run:\n${proc.stderrTail()}`);
      const hours = ((systemClock.monotonicMs() - t0) * compression) / 3_600_000;
      xsHours.push(hours);
      rssMb.push(rssBytes(pid) / MB);
      if (n++ % 10 === 0) {
        const h = await heapUsedBytes(port);
        if (h !== undefined) heapMb.push(h / MB);
      }
      if (n % 60 === 0) console.log(`  simulated ${hours.toFixed(2)} h: RSS ${rssMb[rssMb.length - 1]!.toFixed(1)} MB`);
    }
    const sec = (systemClock.monotonicMs() - t0) / 1000;
    const after = ext.ws.stats();
    report.figure('recordsSentPerSec', Math.round((after.recordsSent - before.recordsSent) / sec), `(${after.recordsSent - before.recordsSent} records to the daemon)`);
    report.figure('serverBackpressureSkips', after.backpressureSkips - before.backpressureSkips, 'frames the daemon did not read fast enough');
    const tail = xsHours.map((x, i) => [x, rssMb[i]!] as const).filter(([x]) => x >= trendFromHour);
    const slope = leastSquaresSlope(tail.map(([x]) => x), tail.map(([, y]) => y));
    const tailMax = Math.max(...tail.map(([, y]) => y));
    const r1 = (v: number): number => Math.round(v * 10) / 10;
    report.figure('rssMb', { first: r1(rssMb[0] ?? NaN), max: r1(Math.max(...rssMb)), end: r1(rssMb[rssMb.length - 1] ?? NaN), maxAfterTrendStart: r1(tailMax), samples: rssMb.length });
    if (heapMb.length > 0) report.figure('heapUsedMb', { first: r1(heapMb[0]!), max: r1(Math.max(...heapMb)), end: r1(heapMb[heapMb.length - 1]!) });
    report.figure('rssSlopeMbPerSimulatedHour', Math.round(slope * 1000) / 1000, `(least squares over ${tail.length} samples from simulated hour ${trendFromHour.toFixed(2)})`);
    report.figure('rssSlopeMbPerRealMinute', Math.round(((slope * compression) / 60) * 1000) / 1000);
    report.target('steady RSS after trend start (MB)', r1(tailMax), '<=', 150);
    report.target('RSS slope from hour 2 to end (MB per simulated hour)', Math.round(slope * 1000) / 1000, '<=', 1);
  } finally {
    if (proc) {
      const stop = await stopDaemon(proc, 'SIGTERM', 20_000).catch(() => undefined);
      if (stop) report.figure('stopAfterRun', { ms: Math.round(stop.ms), exit: stop.code ?? stop.signal });
    }
    await ext.close();
    rmSync(varDir, { recursive: true, force: true });
  }
  report.finish();
}

runBench(main);
