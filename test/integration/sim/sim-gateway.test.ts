// Gateway behaviour common to every /uapi call: response headers and their casing, credential checks,
// tr_id validity per flavor and path, parameter conventions, and the per-app-key rolling-second limit.
import { afterEach, describe, expect, it } from 'vitest';
import { APP_A, APP_B, balanceQuery, call, orderBody, PATHS, priceQuery, rawHeaderNames, startSim, tokenFor, type Kit } from './sim-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.sim.close();
  kit = undefined;
});

describe('headers and credentials', () => {
  it('sends Content-Type capitalised and tr_id / tr_cont / gt_uid lowercase', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    const r = await rawHeaderNames(kit.sim, PATHS.price, { appkey: APP_A.appKey, appsecret: APP_A.appSecret, authorization: `Bearer ${token}`, tr_id: 'FHKST01010100' }, priceQuery('005930'));
    expect(r.status).toBe(200);
    expect(r.names).toContain('Content-Type');
    expect(r.names).not.toContain('content-type');
    expect(r.values['Content-Type']).toBe('application/json; charset=utf-8');
    expect(r.values['tr_id']).toBe('FHKST01010100');
    expect(r.values['tr_cont']).toBe('D');
    expect(r.values['gt_uid']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('checks appkey, appsecret and the bearer token on every call (HTTP 500 with a KIS body)', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    const q = { trId: 'FHKST01010100', query: priceQuery('005930') };
    const noKey = await call(kit.sim, PATHS.price, { ...q, token, app: { ...APP_A, appKey: 'unknown' } });
    expect([noKey.status, noKey.json.msg_cd]).toEqual([500, 'EGW00103']);
    const badSecret = await call(kit.sim, PATHS.price, { ...q, token, app: { ...APP_A, appSecret: 'wrong' } });
    expect([badSecret.status, badSecret.json.msg_cd]).toEqual([500, 'EGW00105']);
    const noToken = await call(kit.sim, PATHS.price, q);
    expect(noToken.json).toEqual({ rt_cd: '1', msg_cd: 'EGW00121', msg1: '유효하지 않은 token 입니다.' });
    const otherApp = await call(kit.sim, PATHS.price, { ...q, token, app: APP_B });
    expect(otherApp.json.msg_cd).toBe('EGW00121');
    const ok = await call(kit.sim, PATHS.price, { ...q, token });
    expect(ok.json.rt_cd).toBe('0');
    expect(kit.sim.stats.count({ path: PATHS.price, msgCd: 'EGW00121' })).toBe(2);
    expect(kit.sim.stats.count({ path: PATHS.price, outcome: 'ok' })).toBe(1);
  });

  it('unknown paths answer MCA00124 with 404', async () => {
    kit = await startSim();
    const r = await call(kit.sim, '/uapi/domestic-stock/v1/quotations/no-such-api');
    expect(r.status).toBe(404);
    expect(r.json.msg_cd).toBe('MCA00124');
  });
});

describe('tr_id per flavor and path', () => {
  it('real server: real tr_ids only, on their own path', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    expect((await call(kit.sim, PATHS.balance, { token, trId: 'TTTC8434R', query: balanceQuery() })).json.rt_cd).toBe('0');
    const paperId = await call(kit.sim, PATHS.balance, { token, trId: 'VTTC8434R', query: balanceQuery() });
    expect([paperId.status, paperId.json.msg_cd]).toEqual([500, 'OPSQ0002']);
    expect((await call(kit.sim, PATHS.balance, { token, query: balanceQuery() })).json.msg_cd).toBe('OPSQ0002');
    expect((await call(kit.sim, PATHS.chart, { token, trId: 'FHKST01010100', query: priceQuery('005930') })).json.msg_cd).toBe('OPSQ0002');
    expect((await call(kit.sim, PATHS.holiday, { token, trId: 'CTCA0903R', query: { BASS_DT: '20261123', CTX_AREA_NK: '', CTX_AREA_FK: '' } })).json.rt_cd).toBe('0');
    // current and legacy domestic order tr_ids are both accepted
    for (const trId of ['TTTC0012U', 'TTTC0802U']) {
      expect((await call(kit.sim, PATHS.orderCash, { token, trId, body: orderBody('005930', '1', '0', '01') })).json.msg_cd).toBe('APBK0013');
    }
    expect((await call(kit.sim, PATHS.orderCash, { token, trId: 'VTTC0012U', body: orderBody('005930', '1', '0', '01') })).json.msg_cd).toBe('OPSQ0002');
  });

  it('paper server: V-prefixed order/account tr_ids, VTTT1001U for US sells, no chk-holiday', async () => {
    kit = await startSim({ flavor: 'paper', rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    expect((await call(kit.sim, PATHS.balance, { token, trId: 'VTTC8434R', query: balanceQuery() })).json.msg_cd).toBe('20310000');
    expect((await call(kit.sim, PATHS.balance, { token, trId: 'TTTC8434R', query: balanceQuery() })).json.msg_cd).toBe('OPSQ0002');
    expect((await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') })).json.rt_cd).toBe('0');
    const holiday = await call(kit.sim, PATHS.holiday, { token, trId: 'CTCA0903R', query: { BASS_DT: '20261123', CTX_AREA_NK: '', CTX_AREA_FK: '' } });
    expect([holiday.status, holiday.json.msg_cd]).toEqual([500, 'MCA00124']);
    const usBody = (qty: string) => ({ CANO: '50000001', ACNT_PRDT_CD: '01', OVRS_EXCG_CD: 'NASD', PDNO: 'AAPL', ORD_QTY: qty, OVRS_ORD_UNPR: '0', CTAC_TLNO: '', MGCO_APTM_ODNO: '', SLL_TYPE: '', ORD_SVR_DVSN_CD: '0', ORD_DVSN: '00' });
    expect((await call(kit.sim, PATHS.usOrder, { token, trId: 'VTTT1002U', body: usBody('2') })).json.msg_cd).toBe('APBK0013');
    expect((await call(kit.sim, PATHS.usOrder, { token, trId: 'VTTT1006U', body: { ...usBody('1'), SLL_TYPE: '00' } })).json.msg_cd).toBe('OPSQ0002');
    expect((await call(kit.sim, PATHS.usOrder, { token, trId: 'VTTT1001U', body: { ...usBody('1'), SLL_TYPE: '00' } })).json.msg_cd).toBe('APBK0013');
    // paper takes ORD_DVSN 00/01 only
    expect((await call(kit.sim, PATHS.orderCash, { token, trId: 'VTTC0012U', body: orderBody('005930', '1', '0', '03') })).json.msg_cd).toBe('APBK0589');
  });
});

describe('a tr_id of the other flavor', () => {
  it('real server, paper tr_id: OPSQ0002 whose message names --flavor paper and the real tr_id to send', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    const order = await call(kit.sim, PATHS.orderCash, { token, trId: 'VTTC0012U', body: orderBody('005930', '1', '0', '01') });
    expect([order.status, order.json.msg_cd]).toEqual([500, 'OPSQ0002']);
    expect(order.json.msg1).toContain('VTTC0012U is a paper-server (모의투자) tr_id');
    expect(order.json.msg1).toContain('kisd sim --flavor paper');
    expect(order.json.msg1).toContain('send TTTC0012U');
    const usSell = await call(kit.sim, PATHS.usOrder, { token, trId: 'VTTT1001U', body: {} });
    expect(usSell.json.msg1).toContain('send TTTT1006U'); // the pair that breaks the "swap in V" rule
    expect(kit.sim.exchange.orders('50000001-01')).toHaveLength(0); // nothing was booked
  });

  it('paper server, real tr_id: the message names --flavor real; an unknown tr_id keeps the plain message', async () => {
    kit = await startSim({ flavor: 'paper', rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    const balance = await call(kit.sim, PATHS.balance, { token, trId: 'TTTC8434R', query: balanceQuery() });
    expect(balance.json.msg1).toContain('kisd sim --flavor real');
    expect(balance.json.msg1).toContain('send VTTC8434R');
    const unknown = await call(kit.sim, PATHS.balance, { token, trId: 'XXXX0000R', query: balanceQuery() });
    expect(unknown.json).toEqual({ rt_cd: '1', msg_cd: 'OPSQ0002', msg1: '없는 서비스 코드 입니다' });
  });
});

describe('parameter conventions', () => {
  it('accepts lowercase GET params; POST bodies need UPPERCASE keys and string values', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    const lower = await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: { fid_cond_mrkt_div_code: 'J', fid_input_iscd: '005930' } });
    expect(lower.json.output.stck_shrn_iscd).toBe('005930');
    const lowerBody = Object.fromEntries(Object.entries(orderBody('005930', '1', '0', '01')).map(([k, v]) => [k.toLowerCase(), v]));
    const r1 = await call(kit.sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: lowerBody });
    expect(r1.json).toEqual({ rt_cd: '2', msg_cd: 'OPSQ2000', msg1: 'ERROR : INPUT INVALID_CHECK_ACNO' });
    const r2 = await call(kit.sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: { ...orderBody('005930', '1', '0', '01'), ORD_QTY: 1 } });
    expect(r2.json.msg1).toBe('ERROR : INPUT INVALID_CHECK_ORD_QTY');
    const r3 = await call(kit.sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: '{"CANO":' });
    expect(r3.json.msg_cd).toBe('OPSQ2001');
    // an account that is not the caller's
    const r4 = await call(kit.sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: orderBody('005930', '1', '0', '01', APP_B) });
    expect(r4.json.msg_cd).toBe('OPSQ2000');
  });
});

