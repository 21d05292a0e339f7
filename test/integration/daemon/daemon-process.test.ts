// The real `kisd run` process against the simulator: graceful SIGTERM with no lost log line, a token
// replaced by another process → broker re-initialisation, SIGKILL in the middle of phase 2 → the next start
// finishes the batches without redoing the finished ones, and no secret in any log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock, offsetClock } from '../../../src/core/clock.js';
import { kstInstant } from '../../../src/core/kst.js';
import { createTokenManager } from '../../../src/kis/auth/index.js';
import { screeningFilePath } from '../../../src/trade/screening/index.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import type { Simulator } from '../../../src/sim/index.js';
import { DaemonProcess, killDaemons, nextTradingDayAt, requireBuild, startShiftedSimulator, writeTestConfig } from './daemon-harness.js';

let sim: Simulator;
let start: string; // 10:00 KST on the next KR trading day: the KR feed is live, whatever day CI runs on
let at: { at: string };

beforeAll(async () => {
  requireBuild();
  start = await nextTradingDayAt('10:00:00');
  at = { at: start };
  sim = await startShiftedSimulator(start);
});
afterAll(async () => {
  killDaemons();
  await sim?.close();
});

function logFileLines(varDir: string): string[] {
  const dir = join(varDir, 'log');
  const files = readdirSync(dir).filter((f) => /^kisd\.\d+\.log$/.test(f)).sort();
  return files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
}

