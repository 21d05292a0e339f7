// Runs the real compiled `kisd run` as a child process against a simulator owned by the test (so the test
// can revoke tokens and count calls), and turns its JSON log lines into awaitable events.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { systemClock, offsetClock, type Clock } from '../../../src/core/clock.js';
import { kstDateTime, kstInstant } from '../../../src/core/kst.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { attachSimWebSocketTo } from '../../../src/sim/ws/index.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../..');
export const CLI = join(REPO, 'dist/src/cli/main.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it via pretest)');
}

export async function startTestSimulator(clock: Clock = systemClock): Promise<Simulator> {
  const c = SIM_CREDENTIALS;
  const sim = await createSimulator({
    clock,
    apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }],
    // Another process must be able to get a *different* token at once (the test plays that process).
    tokenIssueMinIntervalSec: 0,
    tokenReuseWindowSec: 0,
  });
  attachSimWebSocketTo(sim, { tickRecordsPerSec: 20, marketHoursOnly: false });
  return sim;
}

/**
 * "YYYY-MM-DD HH:MM:SS" (KST) at `time` on the next KR trading day of the simulator's calendar, from today.
 * Process tests run the daemon and the simulator on a wall clock shifted there (`kisd run --at` and
 * offsetClock), so what they see does not depend on the weekday or hour CI happens to run at.
 */
export async function nextTradingDayAt(time: string): Promise<string> {
  const probe = await startTestSimulator();
  try {
    let day = kstDateTime(systemClock.nowMs()).startOf('day');
    while (!probe.market.krCalendar.isTradingDay(Number(day.toFormat('yyyyMMdd')))) day = day.plus({ days: 1 });
    return `${day.toISODate()} ${time}`;
  } finally {
    await probe.close();
  }
}

/** A simulator whose wall clock starts at `start` (KST), for a daemon started with `--at start`. */
export function startShiftedSimulator(start: string): Promise<Simulator> {
  return startTestSimulator(offsetClock(systemClock, kstInstant(start) - systemClock.nowMs()));
}

export function writeTestConfig(sim: Simulator, extra: Record<string, unknown> = {}): { dir: string; configPath: string; varDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kisd-daemon-'));
  const varDir = join(dir, 'var');
  const config = {
    mode: 'sim',
    paths: { var_dir: varDir },
    kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl },
    log: { level: 'info', console: 'json' },
    health: { port: 0 },
    feed: { tick_log_interval_sec: 1 },
    // Real wall clock: without this the phases due at whatever hour CI runs would start. Tests that want
    // the scheduler enable it with a shifted clock.
    scheduler: { enabled: false },
    ...extra,
  };
  const configPath = join(dir, 'kisd.yaml');
  writeFileSync(configPath, stringify(config));
  return { dir, configPath, varDir };
}

export interface LogLine {
  level: number;
  msg: string;
  component?: string;
  [k: string]: unknown;
}

/** Every daemon a test started; killDaemons() ends those still alive (a timed-out test skips its finally). */
const live = new Set<ChildProcess>();

export function killDaemons(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

export class DaemonProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `at` (KST "YYYY-MM-DD HH:MM:SS") starts the daemon's clock there: `kisd run --at`. */
  constructor(configPath: string, env: Record<string, string> = {}, opts: { at?: string; speed?: number } = {}) {
    const travel = [...(opts.at ? ['--at', opts.at] : []), ...(opts.speed ? ['--speed', String(opts.speed)] : [])];
    this.child = spawn(process.execPath, [CLI, 'run', '--config', configPath, ...travel], {
      cwd: REPO,
      env: { ...process.env, KISD_APP_KEY: '', KISD_APP_SECRET: '', KISD_ACCOUNT_NO: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    createInterface({ input: this.child.stderr! }).on('line', (t) => this.stderr.push(t));
    live.add(this.child);
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => res({ code, signal })));
  }

  /** Resolves with the first log line (past or future) matching pred; rejects if the process exits first. */
  waitFor(pred: (l: LogLine) => boolean, what: string): Promise<LogLine> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveLine, reject) => {
      this.waiters.push({ pred, resolve: resolveLine });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`kisd exited (code ${code}, signal ${signal}) before: ${what}\nstderr:\n${this.stderr.join('\n')}`)),
      );
    });
  }

  ready(): Promise<LogLine> {
    return this.waitFor((l) => l.msg.startsWith('kisd ready'), 'kisd ready');
  }
}
