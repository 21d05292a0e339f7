// SIGTERM while `kisd run` waits out KIS's one-token-per-minute rule at start-up: the wait ends at once and
// the daemon exits 0 (it used to sit out the whole minute before even looking at the signal).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, requireBuild, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

describe('kisd run: every wait ends on a stop signal', () => {
  it('SIGTERM during the token pacing wait: exit 0 long before the minute is over', async () => {
    const t = writeTestConfig({ scheduler: { enabled: false }, feed: { enabled: false }, log: { console: 'json' } });
    // Another process (or the previous start) asked for a token a moment ago: the next issue must wait ~60 s.
    mkdirSync(t.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(t.stateDir, 'token.last-issue.json'), JSON.stringify({ lastAttemptEpochMs: Date.now(), lastAttemptKst: 'now' }), { mode: 0o600 });
    const child = spawn(process.execPath, [CLI, '--config', t.configPath, 'run'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const lines: { msg: string; waitMs?: number }[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (text) => {
        try {
          const l = JSON.parse(text) as { msg: string; waitMs?: number };
          lines.push(l);
          if (l.msg.startsWith('waiting before issuing an access token')) resolve();
        } catch {
          // not a log line
        }
      });
    });
    expect(lines.at(-1)?.waitMs).toBeGreaterThan(30_000);
    child.kill('SIGTERM');
    // The test's timeout (15 s) is far below the 60 s wait: an ignored signal fails it.
    expect(await exited).toBe(0);
    expect(lines.some((l) => /SIGTERM during start-up: stopped before kisd was ready/.test(l.msg))).toBe(true);
  }, 15_000);
});
