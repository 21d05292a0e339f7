// The real daemon as a child process for the daemon benchmarks: `node dist/src/cli/main.js --config <file>
// run` with a throw-away var dir, a fixed loopback health port, and kis.rest_base_url / kis.ws_url pointing at
// a simulator the benchmark runs itself (it outlives daemon restarts, as KIS does, so the token file is
// reused the way it would be in production). Ready = GET /healthz answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { offsetClock, systemClock, type Clock } from '../../../src/core/clock.js';
import { kstInstant, kstYmd, kstWeekday } from '../../../src/core/kst.js';
import { packageRoot } from '../../../src/config/load.js';
import { readServiceUnit } from '../../../src/cli/service-unit.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { attachSimWebSocketTo, type SimWebSocket } from '../../../src/sim/ws/index.js';

export const DAEMON_MAIN = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

export function daemonAvailable(): { ok: boolean; why?: string } {
  try {
    readFileSync(DAEMON_MAIN);
    readFileSync(join(packageRoot(), 'dist', 'src', 'cli', 'commands', 'run.js'));
    readFileSync(join(packageRoot(), 'dist', 'src', 'daemon', 'daemon.js'));
    return { ok: true };
  } catch (err) {
    return { ok: false, why: `${(err as Error).message} — build with "npm run build" once kisd run exists` };
  }
}

/** A free loopback TCP port (released before return; a race with another process is possible but unlikely). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** "YYYY-MM-DD <hhmmss>" on the next KST weekday from now (today if it is one). */
export function nextWeekdayKst(hms: string): string {
  let t = systemClock.nowMs();
  for (let i = 0; i < 7 && kstWeekday(t) > 5; i++) t += 86_400_000;
  const ymd = kstYmd(t);
  return `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)} ${hms}`;
}

export interface ExternalSim {
  sim: Simulator;
  ws: SimWebSocket;
  clock: Clock;
  close(): Promise<void>;
}

/** Simulator for the daemon's SIM_CREDENTIALS app, its wall clock starting at startKst (KST). */
export async function startExternalSim(o: { startKst: string; tickRecordsPerSec: number; tickIntervalMs?: number }): Promise<ExternalSim> {
  const clock = offsetClock(systemClock, kstInstant(o.startKst) - systemClock.nowMs());
  const c = SIM_CREDENTIALS;
  const sim = await createSimulator({ clock, apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }] });
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: o.tickRecordsPerSec, tickIntervalMs: o.tickIntervalMs ?? 100, marketHoursOnly: false });
  return { sim, ws, clock, close: () => sim.close() };
}

/** Writes the daemon's config (JSON is YAML) into varDir and returns its path. */
export function writeDaemonConfig(varDir: string, o: { healthPort: number; restUrl: string; wsUrl: string; krWatchlist?: string[]; extra?: Record<string, unknown> }): string {
  const cfg = {
    mode: 'sim',
    paths: { var_dir: varDir },
    ...(o.restUrl ? { kis: { rest_base_url: o.restUrl, ws_url: o.wsUrl } } : {}),
    log: { level: 'info', console: 'off' },
    health: { port: o.healthPort },
    ...(o.krWatchlist ? { feed: { kr_watchlist: o.krWatchlist } } : {}),
    ...o.extra,
  };
  const path = join(varDir, 'kisd.bench.yaml');
  writeFileSync(path, JSON.stringify(cfg, null, 2));
  return path;
}

