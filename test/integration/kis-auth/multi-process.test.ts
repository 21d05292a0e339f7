// Several separate Node processes share one state dir and start at the same instant: exactly one tokenP
// call reaches the server and every process ends up with the same token (seed 001 §4.3, seed 004 §2.2).
// The workers run the compiled JS in dist/ (`npm run build` runs first via pretest).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { createTokenManager } from '../../../src/kis/auth/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const WORKER = join(repo, 'test/fixtures/kis-auth/token-worker.mjs');
const APP_KEY = 'PSmultiProcessAppKey01';
const APP_SECRET = 'multiProcessSecret==0123456789';
const WORKERS = 6;

interface WorkerResult {
  pid: number;
  first: string;
  value: string;
  expiresAtEpochMs: number;
}

let sim: Simulator;
let stateDir: string;

beforeAll(() => {
  if (!existsSync(join(repo, 'dist/src/kis/auth/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (the npm test script does it via pretest)');
  }
});

beforeEach(async () => {
  // 1 s issue spacing on both sides so the rejection scenario does not wait a real minute.
  sim = await createSimulator({
    clock: systemClock,
    apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, accountNo: '50000002-01', htsId: 'multiproc' }],
    tokenIssueMinIntervalSec: 1,
  });
  // Slow tokenP replies (300 ms) so an issue is still in flight while the other processes arrive.
  sim.faults.add({ kind: 'hang', match: { path: '/oauth2/tokenP' }, delayMs: 300 });
  stateDir = await mkdtemp(join(tmpdir(), 'kisd-auth-mp-'));
});

afterEach(async () => {
  await sim.close();
  await rm(stateDir, { recursive: true, force: true });
});

function startWorker(env: Record<string, string>): { child: ChildProcess; ready: Promise<void>; holding: Promise<void>; result: Promise<{ code: number | null; out: WorkerResult | undefined; err: string }> } {
  const child = spawn(process.execPath, [WORKER], {
    cwd: repo,
    env: { ...process.env, KISD_BASE_URL: sim.restUrl, KISD_STATE_DIR: stateDir, KISD_APP_KEY: APP_KEY, KISD_APP_SECRET: APP_SECRET, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  let out: WorkerResult | undefined;
  let markReady!: () => void;
  let markHolding!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const holding = new Promise<void>((r) => (markHolding = r));
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line === 'holding') markHolding();
    else if (line.startsWith('{')) out = JSON.parse(line) as WorkerResult;
  });
  const result = new Promise<{ code: number | null; out: WorkerResult | undefined; err: string }>((resolveResult) => {
    child.on('exit', (code) => {
      markReady(); // a worker that died before a barrier must not hang it
      markHolding();
      resolveResult({ code, out, err });
    });
  });
  return { child, ready, holding, result };
}

async function runAll(env: Record<string, string>): Promise<WorkerResult[]> {
  const workers = Array.from({ length: WORKERS }, () => startWorker(env));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin?.write('go\n'); // the barrier: all start together
  if (env.KISD_WORKER_MODE === 'reject') {
    await Promise.all(workers.map((w) => w.holding));
    for (const w of workers) w.child.stdin?.write('reject\n'); // KIS refuses the token in every process at once
  }
  const results = await Promise.all(workers.map((w) => w.result));
  for (const r of results) expect(r.code, r.err).toBe(0);
  return results.map((r) => r.out!);
}

describe('token manager across processes', () => {
  it(`${WORKERS} processes starting at once: one tokenP call, one shared token`, async () => {
    const out = await runAll({ KISD_MIN_ISSUE_INTERVAL_SEC: '1' });
    expect(out).toHaveLength(WORKERS);
    expect(new Set(out.map((o) => o.pid)).size).toBe(WORKERS);
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(1);
    const issued = sim.auth.currentToken(APP_KEY);
    expect(issued).toBeDefined();
    for (const o of out) expect(o.value).toBe(issued);
  });

  it(`${WORKERS} processes rejecting the same token at once: one new issue, all adopt it`, async () => {
    // Seed the state dir with a token as an earlier kisd process would have.
    const seed = createTokenManager({
      clock: systemClock,
      log: pino({ level: 'silent' }),
      baseUrl: sim.restUrl,
      credentials: { appKey: APP_KEY, appSecret: APP_SECRET },
      stateDir,
      minIssueIntervalSec: 1,
    });
    const old = await seed.getAccessToken();
    await seed.close();
    // KIS revokes it behind everyone's back (otherwise tokenP would re-serve it within 6 h).
    sim.auth.revokeAllTokens();
    const out = await runAll({ KISD_WORKER_MODE: 'reject', KISD_MIN_ISSUE_INTERVAL_SEC: '1' });
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(2);
    expect(sim.stats.count({ msgCd: 'EGW00133' })).toBe(0);
    const fresh = out[0]?.value;
    expect(fresh).not.toBe(old.value);
    expect(fresh).toBe(sim.auth.currentToken(APP_KEY));
    for (const o of out) {
      expect(o.first).toBe(old.value);
      expect(o.value).toBe(fresh);
    }
  });
});
