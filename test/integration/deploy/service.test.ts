// kisd as its systemd service, without systemd as PID 1: `DESTDIR=<dir> deploy/install.sh` stages the install,
// then the test plays systemd's part from the INSTALLED unit — it runs ExecStart as the unit's unprivileged
// User= (setpriv, which execs, so the daemon is the process systemd would watch), with the unit's
// EnvironmentFile=, Environment=, WorkingDirectory=, StateDirectory=/LogsDirectory= (created with the unit's
// modes) and a NOTIFY_SOCKET it listens on. Every absolute path the installed files name is mapped into the
// staging root. It checks READY=1, WATCHDOG=1 within WatchdogSec/2, STOPPING=1 and exit 0 on SIGTERM, logs
// where the unit says and readable by the operator group, a reinstall over the running tree plus restart that
// recovers the day (phase record kept, token re-read not re-issued), and operator commands run the documented
// way (the installed `kisd`) as the service user and as root seeing the daemon's state and credentials.
//
// Needs root (to create users and switch to them): on a developer machine it is skipped with a notice; in CI
// (root) it runs. The notify socket is served by test/helpers/notify-listener.py (python3 from Debian): Node
// has no AF_UNIX datagram sockets, and systemd-notify's BARRIER=1 needs the passed descriptor closed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseServiceUnit, type ServiceUnit } from '../../../src/cli/service-unit.js';
import { nextTradingDayAt } from '../daemon/daemon-harness.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const isRoot = process.getuid?.() === 0;
const missingTools = ['python3', 'systemd-notify', 'setpriv', 'useradd'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (!isRoot) console.warn('deploy/service test skipped: it must run as root (CI does) to create the service user and switch to it');

const OPERATOR = 'kisdops';
// Fake but well-formed credentials: the embedded simulator registers whatever the service is given.
const CREDS = {
  KISD_APP_KEY: 'PSdeployTESTappKEY0000000000000000001',
  KISD_APP_SECRET: `deployTESTsecret${'x'.repeat(164)}`,
  KISD_ACCOUNT_NO: '73500001-01',
  KISD_HTS_ID: 'kisdci',
};

function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, cwd: opts.cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function ensureUser(name: string, args: string[]): void {
  if (sh('getent', ['passwd', name]).code === 0) return;
  const r = sh('useradd', [...args, name]);
  // Another test run may have created it in the meantime.
  if (r.code !== 0 && sh('getent', ['passwd', name]).code !== 0) throw new Error(`useradd ${name}: ${r.stderr}`);
}

function idOf(name: string, kind: 'u' | 'g'): number {
  return Number(sh('id', [`-${kind}`, name]).stdout.trim());
}

/** A [Service] setting the project parser does not need (StateDirectory=, WatchdogSec=, ...). */
function unitSetting(text: string, key: string): string | undefined {
  const all = [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))];
  return all.length > 0 ? all[all.length - 1]![1]!.trim() : undefined;
}

function seconds(value: string): number {
  const m = /^(\d+)(s|min)?$/.exec(value);
  if (!m) throw new Error(`unexpected duration "${value}" in the unit`);
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1);
}

/** The staging root's copy of an absolute path the installed files name. */
let stage = '';
const staged = (p: string): string => join(stage, p);
/** Rewrites every absolute path under one of `roots` to its staged copy. */
function mapPaths(text: string, roots: readonly string[]): string {
  const alternatives = [...new Set(roots)].sort((x, y) => y.length - x.length).map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // One pass, whole path components only, so a mapped path is never mapped again.
  return text.replace(new RegExp(`(?<![\\w/.-])(${alternatives.join('|')})(?=/|$|[^\\w.-])`, 'gm'), (m) => staged(m));
}

class NotifyListener {
  readonly messages: { t: number; msg: string }[] = [];
  private readonly proc: ChildProcess;
  private waiters: (() => void)[] = [];
  constructor(readonly socketPath: string) {
    this.proc = spawn(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', [join(REPO, 'test/helpers/notify-listener.py'), socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      if (line === 'LISTENING') this.messages.push({ t: 0, msg: 'LISTENING' });
      else this.messages.push(JSON.parse(line) as { t: number; msg: string });
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** Resolves with the index of the first message at or after `from` that has `assignment` on a line. */
  async next(assignment: string, from: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m, j) => j >= from && m.msg.split('\n').includes(assignment));
      if (i >= 0) return i;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${assignment} on the notify socket within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(from))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
  close(): void {
    this.proc.kill('SIGTERM');
  }
}

