// `kisd probe` as an operator runs it: the compiled CLI against the built-in simulator (success after N in a
// row), against a test-owned simulator whose inquire-price always answers HTTP 500 (attempts run out), and one
// that fails twice then recovers (the streak restarts after a failure).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KIS_PATHS } from '../../../src/kis/rest/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { requireBuild, runCli, startTestSimulator, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const attemptLines = (stdout: string): string[] => stdout.split('\n').filter((l) => /attempt +\d+\/\d+/.test(l));

describe('kisd probe', () => {
  it('exits 0 after N consecutive successes, one line per attempt with time and price', async () => {
    const t = writeTestConfig();
    const r = await runCli(['--config', t.configPath, 'probe', '--interval', '0.05', '--successes', '3', '--max-attempts', '10']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = attemptLines(r.stdout);
    expect(lines).toHaveLength(3);
    for (const [i, line] of lines.entries()) {
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}  attempt +${i + 1}/10  OK +price [\\d,]+  \\(${i + 1}/3 in a row`));
    }
    expect(r.stdout).toMatch(/OK: 3 consecutive successes after 3 attempt\(s\)/);
  });

  it('exits 1 when every attempt fails, printing the error code of each and what to do next', async () => {
    sim = await startTestSimulator();
    sim.faults.add({ kind: 'http500', match: { path: KIS_PATHS.inquirePrice } });
    const t = writeTestConfig({ kis: { rest_base_url: sim.restUrl } });
    const r = await runCli(['--config', t.configPath, 'probe', '--interval', '0.05', '--successes', '2', '--max-attempts', '3']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const lines = attemptLines(r.stdout);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/FAIL {2}HTTP 500 EGW00001 .*\(0\/2 in a row/);
    expect(r.stderr).toMatch(/kisd: probe gave up: 3 attempt\(s\) without 2 successes in a row/);
    expect(r.stderr).toMatch(/next: .*wait longer/);
    // One HTTP call per probe attempt: the client's own retries are off for the probe.
    expect(sim.stats.count({ path: KIS_PATHS.inquirePrice })).toBe(3);
  });

  it('restarts the streak after a failure and passes once the server recovers', async () => {
    sim = await startTestSimulator();
    sim.faults.add({ kind: 'http503', match: { path: KIS_PATHS.inquirePrice }, count: 2 });
    sim.faults.add({ kind: 'http500', match: { path: KIS_PATHS.inquirePrice }, count: 1 });
    const t = writeTestConfig({ kis: { rest_base_url: sim.restUrl } });
    const r = await runCli(['--config', t.configPath, 'probe', '--interval', '0.02', '--successes', '2', '--max-attempts', '8', '--symbol', '000660']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const results = attemptLines(r.stdout).map((l) => (l.includes(' OK ') ? 'OK' : l.includes('HTTP 503') ? '503' : l.includes('HTTP 500') ? '500' : '?'));
    expect(results).toEqual(['503', '503', '500', 'OK', 'OK']);
  });

  it('rejects bad options with exit 2 before touching the network', async () => {
    const t = writeTestConfig();
    const bad = await runCli(['--config', t.configPath, 'probe', '--interval', 'soon']);
    expect(bad.code, bad.stdout + bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/--interval.*expected seconds > 0/);
    const badSymbol = await runCli(['--config', t.configPath, 'probe', '--symbol', 'SAMSUNG']);
    expect(badSymbol.code, badSymbol.stdout + badSymbol.stderr).toBe(2);
    expect(badSymbol.stderr).toMatch(/--symbol: invalid domestic code "SAMSUNG"/);
  });
});