describe('kisd run (process)', () => {
  it('stops on SIGTERM with exit 0 within the deadline and loses no log line', async () => {
    const { configPath, varDir } = writeTestConfig(sim);
    const d = new DaemonProcess(configPath, {}, at);
    await d.ready();
    await d.waitFor((l) => l.component === 'feed' && typeof l['events'] === 'number' && (l['events'] as number) > 0, 'ticks flowing');
    expect(existsSync(join(varDir, 'state', 'daemon.json'))).toBe(true);
    const t0 = performance.now();
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    expect(code, `stderr: ${d.stderr.join('\n')}\nlast: ${JSON.stringify(d.lines.slice(-3))}`).toBe(0);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const fileLines = logFileLines(varDir);
    // Every line is whole JSON, the last one is the clean-stop line, and the file has every console line.
    const parsed = fileLines.map((l) => {
      try {
        return JSON.parse(l) as { msg: string };
      } catch {
        throw new Error(`log line is not JSON: ${l.slice(0, 300)}`);
      }
    });
    expect(parsed[parsed.length - 1]?.msg, JSON.stringify(parsed.slice(-3))).toMatch(/^kisd stopped cleanly/);
    expect(parsed.length, 'the file has fewer lines than the console').toBeGreaterThanOrEqual(d.lines.length);
    expect(existsSync(join(varDir, 'state', 'daemon.json'))).toBe(false);
    // No secret anywhere in what it wrote.
    const text = fileLines.join('\n') + d.stderr.join('\n');
    for (const secret of [SIM_CREDENTIALS.appKey, SIM_CREDENTIALS.appSecret, sim.auth.currentToken(SIM_CREDENTIALS.appKey) ?? 'x'.repeat(40)]) {
      expect(text).not.toContain(secret);
    }
    // The account number as a number of its own (its digits may occur inside others, e.g. 0.1564250000001266 ms).
    expect(text).not.toMatch(new RegExp(`(?<![0-9.])${SIM_CREDENTIALS.cano}(?![0-9.])`));
    // Nor any token at all (the simulator's are JWT-shaped) or approval key (UUID-shaped).
    const jwt = /eyJ[\w-]{20,}\.[\w-]{20,}/.exec(text);
    expect(jwt ? text.slice(Math.max(0, jwt.index - 200), jwt.index + 20) : 'none', 'a JWT-shaped token in the logs').toBe('none');
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(text);
    expect(uuid ? text.slice(Math.max(0, uuid.index - 200), uuid.index + 60) : 'none', 'a UUID-shaped approval key in the logs').toBe('none');
  });

  it('re-initialises the broker when another process replaces the token', async () => {
    const { configPath, varDir } = writeTestConfig(sim);
    const d = new DaemonProcess(configPath, {}, at);
    try {
      await d.ready();
      // "Another process": a token manager on the same state dir issues a new token.
      const other = createTokenManager({
        // The same shifted wall clock as the daemon's: its offset was taken when it logged the clock start.
        clock: offsetClock(systemClock, kstInstant(start) - Date.parse(String((await d.waitFor((l) => l.msg.startsWith('time travel'), 'clock start'))['time']))),
        log: pino({ level: 'silent' }),
        baseUrl: sim.restUrl,
        credentials: SIM_CREDENTIALS,
        stateDir: join(varDir, 'state'),
        minIssueIntervalSec: 0,
      });
      const before = await other.getAccessToken();
      const after = await other.forceRefresh();
      expect(after.value).not.toBe(before.value);
      await other.close();
      await d.waitFor((l) => /token change detected/.test(l.msg), 'token change detected');
      await d.waitFor((l) => l.msg.startsWith('broker re-initialisation (token-changed)'), 'broker re-initialisation');
      // The re-subscribed feed keeps delivering.
      const reinitAt = d.lines.length;
      await d.waitFor((l) => d.lines.indexOf(l) > reinitAt && l.component === 'feed' && (l['events'] as number) > 0, 'ticks after reinit');
    } finally {
      d.child.kill('SIGTERM');
      await d.exited;
    }
  });

  it('finishes phase 2 after a SIGKILL in its middle, without redoing finished batches', async () => {
    // The daemon and this test's simulator share a wall clock shifted to 07:30 KST on the next KR trading
    // day, so phase 2 is due and token expiry stays consistent between them.
    const start0730 = await nextTradingDayAt('07:30:00');
    const ymd = start0730.slice(0, 10).replace(/-/g, '');
    const shifted = await startShiftedSimulator(start0730);
    const codes = shifted.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 90); // 3 batches of ≤ 40
    const { configPath, varDir } = writeTestConfig(shifted, {
      feed: { enabled: false },
      scheduler: { enabled: true, screening_symbols: codes },
      // Permissive rules so every collected name is selected: 90 names → batches of 40, 40, 10.
      trading: { screening: { min_price_krw: 0, max_price_krw: 1e12, min_avg_turnover_krw: 0, min_score: -1e12, max_selected: 90 } },
    });
    const at0730 = { at: start0730 };
    const selection = join(varDir, 'data', 'daily_selection');

    const first = new DaemonProcess(configPath, { KISD_KILL_POINT: 'selection:batch-written:0' }, at0730);
    const killed = await first.exited;
    expect(killed.signal, `exit ${killed.code}; stderr: ${first.stderr.join('\n')}; last: ${JSON.stringify(first.lines.slice(-5))}`).toBe('SIGKILL');
    expect(readdirSync(selection).filter((f) => f.endsWith('.json')).sort()).toEqual(['batch_0.json']);
    const batch0 = readFileSync(join(selection, 'batch_0.json'), 'utf8');

    const second = new DaemonProcess(configPath, {}, at0730);
    try {
      await second.ready();
      const decision = await second.waitFor((l) => l.component === 'recovery' && l['phase'] === 'selection', 'selection decision');
      expect(['run', 'join']).toContain(decision['decision']);
      const done = await second.waitFor((l) => l.msg.startsWith('phase selection done'), 'selection recorded');
      expect(done['detail']).toMatchObject({ kept: 1 }); // batch_0 survived the kill and was not rewritten
      const screening = JSON.parse(readFileSync(screeningFilePath(join(varDir, 'data'), ymd), 'utf8')) as { candidates: unknown[] };
      const batchCount = Math.ceil(Math.min(90, screening.candidates.length) / 40);
      expect(batchCount).toBeGreaterThanOrEqual(2);
      expect(readdirSync(selection).filter((f) => f.endsWith('.json')).sort()).toEqual(Array.from({ length: batchCount }, (_, i) => `batch_${i}.json`));
      expect(readFileSync(join(selection, 'batch_0.json'), 'utf8')).toBe(batch0); // kept, not rewritten
      for (let i = 1; i < batchCount; i += 1) {
        const f = `batch_${i}.json`;
        const b = JSON.parse(readFileSync(join(selection, f), 'utf8')) as { date: string; symbols: string[] };
        expect(b.date).toBe(ymd);
        expect(b.symbols.length).toBeGreaterThan(0);
      }
      const record = JSON.parse(readFileSync(join(varDir, 'data', 'phases', `${ymd}.json`), 'utf8')) as { phases: Record<string, unknown> };
      expect(Object.keys(record.phases)).toEqual(expect.arrayContaining(['screening', 'selection']));
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      await shifted.close();
    }
  });
});
