// `npm start` runs `kisd run --stop-with-parent`: npm exits on SIGTERM without passing it on, so the daemon
// watches its parent and, once orphaned, stops exactly as on SIGTERM (clean stop line, daemon.json removed).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, requireBuild, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

describe('kisd run --stop-with-parent', () => {
  it('stops cleanly when the process that started it dies without passing a signal on', async () => {
    const t = writeTestConfig({ scheduler: { enabled: false }, feed: { enabled: false } });
    // The stand-in for npm: starts the daemon, then is SIGKILLed (npm's own exit on SIGTERM passes nothing on).
    const launcher = `require('node:child_process').spawn(process.execPath, ${JSON.stringify([CLI, '--config', t.configPath, 'run', '--stop-with-parent'])}, { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', launcher], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const ended = new Promise<void>((resolve) => parent.stderr.on('end', () => resolve())); // the daemon holds the pipe too
    await new Promise<void>((resolve) => {
      parent.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/kisd ready: /.test(stderr)) resolve();
      });
    });
    const daemonJson = join(t.stateDir, 'daemon.json');
    expect(existsSync(daemonJson)).toBe(true);
    parent.kill('SIGKILL');
    await ended; // bounded by the test timeout; the daemon checks its parent every second
    const logDir = join(t.varDir, 'log');
    const lines = readdirSync(logDir).filter((f) => /^kisd\.\d+\.log$/.test(f)).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => /has exited: stopping as on SIGTERM$/.test(l.msg))).toBe(true);
    expect(lines.at(-1)?.msg).toMatch(/^kisd stopped cleanly/);
    expect(existsSync(daemonJson)).toBe(false);
  }, 60_000);
});
