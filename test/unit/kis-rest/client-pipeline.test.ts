// Token re-issue, header rebuilding, session reset, client-wide cooldown, parameter stripping and paging.
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../helpers/fake-clock.js';
import { kisErr, kisOk } from '../../helpers/scripted-server.js';
import { KIS_PATHS } from '../../../src/kis/rest/paths.js';
import { createRig, type Rig } from './client-setup.js';
import { createKisRestClient } from '../../../src/kis/rest/client.js';
import { createRateLimiter } from '../../../src/net/rate-limiter.js';
import { createUndiciTransport } from '../../../src/kis/rest/transport.js';
import { TEST_CREDENTIALS, memoryLogger, silentLogger } from './support.js';

const PRICE = { method: 'GET' as const, path: KIS_PATHS.inquirePrice, trId: 'FHKST01010100', params: { FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: '005930' } };

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('tokens and headers', () => {
  it('sends every KIS header, built from the current token', async () => {
    rig = await createRig([{ json: kisOk() }]);
    await settle(rig.clock, rig.client.request(PRICE));
    const h = rig.server.requests[0]!.headers;
    expect(h).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      authorization: 'Bearer token-alpha-0001',
      appkey: TEST_CREDENTIALS.appKey,
      appsecret: TEST_CREDENTIALS.appSecret,
      tr_id: 'FHKST01010100',
      custtype: 'P',
      tr_cont: '',
    });
  });

  it('EGW00123 mid-run: the used token is invalidated once, one retry carries the new token, the call succeeds', async () => {
    rig = await createRig([{ json: kisOk() }, { status: 500, json: kisErr('EGW00123', '기간이 만료된 token 입니다.') }, { json: kisOk({ x: '2' }) }]);
    const rejected: unknown[] = [];
    rig.client.events.on('token-rejected', (e) => rejected.push(e));
    await settle(rig.clock, rig.client.request(PRICE));
    const res = await settle(rig.clock, rig.client.request(PRICE));
    expect(res.attempts).toBe(2);
    expect(rig.tokens.invalidated).toEqual(['token-alpha-0001']);
    expect(rejected).toEqual([{ trId: 'FHKST01010100', msgCd: 'EGW00123', httpStatus: 500 }]);
    expect(rig.server.requests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer token-alpha-0001',
      'Bearer token-alpha-0001',
      'Bearer token-bravo-0002',
    ]);
  });

  it('HTTP 401 without a body code also invalidates the token', async () => {
    rig = await createRig([{ status: 401, body: '' }, { json: kisOk() }]);
    const res = await settle(rig.clock, rig.client.request(PRICE));
    expect(res.attempts).toBe(2);
    expect(rig.tokens.invalidated).toEqual(['token-alpha-0001']);
  });

  it('a second token rejection in the same call fails instead of looping', async () => {
    rig = await createRig([{ json: kisErr('EGW00121') }, { json: kisErr('EGW00121') }, { json: kisOk() }]);
    const err = await settle(rig.clock, rig.client.request(PRICE)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_API_ERROR', msgCd: 'EGW00121', disposition: 'retryable' });
    expect(rig.server.requests).toHaveLength(2);
    expect(rig.tokens.invalidated).toEqual(['token-alpha-0001', 'token-bravo-0002']);
  });
});

describe('session reset', () => {
  it('replaces the connection pool before the configured attempt: a new TCP connection is observed', async () => {
    rig = await createRig([{ status: 500, body: '' }, { status: 503, body: '' }, { json: kisOk() }], { sessionResetAtAttempt: 3, backoffBaseMs: 100 });
    // One socket per pool, so keep-alive reuse inside a pool is deterministic.
    const transport = createUndiciTransport({ baseUrl: rig.server.url, clock: rig.clock, connections: 1 });
    await rig.client.close();
    rig.client = createKisRestClient({
      baseUrl: rig.server.url,
      mode: 'real',
      credentials: TEST_CREDENTIALS,
      tokens: rig.tokens,
      clock: rig.clock,
      log: silentLogger,
      transport,
      limiter: createRateLimiter({ clock: rig.clock, windows: { perSecond: 100 } }),
      sessionResetAtAttempt: 3,
      backoffBaseMs: 100,
    });
    const resets: { attempt: number; generation: number }[] = [];
    rig.client.events.on('session-reset', (e) => resets.push(e));
    await settle(rig.clock, rig.client.request(PRICE));
    const ports = rig.server.requests.map((r) => r.remotePort);
    expect(ports[0]).toBe(ports[1]); // keep-alive reused
    expect(ports[2]).not.toBe(ports[1]); // new pool, new socket
    expect(resets).toEqual([{ trId: 'FHKST01010100', attempt: 3, generation: 1 }]);
  });
});

