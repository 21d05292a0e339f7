// Benchmark: resident memory of the real daemon over a simulated week, with time travel. `kisd run --at
// "<Monday> 05:00" --speed N` runs the daemon and its embedded simulator on one fast clock through everything a
// week holds: screening and selection, KR sessions with the reference strategy trading, market close and the
// daily report, the 08:30/16:30 feed switches, token checks every 30 minutes, broker re-inits every 6 hours,
// and the weekend. RSS is read from /proc every 2 s of real time and grouped by simulated day; the JS heap
// and external memory come from /metrics, so growth can be told apart (heap = a JS leak; RSS with a flat
// heap = native: allocator arenas, SQLite page cache, the log transport's worker).
// Targets: RSS <= 150 MB, growth <= 1 MB per simulated hour after the first day (least-squares slope).
// By default the simulator runs in its own process (`kisd sim --at … --speed …`) and the daemon follows its
// clock (`kisd run … --clock-anchor`), so the figures are the daemon's alone, as against KIS; --embedded
// measures `kisd run` with its embedded simulator in the same process instead (what `npm start` runs).
// The daemon runs with deploy/kisd.service's node flags (--node-defaults: without them).
// Usage: npm run bench -- daemon-memory [--scale 0.3] [--speed 600] [--tick-rate 2] [--embedded] [--node-defaults]
//   --scale s: 7·s simulated days; --speed: clock speed; --tick-rate: simulator records per simulated second.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { systemClock } from '../../src/core/clock.js';
import { kstInstant, kstWeekday, kstYmd } from '../../src/core/kst.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { leastSquaresSlope } from './lib/stats.js';
import { daemonAvailable, freePort, rssBytes, spawnDaemon, spawnStandaloneSim, stopDaemon, unitNodeFlags, waitHealthy, writeDaemonConfig, type DaemonProc, type StandaloneSim } from './lib/daemon-proc.js';

const SAMPLE_EVERY_MS = 2_000;
const MB = 1024 * 1024;
const HOUR_MS = 3_600_000;

/** The next Monday (KST) from now, "YYYY-MM-DD". */
function nextMonday(): string {
  let t = systemClock.nowMs() + 86_400_000;
  while (kstWeekday(t) !== 1) t += 86_400_000;
  const ymd = kstYmd(t);
  return `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`;
}

