// Orders are never resent once they may have reached KIS: timeouts, resets, 5xx and malformed replies
// become OrderOutcomeUnknownError; refused connections and gateway refusals are retried.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';
import { createScriptedServer, kisErr, type ScriptedServer } from '../../helpers/scripted-server.js';
import { createKisRestClient, type KisRequestSpec } from '../../../src/kis/rest/client.js';
import { createRateLimiter } from '../../../src/net/rate-limiter.js';
import { OrderOutcomeUnknownError } from '../../../src/kis/rest/errors.js';
import { createRig, type Rig } from './client-setup.js';
import { FakeTokenProvider, TEST_CREDENTIALS, silentLogger } from './support.js';

const ORDER: KisRequestSpec = {
  method: 'POST',
  path: '/uapi/domestic-stock/v1/trading/order-cash',
  trId: 'TTTC0012U',
  kind: 'order',
  clientRef: 'ord-20261123-0001',
  params: { CANO: '50001234', ACNT_PRDT_CD: '01', PDNO: '005930', ORD_DVSN: '00', ORD_QTY: '10', ORD_UNPR: '71000' },
};
const ACCEPTED = { rt_cd: '0', msg_cd: 'APBK0013', msg1: '주문 전송 완료 되었습니다.', output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000117057', ORD_TMD: '090102' } };

let rig: Rig | undefined;
const extra: ScriptedServer[] = [];
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  for (const s of extra.splice(0)) await s.close();
});

async function expectUnknown(p: Promise<unknown>, r: Rig): Promise<OrderOutcomeUnknownError> {
  const err = await settle(r.clock, p).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OrderOutcomeUnknownError);
  return err as OrderOutcomeUnknownError;
}

describe('order requests', () => {
  it('an order meeting a read timeout is sent exactly once and throws OrderOutcomeUnknownError', async () => {
    rig = await createRig([{ hang: true }], { readTimeoutMs: 5_000 });
    const sentAt = rig.clock.nowMs();
    const err = await expectUnknown(rig.client.request(ORDER), rig);
    expect(rig.server.requests).toHaveLength(1);
    expect(err.disposition).toBe('unresolved');
    expect(err.trId).toBe('TTTC0012U');
    expect(err.clientRef).toBe('ord-20261123-0001');
    expect(err.sentAtEpochMs).toBe(sentAt);
    expect(err.sentBody).toMatchObject({ PDNO: '005930', ORD_QTY: '10', ORD_UNPR: '71000', CANO: '[REDACTED]' });
    expect(JSON.stringify(err.toJSON())).not.toContain('50001234');
    expect(err.message).not.toContain('50001234');
  });

  it('an order meeting HTTP 500 is sent exactly once', async () => {
    rig = await createRig([{ status: 500, json: kisErr('EGW00001', 'internal error') }]);
    const err = await expectUnknown(rig.client.request(ORDER), rig);
    expect(err.details['reason']).toBe('server-error');
    expect(rig.server.requests).toHaveLength(1);
  });

  it('an order meeting a connection reset after send is sent exactly once', async () => {
    rig = await createRig([{ reset: true }]);
    await expectUnknown(rig.client.request(ORDER), rig);
    expect(rig.server.requests).toHaveLength(1);
  });

  it('an order meeting a malformed 200 reply is sent exactly once', async () => {
    rig = await createRig([{ body: '<html>gateway</html>' }]);
    await expectUnknown(rig.client.request(ORDER), rig);
    expect(rig.server.requests).toHaveLength(1);
  });

  it('an order meeting EGW00201 is retried (the gateway refused it)', async () => {
    rig = await createRig([{ status: 500, json: kisErr('EGW00201', '초당 거래건수를 초과하였습니다.') }, { json: ACCEPTED }]);
    const res = await settle(rig.clock, rig.client.request<typeof ACCEPTED>(ORDER));
    expect(res.body.output.ODNO).toBe('0000117057');
    expect(rig.server.requests).toHaveLength(2);
  });

  it('an order meeting EGW00123 invalidates the token and is retried once', async () => {
    rig = await createRig([{ status: 500, json: kisErr('EGW00123', '기간이 만료된 token 입니다.') }, { json: ACCEPTED }]);
    const res = await settle(rig.clock, rig.client.request(ORDER));
    expect(res.attempts).toBe(2);
    expect(rig.tokens.invalidated).toEqual(['token-alpha-0001']);
  });

  it('an order meeting ECONNREFUSED is retried and sent once when the server is back', async () => {
    const clock = createFakeClock();
    const probe = await createScriptedServer();
    const port = Number(new URL(probe.url).port);
    await probe.close(); // nothing listens on `port` now
    const client = createKisRestClient({
      baseUrl: `http://127.0.0.1:${port}`,
      mode: 'real',
      credentials: TEST_CREDENTIALS,
      tokens: new FakeTokenProvider(),
      clock,
      log: silentLogger,
      limiter: createRateLimiter({ clock, windows: { perSecond: 100 } }),
      random: () => 0,
    });
    try {
      const p = client.request(ORDER);
      const [retry] = (await once(client.events, 'retry')) as [{ rule: string; delayMs: number }];
      expect(retry).toMatchObject({ rule: 'network-before-send', delayMs: 2000 });
      const back = await createScriptedServer({ script: [{ json: ACCEPTED }], port });
      extra.push(back);
      const res = await settle(clock, p);
      expect(res.attempts).toBe(2);
      expect(back.requests).toHaveLength(1);
      expect(back.requests[0]!.json).toMatchObject({ PDNO: '005930', CANO: '50001234' });
    } finally {
      await client.close();
    }
  });

  it('a caller abort after the order was sent is unresolved, not a plain abort', async () => {
    rig = await createRig([{ hang: true }]);
    const ac = new AbortController();
    const p = rig.client.request(ORDER, ac.signal);
    while (rig.server.requests.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    const err = await expectUnknown(p, rig);
    expect(err.details['reason']).toBe('aborted after sending');
  });

  it('a business refusal under HTTP 500 is handled by its code: refused at once, not unknown, sent once (issue 9 item 6)', async () => {
    rig = await createRig([{ status: 500, json: { rt_cd: '1', msg_cd: 'APBK0919', msg1: '장운영시간이 아닙니다.' } }]);
    const err = await settle(rig.clock, rig.client.request(ORDER)).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(err).toMatchObject({ code: 'KIS_API_ERROR', msgCd: 'APBK0919', disposition: 'fatal' });
    expect(rig.server.requests).toHaveLength(1);
  });

  it('a read refused with a business code under HTTP 500 fails at once, without the server-error retries', async () => {
    rig = await createRig([{ status: 500, json: { rt_cd: '1', msg_cd: 'OPSQ2001', msg1: 'ERROR : INPUT INVALID_CHECK_ACNO' } }, { json: { rt_cd: '0', msg_cd: 'MCA00000', msg1: 'ok', output: {} } }]);
    const err = await settle(rig.clock, rig.client.request({ method: 'GET', path: '/uapi/domestic-stock/v1/quotations/inquire-price', trId: 'FHKST01010100', params: { FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: '005930' } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_API_ERROR', msgCd: 'OPSQ2001' });
    expect(rig.server.requests).toHaveLength(1);
  });

  it('a business rejection of an order fails at once (no retry)', async () => {
    rig = await createRig([{ json: { rt_cd: '1', msg_cd: 'APBK0919', msg1: '장운영시간이 아닙니다.' } }]);
    const err = await settle(rig.clock, rig.client.request(ORDER)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_API_ERROR', msgCd: 'APBK0919', disposition: 'fatal' });
    expect(rig.server.requests).toHaveLength(1);
  });
});
