// `kisd status` against daemon.json and a health endpoint the test serves (no daemon, stale pid, ready,
// not ready), and `kisd config check` with good and bad files.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, runCli, writeTestConfig, type TestDirs } from './cli-harness.js';

beforeAll(requireBuild);

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function healthServer(status: number, body: unknown): Promise<string> {
  server = createServer((req, res) => {
    if (req.url !== '/healthz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function writeDaemonJson(t: TestDirs, pid: number, healthUrl: string): void {
  mkdirSync(t.stateDir, { recursive: true });
  writeFileSync(join(t.stateDir, 'daemon.json'), JSON.stringify({ pid, healthUrl, restUrl: 'http://127.0.0.1:1', startedAt: '2026-11-23T00:00:00.000Z' }));
}

const HEALTH = {
  status: 'ok',
  ready: true,
  now: '2026-11-23 10:00:00',
  uptimeSec: 3_720,
  token: { valid: true, remainingSec: 80_000, expiresAt: '2026-11-24 08:00:00' },
  feed: { market: 'KR', state: 'streaming', subscriptions: 5, lastTickAt: '2026-11-23 09:59:59' },
  lastPhase: { phase: 'selection', outcome: 'completed', at: '2026-11-23 08:50:00' },
  queueDepth: 2,
};

describe('kisd status', () => {
  it('no daemon: says so and how to start it, exit 1', async () => {
    const t = writeTestConfig();
    const r = await runCli(['--config', t.configPath, 'status']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/kisd: kisd is not running \(no .*daemon\.json\)\n {2}next: start it with `kisd run`/);
  });

  it('stale daemon.json (the pid is gone): not running, exit 1', async () => {
    const t = writeTestConfig();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeDaemonJson(t, gone, 'http://127.0.0.1:1');
    const r = await runCli(['--config', t.configPath, 'status']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`kisd is not running: pid ${gone} from .*daemon\\.json \\(started 2026-11-23 09:00:00 KST\\) no longer exists`));
    expect(r.stderr).toMatch(/the log \(.*\/log\/current\.log\) shows why it stopped/);
  });

  it('running and ready: prints the formatted health, exit 0', async () => {
    const t = writeTestConfig();
    writeDaemonJson(t, process.pid, `${await healthServer(200, HEALTH)}/`);
    const r = await runCli(['--config', t.configPath, 'status']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`pid ${process.pid}, health http://127.0.0.1:`);
    expect(r.stdout).toContain('kisd OK at 2026-11-23 10:00:00 KST, up 1h 2m');
    expect(r.stdout).toMatch(/token +valid, 22h 13m left \(expires 2026-11-24 08:00:00 KST\)/);
    expect(r.stdout).toMatch(/feed +KR streaming, 5 subscriptions/);
    expect(r.stdout).toMatch(/queue +2 waiting/);
  });

  it('running but not ready (503): prints the health, then fails with exit 1', async () => {
    const t = writeTestConfig();
    writeDaemonJson(t, process.pid, await healthServer(503, { ...HEALTH, status: 'degraded', ready: false, token: { valid: false } }));
    const r = await runCli(['--config', t.configPath, 'status']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('kisd DEGRADED');
    expect(r.stdout).toMatch(/token +INVALID/);
    expect(r.stderr).toMatch(/the daemon reports not ready \(HTTP 503\)/);
  });

  it('running but the health endpoint does not answer: says what to check, exit 1', async () => {
    const t = writeTestConfig();
    const url = await healthServer(200, HEALTH);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    writeDaemonJson(t, process.pid, url);
    const r = await runCli(['--config', t.configPath, 'status']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`is running but ${url}/healthz does not answer \\(ECONNREFUSED\\)\\n {2}next: it may still be starting; check the log`));
  });
});

describe('kisd config check', () => {
  it('a good file: prints the compiled config, exit 0', async () => {
    const t = writeTestConfig();
    const r = await runCli(['config', 'check', t.configPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`# ${t.configPath}: OK (kisd run would start with this config and these credentials)`);
  });

  it('a bad file: exit 2, every problem named by field path', async () => {
    const t = writeTestConfig();
    const bad = join(t.dir, 'bad.yaml');
    writeFileSync(bad, 'mode: live\nkis:\n  http:\n    max_retries: 99\nfeed:\n  kr_opn: "08:30"\n');
    const r = await runCli(['config', 'check', bad]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}: mode:`);
    expect(r.stderr).toMatch(/kis\.http\.max_retries: .*\(got 99\)/);
    expect(r.stderr).toMatch(/feed: unknown key "kr_opn"/);
    expect(r.stderr).toMatch(/next: every setting with its default and accepted values is in config\/kisd.example.yaml/);
  });

  it('a bad config also stops any other command with exit 2', async () => {
    const t = writeTestConfig();
    const bad = join(t.dir, 'bad.yaml');
    writeFileSync(bad, 'paths:\n  var_dir: ""\n');
    const r = await runCli(['--config', bad, 'queue', 'list']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/paths\.var_dir/);
    const missing = await runCli(['--config', join(t.dir, 'nope.yaml'), 'probe']);
    expect(missing.code, missing.stdout + missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/cannot read config file \(ENOENT\)/);
  });
});
