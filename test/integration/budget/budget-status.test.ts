// Issue 11 item 3: `kisd status` shows the key's rate budget per window and the processes sharing it, and the
// daemon's /metrics exports it — with a real `kisd run` and a daemon-like caller on one state dir, both
// talking to a simulator on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/sim/index.js';
import { collect, REPO, requireBuild, runCli, spawnCli, startTestSimulator, writeTestConfig } from '../cli/cli-harness.js';

const CALLER = join(REPO, 'dist/test/helpers/budget-caller.js');

beforeAll(requireBuild);

let sim: Simulator | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sim?.close();
  sim = undefined;
});

/** Resolves with the first match of `pattern` in the child's `stream` output. */
function seen(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString('utf8');
      const m = pattern.exec(text);
      if (m) {
        child[stream]?.off('data', onData);
        resolve(m);
      }
    };
    child[stream]?.on('data', onData);
    child.once('close', (code) => reject(new Error(`exited (${code}) before ${pattern} on ${stream}:\n${text}`)));
  });
}

describe('the shared budget in kisd status and /metrics', () => {
  it('lists the daemon and a caller beside it, with the grants in each window', async () => {
    sim = await startTestSimulator({ rateLimitPerSec: 5 });
    const t = writeTestConfig({ kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl, rate_limits: { real: { per_second: 4 } } }, feed: { enabled: false }, scheduler: { enabled: false } });
    const daemon = spawnCli(['--config', t.configPath, 'run']);
    children.push(daemon);
    const health = new URL((await seen(daemon, 'stderr', /kisd ready: health (\S+)/))[1]!).origin;
    const caller = spawn(process.execPath, [CALLER, t.configPath, '--concurrency', '1'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(caller);
    await seen(caller, 'stdout', /ready/);

    const status = await runCli(['--config', t.configPath, 'status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^REST budget \(app key [0-9a-f]{8}…, .*budget\.db\): 1 s [1-4]\/4 · 1 min \d+\/1100 · 1 h \d+\/66000$/m);
    expect(status.stdout).toMatch(/^ {2}shared by 2 processes:$/m);
    expect(status.stdout).toMatch(new RegExp(`^ {4}pid ${daemon.pid} on .*: kisd run \\(seen \\d+ s ago\\)$`, 'm'));
    expect(status.stdout).toMatch(new RegExp(`^ {4}pid ${caller.pid} on .*: budget-caller \\(seen \\d+ s ago\\)$`, 'm'));

    const metrics = await (await fetch(`${health.replace(/\/+$/, '')}/metrics`)).text();
    expect(metrics).toMatch(/^kisd_rate_budget_processes 2$/m);
    expect(metrics).toMatch(/^kisd_rate_budget_limit\{window="1s"\} 4$/m);
    const used = Number(/^kisd_rate_budget_used\{window="1s"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(4);

    const json = (await (await fetch(`${health.replace(/\/+$/, '')}/status.json`)).json()) as { rest: { source: string; backend: string; sharedWith: { label: string }[] } };
    expect(json.rest.source).toBe('shared');
    expect(json.rest.backend).toBe('local');
    expect(json.rest.sharedWith.map((m) => m.label).sort()).toEqual(['budget-caller', 'kisd run']);

    const exited = collect(caller);
    caller.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  }, 60_000);
});