describe('rate limit (rolling second, monotonic, per app key)', () => {
  it('real: 20 per second; the 21st at the same instant and 999 ms later is EGW00201, at 1000 ms it passes', async () => {
    kit = await startSim();
    const token = await tokenFor(kit.sim);
    const q = { token, trId: 'FHKST01010100', query: priceQuery('005930') };
    for (let i = 0; i < 20; i++) expect((await call(kit.sim, PATHS.price, q)).json.rt_cd).toBe('0');
    const over = await call(kit.sim, PATHS.price, q);
    expect(over.status).toBe(500);
    expect(over.json).toEqual({ rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' });
    await kit.clock.tickAsync(999);
    expect((await call(kit.sim, PATHS.price, q)).json.msg_cd).toBe('EGW00201');
    // another app key has its own window
    const tokenB = await tokenFor(kit.sim, APP_B);
    expect((await call(kit.sim, PATHS.price, { ...q, token: tokenB, app: APP_B })).json.rt_cd).toBe('0');
    await kit.clock.tickAsync(1);
    expect((await call(kit.sim, PATHS.price, q)).json.rt_cd).toBe('0');
    expect(kit.sim.stats.count({ msgCd: 'EGW00201' })).toBe(2);
  });

  it('paper: 2 per second; /oauth2 calls are not limited; a wall-clock jump does not reset the window', async () => {
    kit = await startSim({ flavor: 'paper' });
    const token = await tokenFor(kit.sim);
    for (let i = 0; i < 3; i++) {
      const r = await call(kit.sim, PATHS.approval, { body: { grant_type: 'client_credentials', appkey: APP_A.appKey, secretkey: APP_A.appSecret } });
      expect(r.status).toBe(200);
    }
    const q = { token, trId: 'FHKST01010100', query: priceQuery('005930') };
    expect((await call(kit.sim, PATHS.price, q)).json.rt_cd).toBe('0');
    await kit.clock.tickAsync(500);
    expect((await call(kit.sim, PATHS.price, q)).json.rt_cd).toBe('0');
    kit.clock.setSystemTime(kit.clock.nowMs() + 5_000); // NTP step: wall moves, monotonic does not
    expect((await call(kit.sim, PATHS.price, q)).json.msg_cd).toBe('EGW00201');
    await kit.clock.tickAsync(500); // the first call leaves the window
    expect((await call(kit.sim, PATHS.price, q)).json.rt_cd).toBe('0');
  });

  it('rateLimitPerSec 0 turns the limit off', async () => {
    kit = await startSim({ rateLimitPerSec: 0, flavor: 'paper' });
    const token = await tokenFor(kit.sim);
    for (let i = 0; i < 30; i++) expect((await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') })).json.rt_cd).toBe('0');
  });
});
