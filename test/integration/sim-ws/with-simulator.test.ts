// End to end with the real simulator (src/sim/simulator.ts): approval key from REST /oauth2/Approval,
// then the WebSocket on the same port, on a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { attachSimWebSocketTo, type SimWebSocket } from '../../../src/sim/ws/index.js';
import { H0STCNT0_FIELD_COUNT, HDFSCNT0_FIELD_COUNT } from '../../../src/sim/ws/frames.js';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { APP_A } from '../../unit/sim-ws/fakes.js';
import { isData, TestClient } from './harness.js';

let sim: Simulator;
let ws: SimWebSocket;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await sim.close();
});

async function approvalKey(): Promise<string> {
  const res = await fetch(`${sim.restUrl}/oauth2/Approval`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ grant_type: 'client_credentials', appkey: APP_A.appKey, secretkey: APP_A.appSecret }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { approval_key: string }).approval_key;
}

describe('sim ws on createSimulator', () => {
  it('subscribes with a REST-issued approval key and streams ticks on the same port', async () => {
    const clock = createFakeClock('2026-11-23 10:15:00');
    sim = await createSimulator({ clock, apps: [APP_A] });
    ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: 50, pingIntervalMs: 60_000 });
    const key = await approvalKey();
    const c = await TestClient.connect(`${sim.wsUrl}/tryitout/H0STCNT0`);
    clients.push(c);
    expect((await c.subscribe(key, 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
    expect((await c.subscribe('not-issued', 'H0STCNT0', '000660')).body.msg_cd).toBe('OPSP0011');
    await clock.tickAsync(1_000);
    expect(ws.stats().recordsSent).toBe(50);
    const [, trId, nnn, payload] = (await c.next(isData)).split('|');
    expect(trId).toBe('H0STCNT0');
    const fields = payload!.split('^');
    expect(fields).toHaveLength(Number(nnn) * H0STCNT0_FIELD_COUNT);
    expect(Number(fields[2])).toBe(sim.market.krQuote('005930', clock.nowMs())!.price);
  });

  it('serves US ticks at night KST and closes with the simulator', async () => {
    const clock = createFakeClock('2026-11-24 00:10:00'); // 10:10 New York
    sim = await createSimulator({ clock, apps: [APP_A] });
    ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: 0 });
    const c = await TestClient.connect(sim.wsUrl);
    clients.push(c);
    expect((await c.subscribe(await approvalKey(), 'HDFSCNT0', 'DNASAAPL')).body.msg_cd).toBe('OPSP0000');
    expect(ws.pushTick('HDFSCNT0', 'DNASAAPL')).toBe(1);
    const fields = (await c.next(isData)).split('|')[3]!.split('^');
    expect(fields).toHaveLength(HDFSCNT0_FIELD_COUNT);
    expect(fields[0]).toBe('DNASAAPL');
    expect(fields[25]).toBe('1'); // regular session
    await sim.close();
    expect(await c.waitClosed()).toBe(1006);
    expect(ws.stats().sockets).toBe(0);
  });
});
