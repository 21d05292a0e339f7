// Benchmark (issue 11): the app key's one rate budget shared by N kisd processes — on one host through the state
// dir's budget.db, and on N "hosts" through Redis (each its own state dir and process, all on one redis-server
// this benchmark starts on a free loopback port with a random password, as the tests do). N daemon-like callers
// (test/helpers/budget-caller.ts, 3 reads in flight each) against the simulator enforcing KIS's 20/s per key,
// kisd at its default 18/s with even spreading. Measured at the simulator: combined throughput / limit over
// the steady part of the run (first to last accepted arrival) and EGW00201s; token issues. Measured in each
// caller: the wait from asking the budget for a slot to getting it (queueing included: the budget is full
// by design), and a probe's ledger round trip (--probe-ms: one grant from a never-full budget on the same
// budget.db or Redis connection every 100 ms) — the cost of a grant under the run's load. Then, in this
// process and uncontended, one grant from the SQLite ledger, the Redis ledger and the in-process limiter.
// Usage: node dist/scripts/bench/budget.bench.js [--scale 0.5] [--seconds 10] [--backends local,redis] [--processes 1,2,4]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { systemClock } from '../../src/core/clock.js';
import { SIM_CREDENTIALS } from '../../src/config/credentials.js';
import { openRedisConnection, type RedisConnection } from '../../src/coord/index.js';
import { createRateLimiter } from '../../src/net/rate-limiter.js';
import { compileWindows, type BudgetLedger } from '../../src/net/budget/index.js';
import { openRedisLedger } from '../../src/net/budget/redis-ledger.js';
import { openSqliteLedger } from '../../src/net/budget/sqlite-ledger.js';
import { createSimulator, type SimRequestRecord } from '../../src/sim/index.js';
import { startRedisServer, type TestRedis } from '../../test/helpers/redis-server.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { summarize } from './lib/stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CALLER = join(ROOT, 'dist/test/helpers/budget-caller.js');
const LIMIT = 18;
const STARTUP_MS = 1_500;
const PROBE_MS = 100;

type Backend = 'local' | 'redis';
interface CallerOut {
  alerts: string[];
  reads: number;
  errors: number;
  waits: [number, number][];
  probes: [number, number][];
}

const pct = (values: number[]): { p50: number; p99: number; n: number } => {
  const s = summarize(values);
  return { p50: s.p50, p99: s.p99, n: s.n };
};

/** The child's last stdout line as JSON once it exits (SIGTERM first; SIGKILL after 5 s). */
async function stopCaller(ch: ChildProcess, out: string[]): Promise<CallerOut | undefined> {
  const exited = new Promise<void>((r) => (ch.exitCode !== null || ch.signalCode !== null ? r() : ch.once('exit', () => r())));
  ch.kill('SIGTERM');
  const killer = setTimeout(() => ch.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
  const last = out.join('').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as CallerOut;
  } catch {
    return undefined;
  }
}

