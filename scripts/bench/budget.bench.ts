// Benchmark (issue 11): the app key's rate budget shared by N processes on one host (budget.db). N daemon-like
// callers (test/helpers/budget-caller.ts, 3 reads in flight each) on one state dir against the simulator
// enforcing KIS's 20/s per key, kisd at its default 18/s with even spreading: combined throughput / limit
// over the steady part of the run (first to last accepted arrival, measured at the simulator) and EGW00201s.
// Then grant latency: one ledger transaction (SQLite IMMEDIATE, WAL) vs the in-process limiter, p50/p99,
// with windows wide enough never to make a caller wait. The Redis backend is not built yet.
// Usage: node dist/scripts/bench/budget.bench.js [--scale 0.5] [--seconds 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { systemClock } from '../../src/core/clock.js';
import { SIM_CREDENTIALS } from '../../src/config/credentials.js';
import { createRateLimiter } from '../../src/net/rate-limiter.js';
import { compileWindows } from '../../src/net/budget/index.js';
import { openSqliteLedger } from '../../src/net/budget/sqlite-ledger.js';
import { createSimulator, type SimRequestRecord } from '../../src/sim/index.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { summarize } from './lib/stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CALLER = join(ROOT, 'dist/test/helpers/budget-caller.js');
const LIMIT = 18;

async function throughput(report: BenchReport, processes: number, seconds: number): Promise<void> {
  const c = SIM_CREDENTIALS;
  const sim = await createSimulator({ clock: systemClock, apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }], rateLimitPerSec: 20 });
  const arrivals: SimRequestRecord[] = [];
  sim.stats.subscribe((r) => {
    if (r.path.startsWith('/uapi/')) arrivals.push(r);
  });
  const dir = mkdtempSync(join(tmpdir(), 'kisd-bench-budget-'));
  const configPath = join(dir, 'kisd.yaml');
  writeFileSync(configPath, stringify({ mode: 'sim', paths: { var_dir: join(dir, 'var') }, log: { console: 'off' }, kis: { rest_base_url: sim.restUrl } }));
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++) children.push(spawn(process.execPath, [CALLER, configPath, '--priority', 'bulk', '--concurrency', '3'], { stdio: 'ignore' }));
  // Start-up (node, config, the shared token) stays out of the measured part: it starts 1.5 s after the first call.
  while (arrivals.length === 0) await systemClock.sleep(50);
  await systemClock.sleep(1_500 + seconds * 1000);
  for (const ch of children) ch.kill('SIGKILL');
  const from = arrivals[0]!.atMs + 1_500;
  const inside = arrivals.filter((r) => r.atMs >= from && r.outcome !== 'EGW00201');
  const perSec = ((inside.length - 1) * 1000) / (inside[inside.length - 1]!.atMs - inside[0]!.atMs);
  const egw = arrivals.filter((r) => r.msgCd === 'EGW00201').length;
  await sim.close();
  report.figure(`local_${processes}p_calls_per_sec`, perSec, `calls/s (${inside.length} accepted calls measured)`);
  report.target(`local ${processes} process(es): throughput / limit`, perSec / LIMIT, '>=', 0.95);
  report.target(`local ${processes} process(es): EGW00201`, egw, '==', 0);
}

async function grantLatency(report: BenchReport, grants: number): Promise<void> {
  const windows = compileWindows({ perSecond: 100, perMinute: 6_000 });
  const ledger = openSqliteLedger({ path: join(mkdtempSync(join(tmpdir(), 'kisd-bench-ledger-')), 'budget.db'), keyFingerprint: 'bench', windows, safetyMs: 0, spacingMs: 0, timeMs: () => systemClock.hostMonotonicMs!() });
  const local: number[] = [];
  const inProcess: number[] = [];
  const limiter = createRateLimiter({ clock: systemClock, windows: { perSecond: 100, perMinute: 6_000 }, windowSafetyMs: 0 });
  for (let i = 0; i < grants; i++) {
    // 10 ms apart: every window has room, so the figure is the cost of a grant, not a wait.
    await systemClock.sleep(10);
    let t = systemClock.monotonicMs();
    const a = await ledger.tryGrant('bench', 1);
    local.push(systemClock.monotonicMs() - t);
    if (!a.granted) throw new Error('benchmark windows too narrow: a grant was refused');
    t = systemClock.monotonicMs();
    await limiter.acquire();
    inProcess.push(systemClock.monotonicMs() - t);
  }
  await ledger.close();
  const l = summarize(local);
  const p = summarize(inProcess);
  report.figure('grant_latency_local_ms', { p50: l.p50, p99: l.p99, max: l.max, n: l.n });
  report.figure('grant_latency_in_process_ms', { p50: p.p50, p99: p.p99, max: p.max, n: p.n });
  report.target('local grant latency p99 (ms)', l.p99, '<=', 5);
}

runBench(async () => {
  const args = parseBenchArgs();
  const report = new BenchReport('budget', args);
  const seconds = Math.max(3, Math.round(Number(args.flags['seconds'] ?? 10) * args.scale));
  for (const n of [1, 2, 4]) await throughput(report, n, seconds);
  await grantLatency(report, Math.max(200, Math.round(1_000 * args.scale)));
  report.note('Redis backend (two hosts) not built yet: no figures for it');
  report.finish();
});
