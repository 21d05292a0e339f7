// `kisd config check` and `kisd run` agree on every config in the table: check exits 0 exactly when run
// starts (run is then stopped with SIGTERM), and when run refuses, both exit 2 naming the same setting
// the user wrote — never an internal name. Both run as real processes of the built CLI.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { systemClock } from '../../../src/core/clock.js';
import { CLI, REPO, requireBuild, runCli, writeTestConfig } from './cli-harness.js';

const PAPER_CREDS = { KISD_APP_KEY: 'PSpaperTESTappKEY00000000000000000001', KISD_APP_SECRET: `paperTESTsecret${'y'.repeat(165)}`, KISD_ACCOUNT_NO: '50100001-01' };

let paperSim: Simulator;
beforeAll(async () => {
  requireBuild();
  paperSim = await createSimulator({
    clock: systemClock,
    flavor: 'paper',
    apps: [{ appKey: PAPER_CREDS.KISD_APP_KEY, appSecret: PAPER_CREDS.KISD_APP_SECRET, accountNo: PAPER_CREDS.KISD_ACCOUNT_NO, htsId: '' }],
    rateLimitPerSec: 0,
  });
});
afterAll(async () => {
  await paperSim?.close();
});

interface Row {
  name: string;
  config: () => Record<string, unknown> | string;
  env?: Record<string, string>;
  /** undefined: both accept; otherwise the text both must name. */
  refusedNaming?: RegExp;
}

// Every row runs without the scheduler's phases (they would start at whatever hour CI runs) unless it sets them.
const base = { scheduler: { enabled: false }, feed: { enabled: false } };
const ROWS: Row[] = [
  { name: 'the demo (sim, built-in simulator)', config: () => ({ ...base }) },
  { name: 'paper with credentials, pointed at a simulator', config: () => ({ ...base, mode: 'paper', kis: { rest_base_url: paperSim.restUrl, ws_url: paperSim.wsUrl } }), env: PAPER_CREDS },
  { name: 'paper without credentials', config: () => ({ ...base, mode: 'paper' }), refusedNaming: /mode "paper" needs KIS credentials/ },
  { name: 'paper with half the credentials', config: () => ({ ...base, mode: 'paper' }), env: { KISD_APP_KEY: PAPER_CREDS.KISD_APP_KEY }, refusedNaming: /KISD_APP_SECRET, KISD_ACCOUNT_NO not set/ },
  { name: 'the KR feed opening at midnight (out of order)', config: () => ({ ...base, feed: { enabled: false, kr_open: '00:00' } }), refusedNaming: /feed\.kr_open: must not be earlier than scheduler\.selection_from/ },
  { name: 'trading ends before it starts', config: () => ({ ...base, scheduler: { enabled: false, trading_from: '10:00', trading_until: '09:30' } }), refusedNaming: /scheduler\.trading_until: must be later than scheduler\.trading_from/ },
  { name: 'market close before the session ends', config: () => ({ ...base, scheduler: { enabled: false, market_close_at: '08:00' } }), refusedNaming: /scheduler\.market_close_at: must not be earlier than scheduler\.trading_from/ },
  { name: 'an unknown strategy', config: () => ({ ...base, trading: { strategies: [{ kind: 'moonshot' }] } }), refusedNaming: /trading\.strategies\.0: unknown strategy "moonshot"/ },
  { name: 'a strategy parameter out of range', config: () => ({ ...base, trading: { strategies: [{ kind: 'opening-range-breakout', params: { stopLossPct: -1 } }] } }), refusedNaming: /trading\.strategies\.0: strategy opening-range-breakout: stopLossPct/ },
  { name: 'e-mail alerts without SMTP settings', config: () => ({ ...base, alerts: { email_enabled: true } }), refusedNaming: /alerts\.email_enabled is true but KISD_SMTP_HOST/ },
  { name: 'an order cap above the position cap', config: () => ({ ...base, trading: { risk: { max_order_value_krw: 20_000_000 } } }), refusedNaming: /trading\.risk\.max_order_value_krw: must not exceed/ },
  { name: 'a YAML syntax error', config: () => 'mode: sim\nfeed:\n  kr_open: "08:30"\n bad: [\n', refusedNaming: /line 4, column 1: not valid YAML: .*[^:]$/m },
  { name: 'an unknown key', config: () => ({ ...base, feed: { enabled: false, kr_opn: '08:30' } }), refusedNaming: /feed: unknown key "kr_opn"/ },
];

/** `kisd run`: 'started' once it says it is ready (then SIGTERM, which must exit 0), else its exit and stderr. */
function run(configPath: string, env: Record<string, string>): Promise<{ started: boolean; code: number | null; stderr: string }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KISD_')) clean[k] = v;
  const child = spawn(process.execPath, [CLI, '--config', configPath, 'run'], { cwd: REPO, env: { ...clean, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let started = false;
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!started && /^kisd ready: /m.test(stderr)) {
      started = true;
      child.kill('SIGTERM');
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ started, code, stderr })));
}

describe('kisd config check agrees with kisd run', () => {
  it.each(ROWS)('$name', async (row) => {
    const t = writeTestConfig();
    const config = row.config();
    writeFileSync(t.configPath, typeof config === 'string' ? config : stringify({ paths: { var_dir: t.varDir }, log: { console: 'off' }, health: { port: 0 }, ...config }));
    const env = row.env ?? {};
    const [check, daemon] = await Promise.all([runCli(['config', 'check', t.configPath], { env }), run(t.configPath, env)]);
    if (row.refusedNaming === undefined) {
      expect(check.code, check.stderr).toBe(0);
      expect(daemon.started, daemon.stderr).toBe(true);
      expect(daemon.code, `run stopped by SIGTERM: ${daemon.stderr}`).toBe(0);
      return;
    }
    expect(daemon.started, 'run must refuse this config').toBe(false);
    expect(check.code, `config check: ${check.stdout}${check.stderr}`).toBe(2);
    expect(daemon.code, `run: ${daemon.stderr}`).toBe(2);
    expect(check.stderr).toMatch(row.refusedNaming);
    expect(daemon.stderr).toMatch(row.refusedNaming);
    // The same problem lines, word for word, and no internal names.
    expect(daemon.stderr).toBe(check.stderr);
    expect(check.stderr).not.toMatch(/phases\.|lateStartUntil|endsAt|maxOrderValueKrw/);
  });
});
