// Seed 001: registrations linger after an abnormal close (→ ALREADY IN SUBSCRIBE), the 10-minute idle cut
// that only application traffic prevents, and PINGPONG liveness in all three answer styles.
import { describe, expect, it } from 'vitest';
import { H0STCNT0_FIELD_COUNT } from '../../../src/sim/ws/frames.js';
import { isData, isPingPong, harnessFixture, TestClient, until, type Harness } from './harness.js';

let h: Harness;
const fx = harnessFixture();
const connect = (): Promise<TestClient> => fx.connect();

describe('lingering registrations after an abnormal close', () => {
  it('a fresh socket re-subscribing gets ALREADY IN SUBSCRIBE and still receives data', async () => {
    h = await fx.start();
    const old = await connect();
    await old.subscribe('approval-A', 'H0STCNT0', '005930');
    await old.subscribe('approval-A', 'H0STASP0', '005930');
    old.ws.terminate(); // no close frame
    await until(() => h.sim.stats().lingering === 2, 'registrations linger');
    expect(h.sim.stats().sessions).toBe(0);

    const fresh = await connect();
    const dup = await fresh.subscribe('approval-A', 'H0STCNT0', '005930');
    expect(dup.body.msg_cd).toBe('OPSP0002');
    expect(h.sim.registrations()).toEqual(
      expect.arrayContaining([
        { appKey: 'PSappkeyAAAAAAAAAAAA', trId: 'H0STCNT0', trKey: '005930', lingering: false },
        { appKey: 'PSappkeyAAAAAAAAAAAA', trId: 'H0STASP0', trKey: '005930', lingering: true },
      ]),
    );
    expect(h.sim.pushTick('H0STCNT0', '005930')).toBe(1);
    const frame = await fresh.next(isData);
    const [, trId, count, payload] = frame.split('|');
    expect([trId, count]).toEqual(['H0STCNT0', '001']);
    expect(payload!.split('^')).toHaveLength(H0STCNT0_FIELD_COUNT);
    // The never re-subscribed one delivers to nobody.
    expect(h.sim.pushTick('H0STASP0', '005930')).toBe(0);
  });

  it('a client that releases first gets UNSUBSCRIBE SUCCESS, then a clean SUBSCRIBE SUCCESS', async () => {
    h = await fx.start();
    const old = await connect();
    await old.subscribe('approval-A', 'H0STCNT0', '005930');
    old.ws.terminate();
    await until(() => h.sim.stats().lingering === 1, 'registration lingers');
    const fresh = await connect();
    expect((await fresh.subscribe('approval-A', 'H0STCNT0', '005930', '2')).body.msg_cd).toBe('OPSP0001');
    expect((await fresh.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
  });

  it('lingering registrations count against the cap and expire after lingerAfterAbnormalCloseMs', async () => {
    h = await fx.start({ maxRegistrations: 2, lingerAfterAbnormalCloseMs: 30_000 });
    const old = await connect();
    await old.subscribe('approval-A', 'H0STCNT0', '005930');
    await old.subscribe('approval-A', 'H0STCNT0', '000660');
    old.ws.terminate();
    await until(() => h.sim.stats().lingering === 2, 'registrations linger');
    const fresh = await connect();
    expect((await fresh.subscribe('approval-A', 'H0STASP0', '005930')).body.msg_cd).toBe('OPSP0008');
    fresh.ws.close(1000);
    await fresh.waitClosed();
    await h.clock.tickAsync(29_000);
    expect(h.sim.stats().lingering).toBe(2);
    await h.clock.tickAsync(2_000);
    expect(h.sim.stats().registrations).toBe(0);
    const later = await connect();
    expect((await later.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
  });

  it('an idle server schedules nothing: its timers run from the first connection until nothing is left to serve', async () => {
    h = await fx.start({ tickRecordsPerSec: 20 });
    expect(h.clock.fake.countTimers()).toBe(0); // a virtual week with nobody connected costs no timer steps
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    expect(h.clock.fake.countTimers()).toBe(3); // PINGPONG, sweep, market data
    await h.clock.tickAsync(10_000);
    expect(c.all.some((m) => m.startsWith('0|H0STCNT0|'))).toBe(true);
    c.ws.terminate(); // abnormal close: the registration lingers, so the sweep keeps running until it expires
    await c.waitClosed();
    await until(() => h.sim.stats().sockets === 0, 'socket gone');
    await h.clock.tickAsync(2_000);
    expect(h.sim.stats().lingering).toBe(1);
    expect(h.clock.fake.countTimers()).toBe(3);
    await h.clock.tickAsync(130_000); // lingerAfterAbnormalCloseMs (120 s) + one sweep
    expect(h.sim.stats().registrations).toBe(0);
    expect(h.clock.fake.countTimers()).toBe(0);
    const again = await connect(); // and they come back with the next connection
    expect((await again.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
    expect(h.clock.fake.countTimers()).toBe(3);
  });

  it('a clean close clears registrations at once', async () => {
    h = await fx.start();
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    c.ws.close(1000, 'bye');
    await c.waitClosed();
    await until(() => h.sim.stats().sessions === 0, 'session reaped');
    expect(h.sim.stats().registrations).toBe(0);
  });
});

describe('idle disconnect (seed 001 §4.2)', () => {
  it('cuts a session after 10 virtual minutes without application traffic even though it answers with ws pings', async () => {
    h = await fx.start({ pingIntervalMs: 10_000, pingTimeoutMs: 100_000 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930'); // application traffic at t=0
    for (let t = 10_000; t <= 590_000; t += 10_000) {
      await h.clock.tickAsync(10_000);
      await c.next(isPingPong);
      const answered = h.sim.stats().pongsReceived;
      c.ws.ping(); // protocol-level keep-alive: liveness, but invisible to the idle cut
      await until(() => h.sim.stats().pongsReceived === answered + 1, 'ws ping seen');
    }
    expect(c.isOpen).toBe(true);
    expect(h.sim.stats().idleDisconnects).toBe(0);
    await h.clock.tickAsync(11_000);
    expect(await c.waitClosed()).toBe(1006); // cut without a close frame
    expect(h.sim.stats()).toMatchObject({ idleDisconnects: 1, pingTimeoutDrops: 0, lingering: 1 });

    // …and the reconnect then meets the lingering registration (the seed's combined failure).
    const again = await connect();
    expect((await again.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0002');
  });

  it('stays up past 15 minutes while the client sends its own PINGPONG text every 60 s', async () => {
    h = await fx.start({ pingIntervalMs: 10_000, pingTimeoutMs: 100_000 });
    const c = await connect();
    for (let t = 0; t < 16 * 60_000; t += 60_000) {
      const answered = h.sim.stats().pongsReceived;
      c.ws.send(JSON.stringify({ header: { tr_id: 'PINGPONG' } }));
      await until(() => h.sim.stats().pongsReceived === answered + 1, 'PINGPONG seen');
      await h.clock.tickAsync(60_000);
    }
    expect(c.isOpen).toBe(true);
    expect(h.sim.stats().idleDisconnects).toBe(0);
    // Nothing but server PINGPONGs came back (no reply to a client PINGPONG).
    expect(c.all.every(isPingPong)).toBe(true);
  });
});

describe('server PINGPONG', () => {
  it('sends PINGPONG every pingIntervalMs with the KST datetime', async () => {
    h = await fx.start({ pingIntervalMs: 10_000 });
    const c = await connect();
    await h.clock.tickAsync(10_000);
    expect(JSON.parse(await c.next(isPingPong))).toEqual({ header: { tr_id: 'PINGPONG', datetime: '20261123100010' } });
    await h.clock.tickAsync(10_000);
    expect(JSON.parse(await c.next(isPingPong)).header.datetime).toBe('20261123100020');
    expect(h.sim.stats().pingsSent).toBe(2);
  });

  it.each(['text echo', 'pong frame', 'ping frame'] as const)('a client answering with a %s survives past pingTimeoutMs', async (style) => {
    h = await fx.start({ pingIntervalMs: 10_000, pingTimeoutMs: 30_000, idleDisconnectMs: 86_400_000 });
    const c = await connect();
    for (let i = 0; i < 12; i++) {
      await h.clock.tickAsync(10_000);
      const ping = await c.next(isPingPong);
      const answered = h.sim.stats().pongsReceived;
      if (style === 'text echo') c.ws.send(ping);
      else if (style === 'pong frame') c.ws.pong();
      else c.ws.ping();
      await until(() => h.sim.stats().pongsReceived === answered + 1, 'answer seen');
    }
    expect(c.isOpen).toBe(true);
    expect(h.sim.stats().pingTimeoutDrops).toBe(0);
  });

  it('drops a silent session after pingTimeoutMs, without a close frame', async () => {
    h = await fx.start({ pingIntervalMs: 10_000, pingTimeoutMs: 30_000, idleDisconnectMs: 86_400_000 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    await h.clock.tickAsync(29_000);
    expect(c.isOpen).toBe(true);
    await h.clock.tickAsync(2_000);
    expect(await c.waitClosed()).toBe(1006);
    expect(h.sim.stats()).toMatchObject({ pingTimeoutDrops: 1, sessions: 0, lingering: 1 });
  });
});
