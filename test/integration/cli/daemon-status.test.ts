// The daemon.json contract end to end: a real `kisd run` (mode sim, embedded simulator) announces itself, and
// `kisd status` and `kisd token status` find it through <var_dir>/state/daemon.json; after SIGTERM, status
// says it is not running.
import type { ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, requireBuild, runCli, spawnCli, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

let daemon: ChildProcess | undefined;
afterEach(() => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  daemon = undefined;
});

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString('utf8');
      const m = /kisd ready: (health \S+|no health endpoint)/.exec(seen);
      if (m) {
        child.stderr?.off('data', onData);
        resolve(m[0]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('close', (code) => reject(new Error(`kisd run exited (${code}) before it was ready:\n${seen}`)));
  });
}

describe('kisd status with a running daemon', () => {
  it('reads the health of the daemon named in daemon.json, and the token of its embedded simulator', async () => {
    const t = writeTestConfig({ feed: { enabled: false }, scheduler: { enabled: false } });
    daemon = spawnCli(['--config', t.configPath, 'run']);
    const exited = collect(daemon);
    await readyLine(daemon);

    const status = await runCli(['--config', t.configPath, 'status']);
    expect(status.stderr).toBe('');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^pid ${daemon.pid}, health http://127\\.0\\.0\\.1:\\d+`, 'm'));
    expect(status.stdout).toMatch(/^kisd OK at /m);

    const token = await runCli(['--config', t.configPath, 'token', 'status']);
    expect(token.code, token.stdout + token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^token +valid$/m);
    expect(token.stdout).toMatch(/server +http:\/\/127\.0\.0\.1:\d+/);

    daemon.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    const after = await runCli(['--config', t.configPath, 'status']);
    expect(after.code, after.stdout + after.stderr).toBe(1);
    expect(after.stderr).toMatch(/kisd is not running/);
  });

  it('with health.enabled false nothing listens on health.port, and status says so and what to change', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const t = writeTestConfig({ feed: { enabled: false }, scheduler: { enabled: false }, health: { enabled: false, port } });
    daemon = spawnCli(['--config', t.configPath, 'run']);
    const exited = collect(daemon);
    expect(await readyLine(daemon)).toBe('kisd ready: no health endpoint');

    const refused = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve('connected')));
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');

    const status = await runCli(['--config', t.configPath, 'status']);
    expect(status.code, status.stdout + status.stderr).toBe(1);
    expect(status.stdout).toMatch(new RegExp(`^pid ${daemon.pid}, no health endpoint \\(health\\.enabled is false\\)`, 'm'));
    expect(status.stderr).toMatch(/health\.enabled: false/);
    expect(status.stderr).toMatch(/set health\.enabled: true/);

    daemon.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });
});
