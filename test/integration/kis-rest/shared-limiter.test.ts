// Integration: KisRestApi → client → the key's one limiter (injected into both) → undici → loopback server, on a fake clock.
// Bulk reads never exceed the key's per-second quota at the server, and an order overtakes queued bulk reads.
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';
import { createScriptedServer, kisOk, type ScriptedServer } from '../../helpers/scripted-server.js';
import { createKisRestClient, createRateLimiter, KisRestApi, type KisRestClient } from '../../../src/kis/rest/index.js';
import { FakeTokenProvider, TEST_CREDENTIALS, silentLogger } from '../../unit/kis-rest/support.js';

const QUOTE = { stck_prpr: '71000', stck_oprc: '71500', stck_hgpr: '71800', stck_lwpr: '70700', acml_vol: '1000' };
const ACK = { rt_cd: '0', msg_cd: 'APBK0013', msg1: '주문 전송 완료 되었습니다.', output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000000001', ORD_TMD: '090000' } };

let server: ScriptedServer | undefined;
const clients: KisRestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await server?.close();
});

describe('shared rate limiter across callers (paper: 2/s)', () => {
  it('two clients on one app key share the quota; arrivals never exceed 2 in any 1000 ms; the order goes first', async () => {
    const clock = createFakeClock();
    server = await createScriptedServer({ clock, fallback: (req) => ({ json: req.method === 'POST' ? ACK : kisOk(QUOTE) }) });
    const limiter = createRateLimiter({ clock, windows: { perSecond: 2 } }); // paper: 2/s per app key
    const make = (): KisRestApi => {
      const client = createKisRestClient({ baseUrl: server!.url, mode: 'paper', credentials: TEST_CREDENTIALS, tokens: new FakeTokenProvider(), clock, log: silentLogger, limiter });
      clients.push(client);
      return new KisRestApi(client, { credentials: TEST_CREDENTIALS, log: silentLogger });
    };
    const collector = make();
    const trader = make();
    const reads = Array.from({ length: 8 }, () => collector.inquirePrice('005930', { priority: 'bulk' }));
    await clock.tickAsync(0);
    const order = trader.orderCash({ side: 'buy', code: '005930', qty: 1, price: 71000 });
    await settle(clock, Promise.all([...reads, order]), { stepMs: 5 });

    const arrivals = server.requests.map((r) => r.atMonoMs!);
    expect(arrivals).toHaveLength(9);
    for (let i = 2; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 2]!).toBeGreaterThanOrEqual(1000);
    // The first two reads took the free slots at once; at 1025 ms two slots free up and the order takes one
    // of them, ahead of six queued bulk reads (it may arrive just before or after the read granted with it).
    const methods = server.requests.map((r) => r.method);
    expect(methods.slice(0, 2)).toEqual(['GET', 'GET']);
    expect(methods.indexOf('POST')).toBeLessThanOrEqual(3);
    const post = server.requests.find((r) => r.method === 'POST')!;
    expect(post.atMonoMs! - arrivals[0]!).toBeLessThan(2000);
  });
});