async function throughput(report: BenchReport, backend: Backend, processes: number, seconds: number, redis: { server: TestRedis; conn: RedisConnection }): Promise<void> {
  const c = SIM_CREDENTIALS;
  const sim = await createSimulator({ clock: systemClock, apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }], rateLimitPerSec: 20 });
  const arrivals: SimRequestRecord[] = [];
  sim.stats.subscribe((r) => {
    if (r.path.startsWith('/uapi/')) arrivals.push(r);
  });
  if (backend === 'redis') await redis.conn.client.flushall(); // each setup starts with no budget and no token
  const configFor = (): string => {
    const dir = mkdtempSync(join(tmpdir(), `kisd-bench-budget-${backend}-`));
    const configPath = join(dir, 'kisd.yaml');
    const coordination = backend === 'redis' ? { coordination: { backend: 'redis', redis_url: redis.server.urlWithoutPassword } } : {};
    writeFileSync(configPath, stringify({ mode: 'sim', paths: { var_dir: join(dir, 'var') }, log: { console: 'off' }, kis: { rest_base_url: sim.restUrl }, ...coordination }));
    return configPath;
  };
  // local: one state dir for every process; redis: one per "host". The password reaches a host only through
  // its environment, as README says to run it.
  const shared = backend === 'local' ? configFor() : undefined;
  const env = backend === 'redis' ? { ...process.env, KISD_REDIS_PASSWORD: redis.server.password } : process.env;
  const children: { ch: ChildProcess; out: string[]; err: string[] }[] = [];
  for (let i = 0; i < processes; i++) {
    const ch = spawn(process.execPath, [CALLER, shared ?? configFor(), '--priority', 'bulk', '--concurrency', '3', '--probe-ms', String(PROBE_MS)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    const err: string[] = [];
    ch.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    ch.stderr!.on('data', (d: Buffer) => err.push(d.toString()));
    children.push({ ch, out, err });
  }
  // Start-up (node, config, the shared token) stays out of the measured part: it starts 1.5 s after the first call.
  const startedAt = systemClock.monotonicMs();
  while (arrivals.length === 0) {
    const dead = children.find((c) => c.ch.exitCode !== null || c.ch.signalCode !== null);
    if (dead || systemClock.monotonicMs() - startedAt > 30_000) {
      for (const c of children) c.ch.kill('SIGKILL');
      await sim.close();
      throw new Error(`${backend} ${processes}: ${dead ? `a caller exited (${dead.ch.exitCode ?? dead.ch.signalCode})` : 'no call reached the simulator in 30 s'}: ${(dead ?? children[0]!).err.join('').slice(-2000)}`);
    }
    await systemClock.sleep(50);
  }
  const from = arrivals[0]!.atMs + STARTUP_MS;
  await systemClock.sleep(STARTUP_MS + seconds * 1000);
  const to = systemClock.nowMs();
  const outs = await Promise.all(children.map((c) => stopCaller(c.ch, c.out)));
  const inside = arrivals.filter((r) => r.atMs >= from && r.atMs < to && r.outcome !== 'EGW00201');
  const perSec = ((inside.length - 1) * 1000) / (inside[inside.length - 1]!.atMs - inside[0]!.atMs);
  const egw = arrivals.filter((r) => r.msgCd === 'EGW00201').length;
  const tokenIssues = sim.stats.tokenIssues;
  await sim.close();

  const tag = `${backend}_${processes}p`;
  const who = backend === 'local' ? `${processes} process(es), one host` : `${processes} host(s) via Redis`;
  report.figure(`${tag}_calls_per_sec`, perSec, `calls/s (${inside.length} accepted calls measured)`);
  report.figure(`${tag}_token_issues`, tokenIssues);
  // Per caller, inside the measured part: the wait for a slot and the probe's ledger round trip.
  const window = ([at]: [number, number]): boolean => at >= from && at < to;
  const perCaller = outs.map((o) => (o ? { waitMs: pct(o.waits.filter(window).map(([, ms]) => ms)), grantMs: pct(o.probes.filter(window).map(([, ms]) => ms)) } : 'no summary'));
  report.figure(`${tag}_per_caller`, perCaller);
  const all = outs.filter((o): o is CallerOut => o !== undefined);
  report.figure(`${tag}_grant_round_trip_ms`, pct(all.flatMap((o) => o.probes.filter(window).map(([, ms]) => ms))), 'probe ledger round trip, all callers pooled');
  report.figure(`${tag}_slot_wait_ms`, pct(all.flatMap((o) => o.waits.filter(window).map(([, ms]) => ms))), 'ask→slot, queueing included, all callers pooled');
  // What a miss looks like: callers that fell back to their own share (a Redis command that failed or timed out
  // under load), and the simulator's view of the second before each EGW00201.
  const alerts = all.flatMap((o) => o.alerts);
  if (alerts.length > 0) report.figure(`${tag}_alerts`, alerts);
  for (const r of arrivals.filter((a) => a.msgCd === 'EGW00201')) {
    const before = arrivals.filter((a) => a.atMs > r.atMs - 1_000 && a.atMs <= r.atMs).map((a) => a.atMs - r.atMs);
    report.figure(`${tag}_egw00201_context`, { atMs: r.atMs, arrivalsInTheSecondBefore: before.length, offsetsMs: before });
  }
  report.target(`${who}: throughput / limit`, perSec / LIMIT, '>=', 0.95);
  report.target(`${who}: EGW00201`, egw, '==', 0);
  if (backend === 'redis') report.target(`${who}: token issues`, tokenIssues, '==', 1);
}

async function grantLatency(report: BenchReport, grants: number, conn: RedisConnection): Promise<void> {
  const windows = compileWindows({ perSecond: 100, perMinute: 6_000 });
  const sqlite = openSqliteLedger({ path: join(mkdtempSync(join(tmpdir(), 'kisd-bench-ledger-')), 'budget.db'), keyFingerprint: 'bench', windows, safetyMs: 0, spacingMs: 0, timeMs: () => systemClock.hostMonotonicMs!() });
  const redis = openRedisLedger({ client: conn.client, keyFingerprint: 'bench', windows, safetyMs: 0, spacingMs: 0 });
  const limiter = createRateLimiter({ clock: systemClock, windows: { perSecond: 100, perMinute: 6_000 }, windowSafetyMs: 0 });
  const local: number[] = [];
  const viaRedis: number[] = [];
  const inProcess: number[] = [];
  const timed = async (ledger: BudgetLedger, into: number[]): Promise<void> => {
    const t = systemClock.monotonicMs();
    const a = await ledger.tryGrant('bench', 1);
    into.push(systemClock.monotonicMs() - t);
    if (!a.granted) throw new Error('benchmark windows too narrow: a grant was refused');
  };
  for (let i = 0; i < grants; i++) {
    // 10 ms apart: every window has room, so the figure is the cost of a grant, not a wait.
    await systemClock.sleep(10);
    await timed(sqlite, local);
    await timed(redis, viaRedis);
    const t = systemClock.monotonicMs();
    await limiter.acquire();
    inProcess.push(systemClock.monotonicMs() - t);
  }
  await sqlite.close();
  const l = summarize(local);
  const r = summarize(viaRedis);
  const p = summarize(inProcess);
  report.figure('grant_latency_local_ms', { p50: l.p50, p99: l.p99, max: l.max, n: l.n });
  report.figure('grant_latency_redis_ms', { p50: r.p50, p99: r.p99, max: r.max, n: r.n });
  report.figure('grant_latency_in_process_ms', { p50: p.p50, p99: p.p99, max: p.max, n: p.n });
  report.target('local grant latency p99 (ms)', l.p99, '<=', 5);
}

runBench(async () => {
  const args = parseBenchArgs();
  const report = new BenchReport('budget', args);
  const seconds = Math.max(3, Math.round(Number(args.flags['seconds'] ?? 10) * args.scale));
  const server = await startRedisServer();
  const conn = openRedisConnection({ settings: { redis_url: server.urlWithoutPassword, allow_unauthenticated: false }, env: { KISD_REDIS_PASSWORD: server.password } });
  try {
    if ((await conn.settled()) !== 'up') throw new Error(`the benchmark's redis-server did not answer: ${conn.lastError()}`);
    const backends = (args.flags['backends'] ?? 'local,redis').split(',');
    const counts = (args.flags['processes'] ?? '1,2,4').split(',').map(Number);
    const setups = ([['local', 1], ['local', 2], ['local', 4], ['redis', 1], ['redis', 2], ['redis', 4]] as [Backend, number][]).filter(([b, n]) => backends.includes(b) && counts.includes(n));
    for (const [backend, n] of setups) await throughput(report, backend, n, seconds, { server, conn });
    await grantLatency(report, Math.max(200, Math.round(1_000 * args.scale)), conn);
    report.note(
      `${setups.length} distinct setups (backend × processes), one run each, not randomised; a fresh simulator per setup, a fresh state dir per setup (local) or per host (redis), Redis flushed between setups. ` +
        `Measured at the simulator: accepted calls/s from the first to the last arrival in the ${seconds} s after a ${STARTUP_MS / 1000} s start-up, EGW00201 replies, token issues. ` +
        `Measured in each caller: slot wait (ask → grant, queueing included) and a probe grant's ledger round trip every ${PROBE_MS} ms. Computed: throughput / ${LIMIT}; the ceiling with window_safety_ms 25 is 18 grants per 1025 ms = 0.9756 of 18.`,
    );
  } finally {
    await conn.close();
    await server.dispose();
  }
  report.finish();
});
