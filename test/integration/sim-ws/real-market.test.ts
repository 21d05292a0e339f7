// The WebSocket side against the REST side's real contract implementations (SyntheticMarket,
// ApprovalRegistry): quotes flow into frames unchanged, thousands of records per second go through.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalRegistry } from '../../../src/sim/auth/approval-registry.js';
import { SyntheticMarket } from '../../../src/sim/market/synthetic-market.js';
import { attachSimWebSocket, type SimWebSocket } from '../../../src/sim/ws/index.js';
import { H0STCNT0_FIELD_COUNT } from '../../../src/sim/ws/frames.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { APP_A } from '../../unit/sim-ws/fakes.js';
import { isData, TestClient, until } from './harness.js';

let server: Server;
let sim: SimWebSocket;
let client: TestClient | undefined;

afterEach(async () => {
  client?.ws.terminate();
  await sim.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function start(clock: FakeClock, tickRecordsPerSec: number) {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const market = new SyntheticMarket({ seed: 7 });
  const approvals = new ApprovalRegistry(clock);
  sim = attachSimWebSocket({ server, clock, market, approvals, apps: [APP_A], tickRecordsPerSec, maxRecordsPerFrame: 8, pingIntervalMs: 60_000 });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/tryitout`;
  return { market, approvalKey: approvals.issue(APP_A), url };
}

describe('sim ws with the SyntheticMarket', () => {
  it('H0STCNT0 records carry the market quote of that instant', async () => {
    const clock = createFakeClock('2026-11-23 10:15:00');
    const { market, approvalKey, url } = await start(clock, 0);
    client = await TestClient.connect(url);
    expect((await client.subscribe(approvalKey, 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
    expect(sim.pushTick('H0STCNT0', '005930')).toBe(1);
    const fields = (await client.next(isData)).split('|')[3]!.split('^');
    expect(fields).toHaveLength(H0STCNT0_FIELD_COUNT);
    const q = market.krQuote('005930', clock.nowMs())!;
    expect(fields[0]).toBe('005930');
    expect(fields[1]).toBe('101500');
    expect(Number(fields[2])).toBe(q.price);
    expect(Number(fields[13])).toBe(q.volume);
    expect(Number(fields[10])).toBe(q.askPrice1);
  });

  it('delivers 5,000 records per second across 40 subscriptions', async () => {
    const clock = createFakeClock('2026-11-23 10:15:00');
    const { market, approvalKey, url } = await start(clock, 5_000);
    client = await TestClient.connect(url);
    const codes = market.krCodes().slice(0, 40);
    for (const code of codes) expect((await client.subscribe(approvalKey, 'H0STCNT0', code)).body.msg_cd).toBe('OPSP0000');
    for (let i = 0; i < 20; i++) await clock.tickAsync(100);
    const stats = sim.stats();
    expect(stats.recordsSent).toBe(10_000);
    expect(stats.backpressureSkips).toBe(0);
    await until(() => client!.all.filter(isData).length === stats.framesSent, 'all frames received', 5_000);
    let records = 0;
    let misframed = 0;
    for (const frame of client.all.filter(isData)) {
      const [, , nnn, payload] = frame.split('|');
      if (payload!.split('^').length !== Number(nnn) * H0STCNT0_FIELD_COUNT) misframed++;
      records += Number(nnn);
    }
    expect(misframed).toBe(0);
    expect(records).toBe(10_000);
  });
});
