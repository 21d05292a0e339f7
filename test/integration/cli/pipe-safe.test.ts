// `kisd … | head`: when the reader closes the pipe early, a command ends quietly with status 0 — no EPIPE
// stack trace.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, requireBuild, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

describe('pipe-safe output', () => {
  it.each([['config', 'check'], ['--help']])('kisd %s with the reader gone: exit 0, nothing on stderr', async (...args) => {
    const t = writeTestConfig();
    const child = spawn(process.execPath, [CLI, '--config', t.configPath, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // like `| head -0`: the read end is closed before the command writes
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