describe('cooldown', () => {
  it('after N consecutive retryable errors every caller pauses for cooldownSec, one log line, one event', async () => {
    const { log, lines } = memoryLogger();
    rig = await createRig([{ status: 500, body: '' }, { status: 500, body: '' }, { status: 500, body: '' }], {
      cooldownAfterConsecutiveErrors: 3,
      cooldownSec: 180,
      backoffBaseMs: 1000,
      log,
    });
    const cooldowns: { untilMonoMs: number }[] = [];
    rig.client.events.on('cooldown', (e) => cooldowns.push(e));
    const a = rig.client.request(PRICE);
    // Drive until the cooldown starts.
    await settle(rig.clock, new Promise<void>((resolve) => rig!.client.events.once('cooldown', () => resolve())), { stepMs: 100 });
    const until = cooldowns[0]!.untilMonoMs;
    expect(until - rig.clock.monotonicMs()).toBeGreaterThan(179_000);
    const b = rig.client.request(PRICE); // a second caller, started during the cooldown
    const [ra, rb] = await settle(rig.clock, Promise.all([a, b]), { stepMs: 1000 });
    expect(ra.attempts).toBe(4);
    expect(rb.attempts).toBe(1);
    expect(rig.server.requests).toHaveLength(5);
    for (const r of rig.server.requests.slice(3)) expect(r.atMonoMs!).toBeGreaterThanOrEqual(until);
    expect(cooldowns).toHaveLength(1);
    expect(lines.filter((l) => String(l['msg']).includes('cooldown'))).toHaveLength(1);
  });

  it('an order is not held by the cooldown the reads triggered', async () => {
    rig = await createRig([{ status: 500, body: '' }, { status: 500, body: '' }, { json: { ...kisOk(), output: { KRX_FWDG_ORD_ORGNO: '06010', ODNO: '0000000001', ORD_TMD: '090000' } } }, { json: kisOk() }], {
      cooldownAfterConsecutiveErrors: 2,
      cooldownSec: 180,
      backoffBaseMs: 10,
    });
    const read = rig.client.request(PRICE);
    await settle(rig.clock, new Promise<void>((resolve) => rig!.client.events.once('cooldown', () => resolve())), { stepMs: 5 });
    const startedMono = rig.clock.monotonicMs();
    const order = await settle(rig.clock, rig.client.request({ method: 'POST', path: KIS_PATHS.orderCash, trId: 'TTTC0012U', kind: 'order', params: { ORD_QTY: '1', ORD_UNPR: '0' } }), { stepMs: 5 });
    expect(order.attempts).toBe(1);
    expect(rig.clock.monotonicMs() - startedMono).toBeLessThan(1_000); // not 180 s
    await settle(rig.clock, read, { stepMs: 1000 });
  });

  it('a success resets the consecutive-error count', async () => {
    rig = await createRig([{ status: 500, body: '' }, { json: kisOk() }, { status: 500, body: '' }, { json: kisOk() }], {
      cooldownAfterConsecutiveErrors: 2,
      backoffBaseMs: 10,
    });
    let cooldowns = 0;
    rig.client.events.on('cooldown', () => cooldowns++);
    await settle(rig.clock, rig.client.request(PRICE));
    await settle(rig.clock, rig.client.request(PRICE));
    expect(cooldowns).toBe(0);
  });
});

