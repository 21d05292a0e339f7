// Token, approval-key and hashkey rules of the simulator against plain fetch (fact sheet §2).
import { afterEach, describe, expect, it } from 'vitest';
import { formatKstTimestamp } from '../../../src/core/kst.js';
import { APP_A, APP_B, call, PATHS, priceQuery, startSim, tokenFor, type Kit } from './sim-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.sim.close();
  kit = undefined;
});

const tokenBody = (app = APP_A) => ({ grant_type: 'client_credentials', appkey: app.appKey, appsecret: app.appSecret });

describe('/oauth2/tokenP', () => {
  it('issues a JWT-looking token with a KST expiry 24 h ahead', async () => {
    kit = await startSim();
    const r = await call(kit.sim, PATHS.tokenP, { body: tokenBody() });
    expect(r.status).toBe(200);
    expect(r.json.token_type).toBe('Bearer');
    expect(r.json.expires_in).toBe(86400);
    expect(r.json.access_token_token_expired).toBe(formatKstTimestamp(kit.clock.nowMs() + 86_400_000));
    expect(r.json.access_token_token_expired).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const token = r.json.access_token as string;
    expect(token.length).toBeLessThanOrEqual(350);
    expect(token.split('.')).toHaveLength(3);
    expect(kit.sim.auth.currentToken(APP_A.appKey)).toBe(token);
    expect(kit.sim.stats.tokenIssues).toBe(1);
  });

  it('refuses a second call within a minute with 403 EGW00133, then re-serves the same token', async () => {
    kit = await startSim();
    const first = await tokenFor(kit.sim);
    await kit.clock.tickAsync(59_999);
    const tooSoon = await call(kit.sim, PATHS.tokenP, { body: tokenBody() });
    expect(tooSoon.status).toBe(403);
    expect(tooSoon.json).toEqual({ error_code: 'EGW00133', error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' });
    await kit.clock.tickAsync(1);
    const again = await call(kit.sim, PATHS.tokenP, { body: tokenBody() });
    expect(again.status).toBe(200);
    expect(again.json.access_token).toBe(first);
    expect(again.json.expires_in).toBe(86400 - 60);
    // The re-served token counted against the minute: an immediate third call is refused again.
    expect((await call(kit.sim, PATHS.tokenP, { body: tokenBody() })).json.error_code).toBe('EGW00133');
    expect(kit.sim.stats.tokenIssues).toBe(1);
    expect(kit.sim.stats.count({ path: PATHS.tokenP })).toBe(4);
    expect(kit.sim.stats.count({ path: PATHS.tokenP, msgCd: 'EGW00133' })).toBe(2);
  });

  it('the minute is per app key', async () => {
    kit = await startSim();
    await tokenFor(kit.sim, APP_A);
    expect(await tokenFor(kit.sim, APP_B)).toBeTruthy();
  });

  it('issues a new token after 6 h; the old one stays valid until its own expiry', async () => {
    kit = await startSim();
    const first = await tokenFor(kit.sim);
    await kit.clock.tickAsync(6 * 3600_000 - 60_000);
    expect(await tokenFor(kit.sim)).toBe(first);
    await kit.clock.tickAsync(60_000); // exactly 6 h after issue
    const second = await tokenFor(kit.sim);
    expect(second).not.toBe(first);
    const r = await call(kit.sim, PATHS.price, { token: first, trId: 'FHKST01010100', query: priceQuery('005930') });
    expect(r.json.rt_cd).toBe('0');
    expect(kit.sim.stats.tokenIssues).toBe(2);
  });

  it('a token expires 24 h after issue: EGW00123 with HTTP 500', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    await kit.clock.tickAsync(86_400_000 - 1);
    expect((await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') })).json.rt_cd).toBe('0');
    await kit.clock.tickAsync(1);
    const r = await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ rt_cd: '1', msg_cd: 'EGW00123', msg1: '기간이 만료된 token 입니다.' });
    // tokenP no longer re-serves the expired token.
    expect(await tokenFor(kit.sim)).not.toBe(token);
  });

  it('rejects an unknown app key (EGW00103) and a wrong secret (EGW00105) with 403', async () => {
    kit = await startSim();
    const badKey = await call(kit.sim, PATHS.tokenP, { body: { ...tokenBody(), appkey: 'nope' } });
    expect(badKey.status).toBe(403);
    expect(badKey.json.error_code).toBe('EGW00103');
    const badSecret = await call(kit.sim, PATHS.tokenP, { body: { ...tokenBody(), appsecret: 'nope' } });
    expect(badSecret.status).toBe(403);
    expect(badSecret.json.error_code).toBe('EGW00105');
    expect(kit.sim.stats.tokenIssues).toBe(0);
  });
});

describe('/oauth2/revokeP', () => {
  it('revokes a token: later calls fail with EGW00121 and tokenP issues a fresh one', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    const r = await call(kit.sim, PATHS.revokeP, { body: { appkey: APP_A.appKey, appsecret: APP_A.appSecret, token } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ code: 200, message: '접근토큰 폐기에 성공하였습니다' });
    const after = await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') });
    expect(after.status).toBe(500);
    expect(after.json).toEqual({ rt_cd: '1', msg_cd: 'EGW00121', msg1: '유효하지 않은 token 입니다.' });
    await kit.clock.tickAsync(60_000);
    expect(await tokenFor(kit.sim)).not.toBe(token);
  });

  it('refuses to revoke another app’s token', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim, APP_B);
    const r = await call(kit.sim, PATHS.revokeP, { body: { appkey: APP_A.appKey, appsecret: APP_A.appSecret, token } });
    expect(r.status).toBe(403);
    expect(kit.sim.auth.currentToken(APP_B.appKey)).toBe(token);
  });

  it('programmatic expire/revoke hooks', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    kit.sim.auth.expireAllTokens();
    expect((await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') })).json.msg_cd).toBe('EGW00123');
    kit.sim.auth.revokeAllTokens();
    expect((await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') })).json.msg_cd).toBe('EGW00121');
    expect(kit.sim.auth.currentToken(APP_A.appKey)).toBeUndefined();
  });
});

describe('/oauth2/Approval and /uapi/hashkey', () => {
  it('issues a UUID-like approval key from the secretkey field and registers it', async () => {
    kit = await startSim();
    const r = await call(kit.sim, PATHS.approval, { body: { grant_type: 'client_credentials', appkey: APP_A.appKey, secretkey: APP_A.appSecret } });
    expect(r.status).toBe(200);
    expect(r.json.approval_key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(kit.sim.approvals.appForApprovalKey(r.json.approval_key)?.appKey).toBe(APP_A.appKey);
    await kit.clock.tickAsync(86_400_000);
    expect(kit.sim.approvals.appForApprovalKey(r.json.approval_key)).toBeUndefined();
  });

  it('the approval call wants `secretkey`, not `appsecret`', async () => {
    kit = await startSim();
    const r = await call(kit.sim, PATHS.approval, { body: { grant_type: 'client_credentials', appkey: APP_A.appKey, appsecret: APP_A.appSecret } });
    expect(r.status).toBe(403);
    expect(r.json.error_code).toBe('EGW00105');
  });

  it('hashkey echoes the body and a stable HASH', async () => {
    kit = await startSim();
    const body = { CANO: '50000001', ACNT_PRDT_CD: '01', PDNO: '005930' };
    const a = await call(kit.sim, PATHS.hashkey, { body });
    const b = await call(kit.sim, PATHS.hashkey, { body });
    expect(a.status).toBe(200);
    expect(a.json.BODY).toEqual(body);
    expect(a.json.HASH).toMatch(/^[0-9a-f]{64}$/);
    expect(b.json.HASH).toBe(a.json.HASH);
  });
});
