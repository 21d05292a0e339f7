// 25 virtual hours of daemon life on a fake clock shared with the KIS simulator: a current-price call every
// 5 minutes with the current token, the 30-minute token check (seed 003), and exactly one refresh, before
// the first token expires, with never a call made with an expired token.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import pino from 'pino';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createTokenManager, type TokenManager } from '../../../src/kis/auth/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const APP_KEY = 'PSlongRunAppKey0000001';
const APP_SECRET = 'longRunSecret==abcdefghijk';
const PRICE_PATH = '/uapi/domestic-stock/v1/quotations/inquire-price';

let clock: FakeClock;
let sim: Simulator;
let stateDir: string;
let manager: TokenManager;

beforeEach(async () => {
  clock = createFakeClock('2026-11-23 07:55:00');
  sim = await createSimulator({ clock, apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, accountNo: '50000001-01', htsId: 'longrun' }] });
  stateDir = await mkdtemp(join(tmpdir(), 'kisd-auth-25h-'));
  manager = createTokenManager({
    clock,
    log: pino({ level: 'silent' }),
    baseUrl: sim.restUrl,
    credentials: { appKey: APP_KEY, appSecret: APP_SECRET },
    stateDir,
  });
});

afterEach(async () => {
  await manager.close();
  await sim.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function callApi(token: string): Promise<string> {
  const res = await request(`${sim.restUrl}${PRICE_PATH}?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`, {
    method: 'GET',
    headers: { authorization: `Bearer ${token}`, appkey: APP_KEY, appsecret: APP_SECRET, tr_id: 'FHKST01010100', custtype: 'P' },
  });
  const body = (await res.body.json()) as { rt_cd: string; msg_cd: string };
  return body.rt_cd === '0' ? 'ok' : body.msg_cd;
}

describe('token manager over 25 virtual hours', () => {
  it('refreshes exactly once, before expiry, and never calls with an expired token', async () => {
    const changes: Array<{ atMs: number; source: string }> = [];
    manager.onTokenChanged((e) => changes.push({ atMs: clock.nowMs(), source: e.source }));
    const startMs = clock.nowMs();
    const first = await settle(clock, manager.getAccessToken());
    const replies = new Map<string, number>();
    const checks: Array<{ refreshed: boolean; changed: boolean }> = [];
    for (let elapsed = 0; elapsed <= 25 * HOUR; elapsed += 5 * MINUTE) {
      const token = await settle(clock, manager.getAccessToken());
      // Never hand out a token that dies within the next minute.
      expect(token.expiresAtEpochMs - clock.nowMs()).toBeGreaterThan(MINUTE);
      const code = await callApi(token.value);
      replies.set(code, (replies.get(code) ?? 0) + 1);
      if (elapsed % (30 * MINUTE) === 0) checks.push(await settle(clock, manager.check()));
      await settle(clock, manager.idle());
      await clock.tickAsync(5 * MINUTE);
    }
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(2); // the first issue + exactly one refresh
    expect(sim.stats.tokenIssues).toBe(2);
    expect(sim.stats.count({ msgCd: 'EGW00133' })).toBe(0);
    expect(sim.stats.count({ msgCd: 'EGW00123' })).toBe(0); // never an expired token
    expect(sim.stats.count({ msgCd: 'EGW00121' })).toBe(0);
    expect(Object.fromEntries(replies)).toEqual({ ok: 301 });
    expect(changes).toHaveLength(1);
    const refreshAt = changes[0]!.atMs;
    expect(changes[0]!.source).toBe('issued');
    expect(refreshAt).toBeLessThan(first.expiresAtEpochMs);
    expect(refreshAt - startMs).toBeGreaterThanOrEqual(23 * HOUR); // not earlier than the 60-minute margin
    expect(checks.filter((c) => c.refreshed)).toHaveLength(1); // the 30-minute check did it, off the hot path
    const last = await settle(clock, manager.getAccessToken());
    expect(last.value).not.toBe(first.value);
    expect(last.expiresAtEpochMs).toBeGreaterThan(clock.nowMs() + 20 * HOUR);
  });
});
