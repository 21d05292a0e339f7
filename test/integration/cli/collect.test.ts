// `kisd collect` end to end with the compiled CLI and the built-in simulator: a small symbols file is
// collected into SQLite (summary on stdout, progress on stderr), a re-run resumes as "already collected",
// a symbol the server rejects is listed with the CSV and queue it went to, and bad input exits 2.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/sim/index.js';
import { createDartSimulator } from '../../../src/sim/dart/index.js';
import { DART_SIM_API_KEY } from '../../../src/dart/index.js';
import { systemClock } from '../../../src/core/clock.js';
import { openStore } from '../../../src/store/index.js';
import { requireBuild, runCli, startTestSimulator, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function symbolsFile(dir: string, text: string): string {
  const path = join(dir, 'symbols.txt');
  writeFileSync(path, text);
  return path;
}

describe('kisd collect', () => {
  it('collects a small symbols file into the store, then says it is already done today', async () => {
    const t = writeTestConfig();
    const file = symbolsFile(t.dir, '005930\n000660  # SK hynix\n035420\n');
    const r = await runCli(['--config', t.configPath, 'collect', 'quotes', '--symbols', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/collecting quotes for 3 symbol\(s\) from .*symbols\.txt via the built-in simulator/);
    expect(r.stdout).toMatch(/quotes \d{4}-\d{2}-\d{2}: 3\/3 collected, 0 without data, 0 skipped after retries; 3 rows saved/);
    expect(r.stdout).toMatch(/OK: every symbol collected/);
    expect(r.stderr).toMatch(/quotes 3\/3 \(100\.0%\)/); // progress goes to stderr
    const store = openStore({ dataDir: t.dataDir });
    try {
      const symbols = (store.db.prepare('SELECT symbol FROM quotes ORDER BY symbol').pluck().all() as string[]);
      expect(symbols).toEqual(['000660', '005930', '035420']);
    } finally {
      store.close();
    }

    const again = await runCli(['--config', t.configPath, 'collect', 'quotes', '--symbols', file]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already collected today .*nothing fetched\. Add --restart/);
    const restart = await runCli(['--config', t.configPath, 'collect', 'quotes', '--symbols', file, '--restart']);
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/3\/3 collected/);
  });

  it('daily-bars with a date range stores bars for each symbol', async () => {
    const t = writeTestConfig();
    const file = symbolsFile(t.dir, '005930,000660');
    const r = await runCli(['--config', t.configPath, 'collect', 'daily-bars', '--symbols', file, '--from', '20261116', '--to', '20261120']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/daily_bars .*: 2\/2 collected/);
    const store = openStore({ dataDir: t.dataDir });
    try {
      const rows = store.db.prepare('SELECT symbol, COUNT(*) AS n, MIN(date) AS lo, MAX(date) AS hi FROM daily_bars GROUP BY symbol ORDER BY symbol').all() as { symbol: string; n: number; lo: string; hi: string }[];
      expect(rows.map((x) => x.symbol)).toEqual(['000660', '005930']);
      for (const row of rows) {
        expect(row.n).toBe(5); // Mon 16th .. Fri 20th November 2026
        expect([row.lo, row.hi]).toEqual(['20261116', '20261120']);
      }
    } finally {
      store.close();
    }
  });

  it('a code KIS refuses as invalid input (OPSQ2001) is reported with where it was written, never queued, exit 1', async () => {
    const t = writeTestConfig();
    const file = symbolsFile(t.dir, '005930\n999990\n'); // well-formed, but not listed on the simulated exchange
    const r = await runCli(['--config', t.configPath, 'collect', 'quotes', '--symbols', file, '--final-pass-delay', '0.01']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/1\/2 collected, 0 without data, 1 skipped after retries/);
    expect(r.stdout).toMatch(/refused by KIS as invalid input, not retried or queued: 999990/);
    const csv = join(t.dataDir, 'csv', 'failed_codes_quotes.csv');
    expect(r.stdout).toContain(`written to ${csv}`);
    expect(readFileSync(csv, 'utf8')).toMatch(/\r\n[\d-]+,999990,invalid-input,/);
    expect(r.stderr).toMatch(/kisd: 1 symbol\(s\) refused by KIS as invalid input\n {2}next: .*Q prefix/);
    const store = openStore({ dataDir: t.dataDir });
    try {
      expect(store.recoveryQueue.list()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('bad input exits 2 and names the problem', async () => {
    const t = writeTestConfig();
    const unknown = await runCli(['--config', t.configPath, 'collect', 'prices']);
    expect(unknown.code, unknown.stdout + unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/unknown dataset "prices"; choose one of quotes, daily-bars, investor-flows, us-quotes/);
    const bad = await runCli(['--config', t.configPath, 'collect', 'quotes', '--symbols', symbolsFile(t.dir, '005930\nSAMSUNG\n')]);
    expect(bad.code, bad.stdout + bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/symbols\.txt:2: "SAMSUNG": not a domestic code/);
    const missing = await runCli(['--config', t.configPath, 'collect', 'quotes', '--symbols', join(t.dir, 'nope.txt')]);
    expect(missing.code, missing.stdout + missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/cannot read symbols file .*nope\.txt \(ENOENT\)/);
    expect(existsSync(join(t.dataDir, 'kisd.sqlite'))).toBe(false); // refused before opening anything
  });

  // Issue 13 item 4: a reply without `output` was "no data" and the run printed "OK: every symbol collected".
  it('an investor-flows reply without output is retried, not "no data"; the summary counts every request sent', async () => {
    sim = await startTestSimulator();
    const t = writeTestConfig({ kis: { rest_base_url: sim.restUrl } });
    sim.faults.add({ kind: 'noOutput', match: { trId: 'FHKST01010900' }, count: 1 });
    const r = await runCli(['--config', t.configPath, 'collect', 'investor-flows', '--symbols', symbolsFile(t.dir, '005930\n000660\n')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sim.stats.count({ trId: 'FHKST01010900', fault: 'noOutput' })).toBe(1);
    expect(r.stdout).toMatch(/investor_flows .*: 2\/2 collected, 0 without data, 0 skipped after retries; \d+ rows saved/);
    const sent = sim.stats.count({ trId: 'FHKST01010900' });
    expect(sent).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`\n  ${sent} requests in `));
    expect(r.stdout).toMatch(/OK: every symbol collected/);
  });

  it('a run that saved no row is not "OK" (daily bars over a weekend): exit 1 with what to check', async () => {
    const t = writeTestConfig();
    const r = await runCli(['--config', t.configPath, 'collect', 'daily-bars', '--symbols', symbolsFile(t.dir, '005930\n'), '--from', '20261121', '--to', '20261122']);
    expect(r.stdout).toMatch(/0\/1 collected, 1 without data, 0 skipped after retries; 0 rows saved/);
    expect(r.stdout).not.toMatch(/OK/);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/kisd: no rows saved: all 1 symbol\(s\) answered "no data"\n {2}next: .*--from\/--to/);
  });

  it('disclosures from the DART simulator in sim mode; without dart.enabled it says what to set (exit 2)', async () => {
    const t = writeTestConfig({ dart: { enabled: true } });
    const file = symbolsFile(t.dir, '005930\n000660\n035420\n');
    const r = await runCli(['--config', t.configPath, 'collect', 'disclosures', '--symbols', file, '--from', '20261101', '--to', '20261130']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/collecting dart_disclosures for 3 symbol\(s\) from .* via the built-in DART simulator \(http:\/\/127\.0\.0\.1:\d+\)/);
    expect(r.stdout).toMatch(/dart_disclosures .*: \d\/3 collected, \d without data, 0 skipped after retries; (\d+) rows saved/);
    const saved = Number(/; (\d+) rows saved/.exec(r.stdout)?.[1]);
    const store = openStore({ dataDir: t.dataDir });
    try {
      expect(store.dart.counts().disclosures).toBe(saved);
    } finally {
      store.close();
    }
    const off = writeTestConfig();
    const refused = await runCli(['--config', off.configPath, 'collect', 'financials', '--symbols', file]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/kisd: financials comes from OpenDART, which is off in .*kisd\.yaml\n {2}next: set dart\.enabled: true/);
  });

  it('a DART key the server refuses stops the run with what to do, never printing the key', async () => {
    const dart = await createDartSimulator({ clock: systemClock, keys: [{ key: DART_SIM_API_KEY }] });
    try {
      const t = writeTestConfig({ dart: { enabled: true, base_url: dart.url } });
      const wrongKey = 'kisdWrongKey0000000000000000000000000077';
      const r = await runCli(['--config', t.configPath, 'collect', 'disclosures', '--symbols', symbolsFile(t.dir, '005930\n000660\n')], { env: { KISD_DART_API_KEY: wrongKey } });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/kisd: collection stopped: OpenDART \/api\/corpCode\.xml: status 010 .*check KISD_DART_API_KEY/);
      expect(r.stderr).toMatch(/next: fix that, then run the same command again to resume/);
      expect(r.stdout + r.stderr).not.toContain(wrongKey);
    } finally {
      await dart.close();
    }
  });
});
