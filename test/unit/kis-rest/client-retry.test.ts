// Retry / backoff / timeout behaviour of the KIS REST client against a scripted loopback server and a fake clock.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createScriptedServer, kisErr, kisOk, type ScriptedServer, type ScriptStep } from '../../helpers/scripted-server.js';
import { createKisRestClient, type KisRestClient } from '../../../src/kis/rest/client.js';
import type { KisRestClientOptions } from '../../../src/kis/rest/client-options.js';
import { createRateLimiter } from '../../../src/net/rate-limiter.js';
import { KisApiError, KisNetworkError } from '../../../src/kis/rest/errors.js';
import { FakeTokenProvider, TEST_CREDENTIALS, silentLogger } from './support.js';

const PRICE = { method: 'GET' as const, path: '/uapi/domestic-stock/v1/quotations/inquire-price', trId: 'FHKST01010100', params: { FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: '005930' } };

let server: ScriptedServer | undefined;
let client: KisRestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setup(script: ScriptStep[], over: Partial<KisRestClientOptions> = {}): Promise<{ clock: FakeClock; tokens: FakeTokenProvider; server: ScriptedServer; client: KisRestClient }> {
  const clock = createFakeClock();
  server = await createScriptedServer({ script, clock });
  const tokens = new FakeTokenProvider();
  client = createKisRestClient({
    baseUrl: server.url,
    mode: 'real',
    credentials: TEST_CREDENTIALS,
    tokens,
    clock,
    log: silentLogger,
    limiter: createRateLimiter({ clock, windows: { perSecond: 100 } }),
    random: () => 0.5,
    ...over,
  });
  return { clock, tokens, server, client };
}