export interface DaemonProc {
  child: ChildProcess;
  /** Last 8 KB of stdout + stderr (diagnostics on failure; JSON log lines when log.console is "json"). */
  stderrTail(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `kisd run`; extraArgs e.g. ['--at', '2026-12-07 09:00:05'] (time travel) start its clock elsewhere. */
export function spawnDaemon(configPath: string, env: Record<string, string> = {}, extraArgs: readonly string[] = [], nodeArgs: readonly string[] = []): DaemonProc {
  const child = spawn(process.execPath, [...nodeArgs, DAEMON_MAIN, '--config', configPath, 'run', ...extraArgs], {
    cwd: packageRoot(),
    env: { ...process.env, ...env, KISD_APP_KEY: '', KISD_APP_SECRET: '', KISD_ACCOUNT_NO: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderrTail: () => tail, exited };
}

export interface StandaloneSim extends DaemonProc {
  restUrl: string;
  wsUrl: string;
  /** The `kisd run` flags its banner printed to follow its clock (--at, --speed, --clock-anchor). */
  followArgs: string[];
}

/** `kisd sim <args>` as a child process; resolves once its banner has printed the URLs (and clock flags). */
export async function spawnStandaloneSim(varDir: string, args: readonly string[], timeoutMs = 30_000): Promise<StandaloneSim> {
  const cfg = join(varDir, 'kisd.sim.yaml');
  writeFileSync(cfg, JSON.stringify({ mode: 'sim', paths: { var_dir: join(varDir, 'sim') }, log: { level: 'warn', console: 'off' } }));
  const child = spawn(process.execPath, [DAEMON_MAIN, '--config', cfg, 'sim', ...args], { cwd: packageRoot(), env: { ...process.env, KISD_APP_KEY: '', KISD_APP_SECRET: '', KISD_ACCOUNT_NO: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let tail = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString('utf8')).slice(-8000)));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = systemClock.setTimeout(() => reject(new Error(`kisd sim printed no banner within ${timeoutMs} ms:\n${out}${tail}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const travel = args.includes('--speed') || args.includes('--at');
      if (/WebSocket\s+ws:\/\//.test(out) && (!travel || /--clock-anchor \d+/.test(out))) {
        systemClock.clearTimeout(timer);
        resolve(out);
      }
    });
    void exited.then(() => reject(new Error(`kisd sim exited before its banner:\n${out}${tail}`)));
  });
  const restUrl = /REST\s+(http:\/\/\S+)/.exec(banner)?.[1] ?? '';
  const wsUrl = /WebSocket\s+(ws:\/\/\S+)/.exec(banner)?.[1] ?? '';
  const follow = /kisd run --at "([^"]+)" --speed (\S+) --clock-anchor (\d+)/.exec(banner);
  return { child, exited, stderrTail: () => tail, restUrl, wsUrl, followArgs: follow ? ['--at', follow[1]!, '--speed', follow[2]!, '--clock-anchor', follow[3]!] : [] };
}

/** The node flags deploy/kisd.service's ExecStart= runs the daemon with (between node and the script). */
export function unitNodeFlags(): string[] {
  const exec = readServiceUnit(join(packageRoot(), 'deploy', 'kisd.service')).execStart;
  return exec.slice(1).filter((a, i, all) => a.startsWith('--') && all.slice(0, i).every((b) => b.startsWith('--')));
}

/** Polls /healthz every pollMs until it answers 200; resolves with the ms waited. Rejects on exit or timeout. */
export async function waitHealthy(p: DaemonProc, port: number, timeoutMs: number, pollMs = 10): Promise<number> {
  const start = systemClock.monotonicMs();
  let exited = false;
  void p.exited.then(() => (exited = true));
  while (systemClock.monotonicMs() - start < timeoutMs) {
    if (exited) throw new Error(`daemon exited before it was ready:\n${p.stderrTail()}`);
    try {
      const res = await request(`http://127.0.0.1:${port}/healthz`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await res.body.dump();
      if (res.statusCode === 200) return systemClock.monotonicMs() - start;
    } catch {
      // not listening yet
    }
    await systemClock.sleep(pollMs);
  }
  throw new Error(`daemon not ready within ${timeoutMs} ms:\n${p.stderrTail()}`);
}

/** Resident set size of pid in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** SIGTERM (or the given signal) and wait for exit; SIGKILL after killAfterMs. */
export async function stopDaemon(p: DaemonProc, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 30_000): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
  const start = systemClock.monotonicMs();
  if (p.child.exitCode !== null || p.child.signalCode !== null) return { ms: 0, code: p.child.exitCode, signal: p.child.signalCode };
  p.child.kill(signal);
  const timer = systemClock.setTimeout(() => p.child.kill('SIGKILL'), killAfterMs);
  const r = await p.exited;
  systemClock.clearTimeout(timer);
  return { ms: systemClock.monotonicMs() - start, ...r };
}
