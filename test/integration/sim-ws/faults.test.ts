// Scripted faults of the simulated KIS WebSocket server, each observed from a plain ws client.
import { describe, expect, it } from 'vitest';
import { garbageFrames } from '../../../src/sim/ws/frames.js';
import { ioTurn, isData, isPingPong, harnessFixture, TestClient, until, type Harness } from './harness.js';

let h: Harness;
const fx = harnessFixture();
const connect = (): Promise<TestClient> => fx.connect();

async function ioTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await ioTurn();
}

describe('sim ws faults', () => {
  it('abruptClose cuts every socket without a close frame and leaves registrations lingering', async () => {
    h = await fx.start();
    const a = await connect();
    const b = await connect();
    await a.subscribe('approval-A', 'H0STCNT0', '005930');
    await b.subscribe('approval-B', 'H0STCNT0', '005930');
    h.sim.faults.abruptClose();
    expect(await a.waitClosed()).toBe(1006);
    expect(await b.waitClosed()).toBe(1006);
    expect(h.sim.stats()).toMatchObject({ sessions: 0, registrations: 2, lingering: 2 });
    const again = await connect();
    expect((await again.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0002');
  });

  it('halfOpen: silence both ways, never closed; reaped server-side after pingTimeoutMs', async () => {
    h = await fx.start({ pingIntervalMs: 10_000, pingTimeoutMs: 30_000, idleDisconnectMs: 86_400_000 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    h.sim.faults.halfOpen();
    c.request('approval-A', 'H0STCNT0', '000660');
    c.ws.ping();
    await h.clock.tickAsync(20_000);
    expect(h.sim.pushTick('H0STCNT0', '005930')).toBe(0);
    await ioTurns(20);
    expect(c.pending).toEqual([]); // no reply, no PINGPONG, no data
    expect(h.sim.registrations().map((r) => r.trKey)).toEqual(['005930']); // input ignored
    expect(c.isOpen).toBe(true);

    // The server still believes in the old session: a reconnect is refused with OPSP8996.
    const second = await connect();
    expect((await second.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP8996');
    second.ws.close(1000);
    await second.waitClosed();

    await h.clock.tickAsync(11_000);
    expect(h.sim.stats()).toMatchObject({ pingTimeoutDrops: 1, sessions: 0, sockets: 1, lingering: 1 });
    expect(c.isOpen).toBe(true); // the socket is never closed by the server
    const third = await connect();
    expect((await third.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0002');
  });

  it('halfOpen: a client close is never seen, so the app key stays taken until the reap', async () => {
    h = await fx.start({ pingIntervalMs: 10_000, pingTimeoutMs: 30_000, idleDisconnectMs: 86_400_000 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    h.sim.faults.halfOpen();
    c.ws.terminate();
    await c.waitClosed();
    await until(() => h.sim.stats().sockets === 0, 'socket closed');
    expect(h.sim.stats().sessions).toBe(1);
    const next = await connect();
    expect((await next.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP8996');
    // Keep `next` alive through the wait by echoing its PINGPONGs.
    for (let i = 0; i < 3; i++) {
      await h.clock.tickAsync(10_000);
      next.ws.send(await next.next(isPingPong));
    }
    await until(() => h.sim.stats().sessions === 1, 'ghost reaped');
    expect(h.sim.stats().pingTimeoutDrops).toBe(1);
    expect((await next.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0002');
  });

  it('garbage(n) delivers n malformed frames to every session', async () => {
    h = await fx.start();
    const c = await connect();
    h.sim.faults.garbage(9);
    const expected = garbageFrames(9).map((f) => (typeof f === 'string' ? f : '<binary>'));
    await until(() => c.all.length === 9, 'garbage received');
    expect(c.all).toEqual(expected);
    expect(h.sim.stats().garbageFramesSent).toBe(9);
    h.sim.faults.garbage();
    await until(() => c.all.length === 10, 'one more');
  });

  it('delayControlReplies holds replies on the clock while the registration takes effect at once', async () => {
    h = await fx.start({ pingIntervalMs: 600_000 });
    const c = await connect();
    h.sim.faults.delayControlReplies(5_000);
    c.request('approval-A', 'H0STCNT0', '005930');
    await until(() => h.sim.stats().registrations === 1, 'registered');
    // Data can overtake the delayed reply, as it can on a slow KIS gateway.
    expect(h.sim.pushTick('H0STCNT0', '005930')).toBe(1);
    await c.next(isData);
    await h.clock.tickAsync(4_999);
    await ioTurns(10);
    expect(c.pending).toEqual([]);
    await h.clock.tickAsync(1);
    expect((await c.nextReply()).body.msg_cd).toBe('OPSP0000');
    h.sim.faults.delayControlReplies(0);
    expect((await c.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0002');
  });

  it('dropControlReplies loses the next replies but not their effect', async () => {
    h = await fx.start();
    const c = await connect();
    h.sim.faults.dropControlReplies(1);
    c.request('approval-A', 'H0STCNT0', '005930');
    const next = await c.subscribe('approval-A', 'H0STCNT0', '000660');
    expect(next.header.tr_key).toBe('000660'); // the first reply never came
    expect(c.pending).toEqual([]);
    expect((await c.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0002');
    expect(h.sim.stats()).toMatchObject({ controlRepliesDropped: 1, controlReplies: { OPSP0000: 2, OPSP0002: 1 } });
  });

  it('weeklyRestart drops every socket and forgets all registrations', async () => {
    h = await fx.start();
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    h.sim.faults.weeklyRestart();
    expect(await c.waitClosed()).toBe(1006);
    expect(h.sim.stats()).toMatchObject({ sessions: 0, sockets: 0, registrations: 0 });
    const again = await connect();
    expect((await again.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
  });

  it('close() cuts sockets, stops timers and refuses new upgrades', async () => {
    h = await fx.start({ tickRecordsPerSec: 100 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    await h.sim.close();
    expect(await c.waitClosed()).toBe(1006);
    const before = h.sim.stats();
    await h.clock.tickAsync(60_000);
    expect(h.sim.stats()).toEqual(before);
    await expect(TestClient.connect(h.url)).rejects.toThrow();
  });
});