describe('parameters', () => {
  it('strips empty parameters on ordinary TRs', async () => {
    rig = await createRig([{ json: kisOk() }]);
    await settle(rig.clock, rig.client.request({ ...PRICE, params: { ...PRICE.params, EXTRA: '', NOTHING: null, GONE: undefined } }));
    expect(rig.server.requests[0]!.query).toEqual({ FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: '005930' });
  });

  it('keeps the blank fields a TR needs (inquire-balance OFL_YN, CTX_AREA_*)', async () => {
    rig = await createRig([{ json: { ...kisOk(), output1: [], output2: [] } }]);
    await settle(
      rig.clock,
      rig.client.request({
        method: 'GET',
        path: KIS_PATHS.inquireBalance,
        trId: 'TTTC8434R',
        params: { CANO: '50001234', ACNT_PRDT_CD: '01', OFL_YN: '', CTX_AREA_FK100: '', CTX_AREA_NK100: '', UNUSED: '' },
      }),
    );
    expect(rig.server.requests[0]!.query).toEqual({ CANO: '50001234', ACNT_PRDT_CD: '01', OFL_YN: '', CTX_AREA_FK100: '', CTX_AREA_NK100: '' });
  });

  it('POST bodies are JSON with string values', async () => {
    rig = await createRig([{ json: kisOk() }]);
    await settle(rig.clock, rig.client.request({ method: 'POST', path: KIS_PATHS.orderCash, trId: 'TTTC0012U', kind: 'order', params: { ORD_QTY: 10, ORD_UNPR: 0, CNDT_PRIC: '' } }));
    expect(rig.server.requests[0]!.json).toEqual({ ORD_QTY: '10', ORD_UNPR: '0' });
  });
});

describe('paging', () => {
  it('follows tr_cont M/F with tr_cont N and echoes the cursors, stops on D', async () => {
    rig = await createRig([
      { json: { ...kisOk(), output1: [{ n: 1 }], ctx_area_fk100: 'FK1   ', ctx_area_nk100: 'NK1' }, headers: { tr_cont: 'M' } },
      { json: { ...kisOk(), output1: [{ n: 2 }], ctx_area_fk100: 'FK2', ctx_area_nk100: 'NK2' }, headers: { tr_cont: 'F' } },
      { json: { ...kisOk(), output1: [{ n: 3 }], ctx_area_fk100: '', ctx_area_nk100: '' }, headers: { tr_cont: 'D' } },
    ]);
    const spec = { method: 'GET' as const, path: KIS_PATHS.inquireBalance, trId: 'TTTC8434R', params: { CANO: '50001234', CTX_AREA_FK100: '', CTX_AREA_NK100: '' } };
    const pages = await settle(rig.clock, rig.client.requestAllPages(spec, { cursorKeys: ['CTX_AREA_FK100', 'CTX_AREA_NK100'] }));
    expect(pages.map((p) => p.headers.trCont)).toEqual(['M', 'F', 'D']);
    const reqs = rig.server.requests;
    expect(reqs.map((r) => r.headers['tr_cont'])).toEqual(['', 'N', 'N']);
    expect(reqs[1]!.query).toMatchObject({ CTX_AREA_FK100: 'FK1   ', CTX_AREA_NK100: 'NK1' });
    expect(reqs[2]!.query).toMatchObject({ CTX_AREA_FK100: 'FK2', CTX_AREA_NK100: 'NK2' });
  });

  it('throws KIS_PAGE_LIMIT past maxPages', async () => {
    rig = await createRig([], {});
    for (let i = 0; i < 3; i++) rig.server.push({ json: { ...kisOk(), ctx_area_fk: 'x', ctx_area_nk: 'y' }, headers: { tr_cont: 'M' } });
    const spec = { method: 'GET' as const, path: KIS_PATHS.chkHoliday, trId: 'CTCA0903R', params: { BASS_DT: '20261123' } };
    const err = await settle(rig.clock, rig.client.requestAllPages(spec, { cursorKeys: ['CTX_AREA_FK', 'CTX_AREA_NK'], maxPages: 3 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_PAGE_LIMIT' });
    expect(rig.server.requests).toHaveLength(3);
  });
});
