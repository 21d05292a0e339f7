// `kisd keys verify` in-process with a fake clock: outside the off-market gaps a real/paper config is refused
// before anything is opened (exit 1, next gap named); inside a gap, or with --force, it goes on to load the
// credentials (here absent, so it stops there with the config exit code 2 — proving no network was needed).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, reportFailure } from '../../../src/cli/program.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

beforeAll(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('KISD_')) delete process.env[k];
});

function paperConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kisd-keys-'));
  const file = join(dir, 'kisd.yaml');
  writeFileSync(file, `mode: paper\npaths:\n  var_dir: ${join(dir, 'var')}\nlog:\n  console: off\n`);
  return file;
}

async function run(kstNow: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = { write: (s: string) => (out += s) };
  const stderr = { write: (s: string) => (err += s) };
  const program = await buildProgram({ clock: createFakeClock(kstNow), stdout, stderr, env: {} });
  try {
    await program.parseAsync(['node', 'kisd', '--config', paperConfig(), 'keys', 'verify', ...args]);
    return { code: 0, out, err };
  } catch (e) {
    return { code: reportFailure(e, stderr), out, err };
  }
}

describe('kisd keys verify (gap rule)', () => {
  it('refuses during KR market hours and says when the evening gap opens', async () => {
    const r = await run('2026-11-23 10:15:00', []);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('kisd: not verifying: it is 2026-11-23 10:15:00 KST');
    expect(r.err).toContain('The next gap (evening) opens at 2026-11-23 17:00:00 KST, in 6 h 45 min.');
    expect(r.err).toContain('next: run it again in a gap, or add --force');
  });

  it('refuses during US market hours and names tomorrow morning', async () => {
    const r = await run('2026-11-23 23:40:00', []);
    expect(r.code).toBe(1);
    expect(r.err).toContain('The next gap (morning) opens at 2026-11-24 06:00:00 KST, in 6 h 20 min.');
  });

  it('inside a gap it proceeds to the credentials', async () => {
    const r = await run('2026-11-23 06:30:00', []);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('not verifying');
    expect(r.err).toMatch(/mode "paper" needs KIS credentials/);
  });

  it('--force skips the gap rule', async () => {
    const r = await run('2026-11-23 10:15:00', ['--force']);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('not verifying');
    expect(r.err).toMatch(/mode "paper" needs KIS credentials/);
  });
});