describe.skipIf(!isRoot)('kisd as its systemd service (staged install, unprivileged user, notify socket)', () => {
  let unitText: string;
  let unit: ServiceUnit;
  let roots: string[];
  let notify: NotifyListener;
  let daemon: ChildProcess | undefined;
  let start: string;

  /** Paths of the installed unit and what systemd derives from it. */
  const installed = () => {
    unitText = readFileSync(staged('/etc/systemd/system/kisd.service'), 'utf8');
    unit = parseServiceUnit(unitText, staged('/etc/systemd/system/kisd.service'));
    const main = unit.execStart.find((a) => a.endsWith('/dist/src/cli/main.js'));
    if (!main || !unit.configFile || !unit.user) throw new Error(`unexpected ExecStart/User in the installed unit:\n${unitText}`);
    const prefix = dirname(dirname(dirname(dirname(main)))); // <prefix>/dist/src/cli/main.js
    const stateDir = join('/var/lib', unitSetting(unitText, 'StateDirectory') ?? '');
    const logsDir = join('/var/log', unitSetting(unitText, 'LogsDirectory') ?? '');
    const envDir = dirname(unit.environmentFiles[0]?.path ?? '');
    roots = [prefix, dirname(unit.configFile), envDir, stateDir, logsDir, '/etc/systemd/system'];
    return { prefix, stateDir, logsDir, user: unit.user, group: unit.group ?? unit.user };
  };

  beforeAll(async () => {
    expect(missingTools, 'tools this test needs (.ci/run installs them)').toEqual([]);
    start = await nextTradingDayAt('06:30:00');
    stage = mkdtempSync(join(tmpdir(), 'kisd-destdir-'));
    chmodSync(stage, 0o755); // the service user must traverse the staging root, as it does /
  });
  afterAll(() => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    notify?.close();
    if (stage) rmSync(stage, { recursive: true, force: true });
  });

  const install = () => {
    const r = sh('bash', [join(REPO, 'deploy/install.sh'), '--from-build'], { env: { ...process.env, DESTDIR: stage } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`staged under ${stage}`);
    return r;
  };

  /** Does, for the staged tree, what a host's packager / systemd does: users, ownership, the unit's directories. */
  const prepareHost = (p: ReturnType<typeof installed>) => {
    ensureUser(p.user, ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin']);
    ensureUser(OPERATOR, ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '-G', p.group]);
    const uid = idOf(p.user, 'u');
    const gid = idOf(p.group, 'g');
    const etc = staged(dirname(unit.configFile!));
    chownSync(etc, 0, gid);
    chownSync(staged(unit.configFile!), 0, gid);
    for (const f of unit.environmentFiles) chownSync(staged(f.path), uid, gid);
    // systemd creates StateDirectory=/LogsDirectory= owned by User=, with their *DirectoryMode=.
    for (const [dir, modeKey] of [[p.stateDir, 'StateDirectoryMode'], [p.logsDir, 'LogsDirectoryMode']] as const) {
      mkdirSync(staged(dir), { recursive: true });
      chownSync(staged(dir), uid, gid);
      chmodSync(staged(dir), Number.parseInt(unitSetting(unitText, modeKey) ?? '0755', 8));
    }
    return { uid, gid };
  };

  /** What systemd would give ExecStart: Environment=, then EnvironmentFile=, then NOTIFY_SOCKET and WATCHDOG_USEC. */
  const serviceEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...unit.environment };
    for (const f of unit.environmentFiles) Object.assign(env, parseEnv(readFileSync(staged(f.path), 'utf8')));
    env['NOTIFY_SOCKET'] = notify.socketPath;
    env['WATCHDOG_USEC'] = String(seconds(unitSetting(unitText, 'WatchdogSec') ?? '0') * 1_000_000);
    return env;
  };

  const startService = (p: ReturnType<typeof installed>): ChildProcess => {
    // The unit's command, its clock started at 06:30 KST on the next KR trading day (time travel, mode sim).
    const argv = [...unit.execStart.map((a) => mapPaths(a, roots)), '--at', start];
    const child = spawn('setpriv', ['--reuid', p.user, '--regid', p.group, '--init-groups', ...argv], {
      env: serviceEnv(),
      cwd: staged(unit.workingDirectory!),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) console.error(`kisd exited ${code}: ${err}`);
    });
    return child;
  };

  /** The installed operator command, its paths mapped into the staging root like the unit's. */
  const operatorCommand = (): string => {
    const wrapper = join(stage, 'kisd-operator');
    writeFileSync(wrapper, mapPaths(readFileSync(staged('/usr/local/bin/kisd'), 'utf8'), roots), { mode: 0o755 });
    return wrapper;
  };
  const kisd = (as: 'root' | string, args: string[]) => {
    const wrapper = operatorCommand();
    // The wrapper reads the unit (KISD_UNIT names another one): the installed unit with its paths mapped.
    const mappedUnit = join(stage, 'kisd-operator.service');
    writeFileSync(mappedUnit, mapPaths(unitText, roots), { mode: 0o644 });
    const env = { PATH: process.env['PATH'], KISD_UNIT: mappedUnit };
    return as === 'root' ? sh(wrapper, args, { env }) : sh('setpriv', ['--reuid', as, '--regid', as, '--init-groups', wrapper, ...args], { env });
  };

  const logLines = (logsDir: string): { msg: string; [k: string]: unknown }[] => {
    const dir = staged(logsDir);
    return readdirSync(dir)
      .filter((f) => /^kisd\.\d+\.log$/.test(f))
      .sort()
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { msg: string });
  };
  /** Waits for a log line matching pred among the lines from index `since` on. */
  const waitForLog = async (logsDir: string, since: number, pred: (l: { msg: string }) => boolean, what: string, timeoutMs = 60_000) => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (existsSync(staged(logsDir)) && logLines(logsDir).slice(since).some(pred)) return;
      await new Promise((r) => setTimeout(r, 100)); // polling a file for a condition, bounded by the deadline
    }
    throw new Error(`no log line for: ${what}`);
  };
  const stopService = async (child: ChildProcess, from: number) => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await notify.next('STOPPING=1', from, 20_000);
    const code = await exited;
    expect(code, 'exit status after SIGTERM').toBe(0);
  };

  it('installs as a staging root, runs as the service user with READY/WATCHDOG/STOPPING, survives a reinstall and restart, and operators see what it sees', async () => {
    // 1. Install into the staging root: tree, unit, config and env templates, operator command.
    install();
    const p = installed();
    expect(existsSync(staged(join(p.prefix, 'dist/src/cli/main.js')))).toBe(true);
    expect(statSync(staged(p.prefix)).mode & 0o777, 'the tree is readable by the service user').toBe(0o755);
    expect(statSync(staged(unit.environmentFiles[0]!.path)).mode & 0o777, 'the secrets file').toBe(0o600);
    const { uid } = prepareHost(p);

    // The operator fills in the credentials and, having no KIS here, edits the config for the simulator; the
    // installed config's paths are mapped into the staging root like the unit's.
    writeFileSync(staged(unit.environmentFiles[0]!.path), Object.entries(CREDS).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const cfg = parseYaml(readFileSync(staged(unit.configFile!), 'utf8')) as { paths: { var_dir: string }; log: { file: string } } & Record<string, unknown>;
    expect(cfg.paths.var_dir, 'the installed config keeps state in the unit\'s StateDirectory=').toBe(p.stateDir);
    expect(dirname(cfg.log.file), 'and logs in its LogsDirectory=').toBe(p.logsDir);
    writeFileSync(
      staged(unit.configFile!),
      stringify({ ...cfg, mode: 'sim', paths: { var_dir: staged(p.stateDir) }, log: { ...cfg.log, file: staged(cfg.log.file) }, health: { port: 0 }, scheduler: { screening_universe_limit: 10 } }),
    );
    const check = kisd('root', ['config', 'check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);

    // 2. Start as the service user; READY=1, then WATCHDOG=1 within WatchdogSec/2.
    const sock = mkdtempSync(join(tmpdir(), 'kisd-notify-'));
    chmodSync(sock, 0o755);
    notify = new NotifyListener(join(sock, 'notify.sock'));
    await notify.next('LISTENING', 0, 10_000);
    daemon = startService(p);
    const ready = await notify.next('READY=1', 0, 90_000);
    const halfWatchdogSec = seconds(unitSetting(unitText, 'WatchdogSec')!) / 2;
    const fed = await notify.next('WATCHDOG=1', ready, halfWatchdogSec * 1000);
    expect(notify.messages[fed]!.t - notify.messages[ready]!.t).toBeLessThanOrEqual(halfWatchdogSec);

    // 3. Logs where the unit says, owned by the service user, readable by the operator group.
    await waitForLog(p.logsDir, 0, (l) => l.msg === 'restart recovery finished', 'restart recovery finished');
    const logDir = staged(p.logsDir);
    const current = join(logDir, 'current.log');
    expect(existsSync(current)).toBe(true);
    expect(statSync(current).uid).toBe(uid);
    const asOperator = sh('setpriv', ['--reuid', OPERATOR, '--regid', p.group, '--init-groups', 'cat', current]);
    expect(asOperator.code, `the operator group reads the log: ${asOperator.stderr}`).toBe(0);
    expect(asOperator.stdout).toContain('kisd ready');

    // 4. Operator commands, the documented way, as the service user and as root: same state, same credentials.
    for (const args of [['status'], ['token', 'status'], ['queue', 'list'], ['risk', 'status']]) {
      const asService = kisd(p.user, args);
      const asRoot = kisd('root', args);
      expect(asService.code, `${args.join(' ')} as ${p.user}: ${asService.stdout}${asService.stderr}`).toBe(0);
      expect(asRoot.code, `${args.join(' ')} as root: ${asRoot.stdout}${asRoot.stderr}`).toBe(0);
      // status has a live clock in it; token status's "left" line can cross a minute between the two runs.
      const stable = (out: string): string => out.replace(/^( +left +).*$/m, '$1…');
      if (args[0] !== 'status') expect(stable(asRoot.stdout)).toBe(stable(asService.stdout));
    }
    expect(kisd('root', ['token', 'status']).stdout).toMatch(/^token +valid$/m); // the daemon's token, with the daemon's key
    const rootOwned = sh('find', [staged(p.stateDir), staged(p.logsDir), '-not', '-user', p.user]).stdout.trim();
    expect(rootOwned, 'files under the state and log directories not owned by the service user').toBe('');

    // 5. Deploy a new version over the running tree, then restart: the day is recovered, the token re-read.
    install();
    const p2 = installed();
    expect(parseYaml(readFileSync(staged(unit.configFile!), 'utf8')).mode, 'the reinstall keeps the edited config').toBe('sim');
    expect(readFileSync(staged(unit.environmentFiles[0]!.path), 'utf8')).toContain(CREDS.KISD_APP_KEY);
    await stopService(daemon, ready);
    const ymd = start.slice(0, 10).replace(/-/g, '');
    const phases = JSON.parse(readFileSync(staged(join(p.stateDir, 'data/phases', `${ymd}.json`)), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(phases)).toContain('screening');
    const before = logLines(p.logsDir).length;
    const from = notify.messages.length;
    daemon = startService(p2);
    const ready2 = await notify.next('READY=1', from, 90_000);
    await waitForLog(p.logsDir, before, (l) => l.msg === 'restart recovery finished', 'second recovery');
    await stopService(daemon, ready2);
    const second = logLines(p.logsDir).slice(before);
    expect(second.some((l) => /^access token re-read from .*token\.json, not re-issued$/.test(l.msg)), 'token re-read on restart').toBe(true);
    expect(second.filter((l) => l.msg === 'access token issued'), 'no token issued on restart').toEqual([]);
    expect(second.some((l) => /^recovery phase=screening decision=done/.test(l.msg)), JSON.stringify(second.filter((l) => /recovery/.test(l.msg)))).toBe(true);
    expect(second.some((l) => /job screening finished/.test(l.msg)), 'screening not run again').toBe(false);
    // No secret of the env file in any log line.
    const all = readdirSync(logDir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
    for (const v of [CREDS.KISD_APP_KEY, CREDS.KISD_APP_SECRET]) expect(all).not.toContain(v);
  }, 240_000);
});
