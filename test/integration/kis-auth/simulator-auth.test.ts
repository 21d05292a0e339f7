// The auth managers against the KIS simulator: a token that KIS expires behind the client's back is
// replaced after the rejection without provoking EGW00133, and the approval key is one the simulator's
// WebSocket side will accept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import pino from 'pino';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createApprovalKeyManager, createTokenManager } from '../../../src/kis/auth/index.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';

const APP_KEY = 'PSsimAuthAppKey0000001';
const APP_SECRET = 'simAuthSecret==abcdefghijk';
const PRICE_PATH = '/uapi/domestic-stock/v1/quotations/inquire-price';

let clock: FakeClock;
let sim: Simulator;
let stateDir: string;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  clock = createFakeClock('2026-11-23 10:00:00');
  sim = await createSimulator({ clock, apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, accountNo: '50000003-01', htsId: 'simauth' }] });
  stateDir = await mkdtemp(join(tmpdir(), 'kisd-auth-sim-'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await sim.close();
  await rm(stateDir, { recursive: true, force: true });
});

function options() {
  return { clock, log: pino({ level: 'silent' }), baseUrl: sim.restUrl, credentials: { appKey: APP_KEY, appSecret: APP_SECRET }, stateDir };
}

async function price(token: string): Promise<string> {
  const res = await request(`${sim.restUrl}${PRICE_PATH}?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`, {
    headers: { authorization: `Bearer ${token}`, appkey: APP_KEY, appsecret: APP_SECRET, tr_id: 'FHKST01010100', custtype: 'P' },
  });
  const body = (await res.body.json()) as { rt_cd: string; msg_cd: string };
  return body.rt_cd === '0' ? 'ok' : body.msg_cd;
}

describe('token manager against the simulator', () => {
  it('replaces a token that KIS expired early (EGW00123) after one rejection, paced, without EGW00133', async () => {
    const m = createTokenManager(options());
    closers.push(() => m.close());
    const t1 = await settle(clock, m.getAccessToken());
    expect(await price(t1.value)).toBe('ok');
    await clock.tickAsync(10_000);
    sim.auth.expireAllTokens();
    expect(await price(t1.value)).toBe('EGW00123');
    await m.invalidateAccessToken(t1.value);
    const t2 = await settle(clock, m.getAccessToken(), { stepMs: 500 });
    expect(t2.value).not.toBe(t1.value);
    expect(await price(t2.value)).toBe('ok');
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(2);
    expect(sim.stats.count({ msgCd: 'EGW00133' })).toBe(0);
  });

  it('replaces a revoked token (EGW00121) the same way', async () => {
    const m = createTokenManager(options());
    closers.push(() => m.close());
    const t1 = await settle(clock, m.getAccessToken());
    await clock.tickAsync(61_000);
    sim.auth.revokeAllTokens();
    expect(await price(t1.value)).toBe('EGW00121');
    await m.invalidateAccessToken(t1.value);
    const t2 = await settle(clock, m.getAccessToken());
    expect(await price(t2.value)).toBe('ok');
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(2);
  });
});

describe('approval key manager against the simulator', () => {
  it('issues a key the simulator accepts and shares it through the state dir', async () => {
    const a = createApprovalKeyManager(options());
    const b = createApprovalKeyManager(options());
    closers.push(() => a.close(), () => b.close());
    const key = await settle(clock, a.getApprovalKey());
    expect(sim.approvals.appForApprovalKey(key)?.appKey).toBe(APP_KEY);
    expect(await settle(clock, b.getApprovalKey())).toBe(key);
    expect(sim.stats.count({ path: '/oauth2/Approval' })).toBe(1);
  });
});