describe('KIS REST client retries', () => {
  it('500, 500, 200 returns the data after exactly 3 requests with base×2^n + jitter delays', async () => {
    const { clock, server: srv, client: c } = await setup([
      { status: 500, json: kisErr('EGW00001', 'internal') },
      { status: 500, body: '<html><body>500 Internal Server Error</body></html>' },
      { json: kisOk({ stck_prpr: '71000' }) },
    ]);
    const retries: number[] = [];
    c.events.on('retry', (e) => retries.push(e.delayMs));
    const p = c.request<{ output: { stck_prpr: string } }>(PRICE);

    await once(c.events, 'retry');
    const t1 = clock.monotonicMs();
    await clock.tickAsync(2249);
    expect(srv.requests).toHaveLength(1);
    const second = once(c.events, 'attempt');
    await clock.tickAsync(1);
    const [a2] = (await second) as [{ atMonoMs: number; attempt: number }];
    expect(a2.attempt).toBe(2);
    expect(a2.atMonoMs - t1).toBe(2250); // 2000 × 2^0 + 0.5 × 500

    await once(c.events, 'retry');
    const t2 = clock.monotonicMs();
    await clock.tickAsync(4249);
    expect(srv.requests).toHaveLength(2);
    const third = once(c.events, 'attempt');
    await clock.tickAsync(1);
    const [a3] = (await third) as [{ atMonoMs: number }];
    expect(a3.atMonoMs - t2).toBe(4250); // 2000 × 2^1 + 250

    const res = await p;
    expect(res.body.output.stck_prpr).toBe('71000');
    expect(res.attempts).toBe(3);
    expect(srv.requests).toHaveLength(3);
    expect(retries).toEqual([2250, 4250]);
  });

  it('retries 502, 503 and 504 with HTML, JSON and empty bodies', async () => {
    const { clock, server: srv, client: c } = await setup(
      [
        { status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>' },
        { status: 503, json: kisErr('EGW00002', 'service unavailable') },
        { status: 504, body: '' },
        { json: kisOk({ stck_prpr: '1' }) },
      ],
      { backoffBaseMs: 100, backoffJitterMs: 0 },
    );
    const rules: string[] = [];
    c.events.on('outcome', (e) => rules.push(`${e.httpStatus}:${e.outcome}`));
    const res = await settle(clock, c.request(PRICE));
    expect(res.attempts).toBe(4);
    expect(srv.requests).toHaveLength(4);
    expect(rules).toEqual(['502:server-error', '503:server-error', '504:server-error', '200:success']);
  });

  it('retries a read after a connection reset', async () => {
    const { clock, server: srv, client: c } = await setup([{ reset: true }, { json: kisOk({ a: '1' }) }], { backoffBaseMs: 100 });
    const outcomes: string[] = [];
    c.events.on('outcome', (e) => outcomes.push(`${e.outcome}/${e.rule}`));
    const res = await settle(clock, c.request(PRICE));
    expect(res.attempts).toBe(2);
    expect(srv.requests).toHaveLength(2);
    expect(outcomes).toEqual(['network-error/network-after-send', 'success/success']);
  });

  it('times out a hung read at exactly readTimeoutMs on the clock and retries it', async () => {
    const { clock, server: srv, client: c } = await setup([{ hang: true }, { json: kisOk({ a: '1' }) }], { readTimeoutMs: 20_000, backoffBaseMs: 100, backoffJitterMs: 0 });
    const p = c.request(PRICE);
    const [first] = (await once(c.events, 'attempt')) as [{ atMonoMs: number }];
    // wait for the server to hold the request, without moving virtual time
    while (srv.requests.length === 0) await new Promise((r) => setImmediate(r));
    let outcome: string | undefined;
    c.events.once('outcome', (e) => (outcome = e.outcome));
    await clock.tickAsync(19_999);
    expect(outcome).toBeUndefined();
    const timedOut = once(c.events, 'outcome');
    await clock.tickAsync(1);
    await timedOut;
    expect(outcome).toBe('network-error');
    expect(clock.monotonicMs() - first.atMonoMs).toBe(20_000);
    const res = await settle(clock, p);
    expect(res.attempts).toBe(2);
    expect(srv.requests).toHaveLength(2);
  });

  it('EGW00201: pauses the limiter for rateLimitedWaitMs, then retries', async () => {
    const { clock, server: srv, client: c } = await setup([{ status: 500, json: kisErr('EGW00201', '초당 거래건수를 초과하였습니다.') }, { json: kisOk() }], { rateLimitedWaitMs: 1000 });
    const p = c.request(PRICE);
    const [r] = (await once(c.events, 'retry')) as [{ rule: string; delayMs: number }];
    expect(r).toMatchObject({ rule: 'rate-limited', delayMs: 1000 });
    const t = clock.monotonicMs();
    await clock.tickAsync(999);
    expect(srv.requests).toHaveLength(1);
    const next = once(c.events, 'attempt');
    await clock.tickAsync(1);
    const [a] = (await next) as [{ atMonoMs: number }];
    expect(a.atMonoMs - t).toBe(1000);
    expect((await p).attempts).toBe(2);
  });

  it('a business error (rt_cd 1, APBK0919) fails at once after exactly 1 request', async () => {
    const { clock, server: srv, client: c } = await setup([{ json: { rt_cd: '1', msg_cd: 'APBK0919', msg1: '장운영일자가 주문일과 상이합니다' } }]);
    const err = await settle(clock, c.request(PRICE)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KisApiError);
    expect(err).toMatchObject({ msgCd: 'APBK0919', trId: 'FHKST01010100', disposition: 'fatal', attempts: 1 });
    expect(srv.requests).toHaveLength(1);
  });

  it('other 4xx fails at once', async () => {
    const { clock, server: srv, client: c } = await setup([{ status: 404, body: 'not found' }]);
    const err = await settle(clock, c.request(PRICE)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_API_ERROR', httpStatus: 404, disposition: 'fatal' });
    expect(srv.requests).toHaveLength(1);
  });

  it('gives up after maxRetries + 1 attempts with a retryable error', async () => {
    const { clock, server: srv, client: c } = await setup([{ status: 500, body: '' }, { status: 500, body: '' }, { status: 500, body: '' }], {
      maxRetries: 2,
      backoffBaseMs: 10,
      backoffJitterMs: 0,
    });
    const err = await settle(clock, c.request(PRICE)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_API_ERROR', disposition: 'retryable', httpStatus: 500 });
    expect(srv.requests).toHaveLength(3);
  });

  it('a malformed 200 reply to a read is counted and retried', async () => {
    const { clock, server: srv, client: c } = await setup([{ body: '{"output":' }, { json: kisOk() }], { backoffBaseMs: 10 });
    const malformed: string[] = [];
    c.events.on('malformed', (e) => malformed.push(e.bodyKind));
    const res = await settle(clock, c.request(PRICE));
    expect(res.attempts).toBe(2);
    expect(malformed).toEqual(['other']);
    expect(srv.requests).toHaveLength(2);
  });

  it('a token fetch failure is retried after backoff (nothing was sent)', async () => {
    const { clock, tokens, server: srv, client: c } = await setup([{ json: kisOk() }], { backoffBaseMs: 10 });
    tokens.failNext = 1;
    const res = await settle(clock, c.request(PRICE));
    expect(res.attempts).toBe(2);
    expect(srv.requests).toHaveLength(1);
  });

  it('network errors carry their kind', async () => {
    const { clock, client: c, server: srv } = await setup([], { maxRetries: 0 });
    await srv.close();
    const err = await settle(clock, c.request(PRICE)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KisNetworkError);
    expect(err).toMatchObject({ kind: 'connect-refused', reachedServer: 'no' });
  });
});