async function metric(port: number, names: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const res = await request(`http://127.0.0.1:${port}/metrics`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    const text = await res.body.text();
    for (const n of names) {
      const m = new RegExp(`^${n}\\s+([\\d.e+]+)`, 'm').exec(text);
      if (m) out[n] = Number(m[1]);
    }
  } catch {
    // the daemon is busy; the next sample tries again
  }
  return out;
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
  const speed = Number(args.flags['speed'] ?? 600);
  const tickRate = Number(args.flags['tick-rate'] ?? 2);
  const days = 7 * args.scale;
  const monday = nextMonday();
  const startKst = `${monday} 05:00:00`;
  const startMs = kstInstant(startKst);
  const runMs = (days * 24 * HOUR_MS) / speed;
  report.figure('clock', `${startKst} KST at ${speed}x`, `(${days.toFixed(2)} simulated days in ${Math.round(runMs / 1000)} s of real time)`);
  report.figure('simulatorTickRecordsPerSimulatedSec', tickRate, `(${Math.round(tickRate * speed)} per real second)`);

  const embedded = args.flags['embedded'] !== undefined;
  const varDir = mkdtempSync(join(tmpdir(), 'kisd-bench-mem-'));
  const port = await freePort();
  let sim: StandaloneSim | undefined;
  let proc: DaemonProc | undefined;
  const xsHours: number[] = [];
  const rssMb: number[] = [];
  const heap: { hours: number; usedMb: number; externalMb: number }[] = [];
  try {
    let runArgs = ['--at', startKst, '--speed', String(speed)];
    if (!embedded) {
      // The simulator in its own process on the same fast clock: the daemon's figures are the daemon's alone.
      sim = await spawnStandaloneSim(varDir, ['--at', startKst, '--speed', String(speed), '--tick-rate', String(tickRate), '--port', '0']);
      runArgs = sim.followArgs;
      report.figure('simulator', `a separate \`kisd sim\` process at ${sim.restUrl}; the daemon follows its clock: ${runArgs.join(' ')}`);
    } else {
      report.figure('simulator', 'embedded in the measured process (--embedded)');
    }
    // The default strategy and a 200-symbol universe.
    const configPath = writeDaemonConfig(varDir, {
      healthPort: port,
      restUrl: sim?.restUrl ?? '',
      wsUrl: sim?.wsUrl ?? '',
      extra: { ...(sim ? {} : { kis: {} }), sim: { port: 0, tick_records_per_sec: tickRate }, scheduler: { screening_universe_limit: 200 }, log: { level: 'warn', console: 'off' } },
    });
    // As the service runs it: the node flags of deploy/kisd.service's ExecStart (heap and young-generation caps).
    const nodeFlags = args.flags['node-defaults'] !== undefined ? [] : unitNodeFlags();
    report.figure('nodeFlags', nodeFlags.length ? nodeFlags.join(' ') : "(none: node's defaults)");
    proc = spawnDaemon(configPath, {}, runArgs, nodeFlags);
    const pid = proc.child.pid!;
    report.figure('startToReadyMs', Math.round(await waitHealthy(proc, port, 60_000)));
    const t0 = systemClock.monotonicMs();
    let n = 0;
    while (systemClock.monotonicMs() - t0 < runMs) {
      await systemClock.sleep(SAMPLE_EVERY_MS);
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`daemon exited during the run:\n${proc.stderrTail()}`);
      const hours = ((systemClock.monotonicMs() - t0) * speed) / HOUR_MS;
      xsHours.push(hours);
      rssMb.push(rssBytes(pid) / MB);
      if (n++ % 5 === 0) {
        const m = await metric(port, ['nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes']);
        if (m['nodejs_heap_size_used_bytes'] !== undefined) heap.push({ hours, usedMb: m['nodejs_heap_size_used_bytes'] / MB, externalMb: (m['nodejs_external_memory_bytes'] ?? 0) / MB });
      }
      if (n % 30 === 0) console.log(`  simulated ${(hours / 24).toFixed(2)} days: RSS ${rssMb[rssMb.length - 1]!.toFixed(1)} MB`);
    }
    const r1 = (v: number): number => Math.round(v * 10) / 10;
    if (sim) report.figure('simulatorProcessRssMbAtEnd', r1(rssBytes(sim.child.pid!) / MB), '(not part of the daemon figures)');
    const perDay: string[] = [];
    for (let d = 0; d < Math.ceil(days); d++) {
      const ys = rssMb.filter((_, i) => xsHours[i]! >= d * 24 && xsHours[i]! < (d + 1) * 24);
      const hs = heap.filter((h) => h.hours >= d * 24 && h.hours < (d + 1) * 24);
      if (ys.length === 0) continue;
      const ymd = kstYmd(startMs + d * 24 * HOUR_MS);
      perDay.push(`${ymd} RSS max ${r1(Math.max(...ys))} end ${r1(ys[ys.length - 1]!)} MB; heap end ${hs.length ? r1(hs[hs.length - 1]!.usedMb) : '?'} MB, external ${hs.length ? r1(hs[hs.length - 1]!.externalMb) : '?'} MB`);
    }
    report.figure('byDay', `\n    ${perDay.join('\n    ')}`);
    const after = xsHours.map((x, i) => [x, rssMb[i]!] as const).filter(([x]) => x >= 24);
    const rssSlope = after.length > 2 ? leastSquaresSlope(after.map(([x]) => x), after.map(([, y]) => y)) : NaN;
    const heapAfter = heap.filter((h) => h.hours >= 24);
    const heapSlope = heapAfter.length > 2 ? leastSquaresSlope(heapAfter.map((h) => h.hours), heapAfter.map((h) => h.usedMb)) : NaN;
    report.figure('rssMb', { first: r1(rssMb[0] ?? NaN), max: r1(Math.max(...rssMb)), end: r1(rssMb[rssMb.length - 1] ?? NaN), samples: rssMb.length });
    report.figure('rssSlopeAfterDay1MbPerSimulatedHour', Math.round(rssSlope * 1000) / 1000, `(${after.length} samples)`);
    report.figure('heapUsedSlopeAfterDay1MbPerSimulatedHour', Math.round(heapSlope * 1000) / 1000, `(${heapAfter.length} samples)`);
    // What the week did: one completion file per day, with the phases done.
    const phasesDir = join(varDir, 'data', 'phases');
    const done = readdirSync(phasesDir).map((f) => `${f.slice(0, 8)}: ${Object.keys((JSON.parse(readFileSync(join(phasesDir, f), 'utf8')) as { phases: object }).phases).join(',')}`);
    report.figure('phasesDone', `\n    ${done.join('\n    ')}`);
    const reports = (() => {
      try {
        return readdirSync(join(varDir, 'data', 'reports')).filter((f) => f.endsWith('.html')).length;
      } catch {
        return 0;
      }
    })();
    report.figure('dailyReports', reports);
    report.target('max RSS (MB)', r1(Math.max(...rssMb)), '<=', 150);
    report.target('RSS slope after day 1 (MB per simulated hour)', Math.round(rssSlope * 1000) / 1000, '<=', 1);
  } finally {
    if (proc) {
      const stop = await stopDaemon(proc, 'SIGTERM', 20_000).catch(() => undefined);
      if (stop) report.figure('stopAfterRun', { ms: Math.round(stop.ms), exit: stop.code ?? stop.signal });
    }
    if (sim) await stopDaemon(sim, 'SIGTERM', 10_000).catch(() => undefined);
    rmSync(varDir, { recursive: true, force: true });
  }
  report.finish();
}

runBench(main);
