// `kisd token status|refresh` against a test-owned simulator: status never issues, refresh issues through the
// shared token file, and a second refresh inside KIS's one-per-minute window says it is waiting (and can be
// cancelled with Ctrl-C without touching the stored token).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/sim/index.js';
import { collect, requireBuild, runCli, spawnCli, startTestSimulator, waitForStdout, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const TOKEN_PATH = '/oauth2/tokenP';

describe('kisd token', () => {
  it('status reports no token without issuing; refresh issues one; status then shows it masked', async () => {
    sim = await startTestSimulator();
    const t = writeTestConfig({ kis: { rest_base_url: sim.restUrl } });
    const tokenFile = join(t.stateDir, 'token.json');

    const before = await runCli(['--config', t.configPath, 'token', 'status']);
    expect(before.code, before.stdout + before.stderr).toBe(1);
    expect(before.stdout).toMatch(/token +none yet/);
    expect(before.stderr).toMatch(/next: run `kisd token refresh`/);
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);

    const refresh = await runCli(['--config', t.configPath, 'token', 'refresh']);
    expect(refresh.stderr).toBe('');
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1);
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as { value: string; expiresAtKst: string; issuedAtKst: string };
    const masked = `${stored.value.slice(0, 4)}…(${stored.value.length} chars)`;
    expect(refresh.stdout).toContain(`OK: new token ${masked}, issued ${stored.issuedAtKst} KST, expires ${stored.expiresAtKst} KST`);
    expect(refresh.stdout).not.toContain(stored.value);

    const after = await runCli(['--config', t.configPath, 'token', 'status']);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toMatch(/^token +valid$/m);
    expect(after.stdout).toContain(`value    ${masked} (Bearer)`);
    expect(after.stdout).toContain(`expires  ${stored.expiresAtKst} KST`);
    expect(after.stdout).toMatch(/left +23 h \d+ min/);
    expect(after.stdout).not.toContain(stored.value);
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1); // status never issues
  });

  it('a second refresh within the minute says it is waiting, and Ctrl-C cancels it cleanly', async () => {
    sim = await startTestSimulator();
    const t = writeTestConfig({ kis: { rest_base_url: sim.restUrl } });
    expect((await runCli(['--config', t.configPath, 'token', 'refresh'])).code).toBe(0);
    const firstValue = (JSON.parse(readFileSync(join(t.stateDir, 'token.json'), 'utf8')) as { value: string }).value;

    const child = spawnCli(['--config', t.configPath, 'token', 'refresh']);
    const done = collect(child);
    const seen = await waitForStdout(child, /asking http:\/\/\S+ for a new access token/);
    expect(seen).toMatch(/waiting (\d+(\.\d+)? s|1 min): KIS allows one token issue per 60 s and the last attempt was at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} KST/);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/kisd: token refresh cancelled; the stored token is unchanged/);
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1);
    expect((JSON.parse(readFileSync(join(t.stateDir, 'token.json'), 'utf8')) as { value: string }).value).toBe(firstValue);
  });

  it('in sim mode without a server URL and no daemon, says how to get a token', async () => {
    const t = writeTestConfig();
    const r = await runCli(['--config', t.configPath, 'token', 'status']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/exist only while `kisd run` runs/);
    expect(r.stderr).toMatch(/next: start the daemon/);
  });
});
