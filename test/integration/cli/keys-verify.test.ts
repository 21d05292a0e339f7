// `kisd keys verify`: token, approval key and one cheap call against the configured server. The off-market
// gap rule itself is tested at exact instants in test/unit/cli (pure function and in-process command);
// here the paper-mode runs use --force so they pass at any hour.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { KIS_PATHS } from '../../../src/kis/rest/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { requireBuild, runCli, startTestSimulator, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const c = SIM_CREDENTIALS;
const envFor = (appSecret: string): Record<string, string> => ({ KISD_APP_KEY: c.appKey, KISD_APP_SECRET: appSecret, KISD_ACCOUNT_NO: `${c.cano}-${c.acntPrdtCd}` });

describe('kisd keys verify', () => {
  it('sim mode: verifies against the built-in simulator (no gap rule for simulated keys)', async () => {
    const t = writeTestConfig();
    const r = await runCli(['--config', t.configPath, 'keys', 'verify']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verifying sim credentials .* against the built-in simulator/);
    expect(r.stdout).toMatch(/ token +OK +\S+…\(\d+ chars\) issued .* \(new\)/);
    expect(r.stdout).toMatch(/ approval key +OK /);
    expect(r.stdout).toMatch(/ inquire-price +OK +005930 price [\d,]+/);
    expect(r.stdout).toMatch(/OK: the credentials work/);
  });

  it('paper mode with --force: issues token and approval key on the configured server and makes one call', async () => {
    sim = await startTestSimulator({ flavor: 'paper' });
    const t = writeTestConfig({ mode: 'paper', kis: { rest_base_url: sim.restUrl } });
    const r = await runCli(['--config', t.configPath, 'keys', 'verify', '--force'], { env: envFor(c.appSecret) });
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`against the paper server ${sim.restUrl}`);
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(1);
    expect(sim.stats.count({ path: '/oauth2/Approval' })).toBe(1);
    expect(sim.stats.count({ path: KIS_PATHS.inquirePrice })).toBe(1);
    // Neither the app key nor the secret is ever printed.
    expect(r.stdout).not.toContain(c.appKey);
    expect(r.stdout).not.toContain(c.appSecret);
  });

  it('wrong app secret: each step says FAIL with the broker code, exit 1 with what to check', async () => {
    sim = await startTestSimulator({ flavor: 'paper' });
    const t = writeTestConfig({ mode: 'paper', kis: { rest_base_url: sim.restUrl } });
    const wrong = `${c.appSecret.slice(0, -8)}WRONGKEY`;
    const r = await runCli(['--config', t.configPath, 'keys', 'verify', '--force', '--timeout', '10'], { env: envFor(wrong) });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/ token +FAIL AUTH EGW\d+/);
    expect(r.stdout).toMatch(/ approval key +FAIL /);
    expect(r.stdout).toMatch(/ inquire-price +skipped \(no token\)/);
    expect(r.stderr).toMatch(/kisd: credentials check failed: token, approval key/);
    expect(r.stderr).toMatch(/next: .*wrong app key\/secret/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});
