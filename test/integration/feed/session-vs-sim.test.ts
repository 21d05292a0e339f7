// WsSession against the simulator's WebSocket server with its scripted faults (seed 001 §4.1 ALREADY IN
// SUBSCRIBE, §4.2 idle cut): after every fault the session must end up with every subscription
// acknowledged and ticks flowing again.
import { afterEach, describe, expect, it } from 'vitest';
import type { KrExecutionNotice, RealtimeEvent } from '../../../src/kis/ws/events.js';
import { advanceFor, advanceUntil, startClient, startSim, stopClient, type ClientRig, type SimRig } from './sim-harness.js';

const DESIRED = [
  { trId: 'H0STCNT0', trKey: '005930' },
  { trId: 'H0STCNT0', trKey: '000660' },
  { trId: 'H0STASP0', trKey: '005930' },
];
const START = '2026-11-23 10:15:00'; // Monday, KRX in session

let rig: SimRig | undefined;
let clients: ClientRig[] = [];

afterEach(async () => {
  if (rig) for (const c of clients) await stopClient(rig, c);
  await rig?.close();
  rig = undefined;
  clients = [];
});

async function setup(simOpts: Parameters<typeof startSim>[1] = {}, clientOpts: Parameters<typeof startClient>[1] = {}) {
  rig = await startSim(START, simOpts);
  const c = startClient(rig, clientOpts);
  clients.push(c);
  c.session.setDesired(DESIRED);
  c.session.start();
  await advanceUntil(rig.clock, () => c.session.status().acknowledged === 3, 'initial acks');
  return { rig, c };
}

/** Pushes one tick per desired key and waits until the client decoded all of them. */
async function ticksFlow(r: SimRig, c: ClientRig): Promise<RealtimeEvent[]> {
  const before = c.events.length;
  let sent = 0;
  for (const d of DESIRED) sent += r.sim.pushTick(d.trId, d.trKey);
  expect(sent).toBe(DESIRED.length);
  await advanceUntil(r.clock, () => c.events.length >= before + sent, 'ticks');
  return c.events.slice(before);
}

const lifeOf = (c: ClientRig, type: string) => c.life.filter((e) => e.type === type);

describe('WsSession vs simulator', () => {
  it('abnormal close: lingering registrations are released first, so every subscription comes back', async () => {
    const { rig: r, c } = await setup();
    expect((await ticksFlow(r, c)).map((e) => e.kind).sort()).toEqual(['kr-book', 'kr-tick', 'kr-tick']);
    r.sim.faults.abruptClose();
    await advanceUntil(r.clock, () => r.sim.registrations().every((x) => x.lingering), 'lingering');
    await advanceUntil(r.clock, () => c.session.status().counters.connects === 2 && c.session.status().acknowledged === 3, 'resubscribed');
    const stats = r.sim.stats();
    expect(stats.controlReplies.OPSP0001).toBe(3); // the lingering ones, released
    expect(stats.controlReplies.OPSP0002 ?? 0).toBe(0);
    expect(r.sim.registrations()).toHaveLength(3);
    expect(r.sim.registrations().every((x) => !x.lingering)).toBe(true);
    await ticksFlow(r, c);
  });

  it('a restarted client (no memory) after an abnormal close also clears the lingering registrations', async () => {
    const { rig: r, c } = await setup();
    r.sim.faults.abruptClose();
    await stopClient(r, c);
    clients = [];
    const fresh = startClient(r);
    clients.push(fresh);
    fresh.session.setDesired(DESIRED);
    fresh.session.start();
    await advanceUntil(r.clock, () => fresh.session.status().acknowledged === 3, 'fresh acks');
    expect(r.sim.stats().controlReplies.OPSP0002 ?? 0).toBe(0);
    expect(r.sim.registrations().filter((x) => x.lingering)).toHaveLength(0);
    await ticksFlow(r, fresh);
  });

  it('no idle cut while the 30 s application PINGPONG runs; an idle cut without it is recovered', async () => {
    // Server PINGPONGs off so only the client's own traffic keeps the L4 idle timer (600 s) happy.
    const simOpts = { pingIntervalMs: 3_600_000, pingTimeoutMs: 86_400_000, idleDisconnectMs: 600_000 };
    const { rig: r, c } = await setup(simOpts, { deadAfterSilenceMs: 3_600_000 });
    await advanceFor(r.clock, 15 * 60_000, 1000);
    expect(r.sim.stats().idleDisconnects).toBe(0);
    expect(c.session.status().counters).toMatchObject({ connects: 1, drops: 0 });
    expect(c.session.status().counters.keepalivesSent).toBeGreaterThanOrEqual(29);
    await stopClient(r, c);

    const quiet = startClient(r, { keepaliveIntervalMs: 20 * 60_000, deadAfterSilenceMs: 3_600_000 });
    clients = [quiet];
    quiet.session.setDesired(DESIRED);
    quiet.session.start();
    await advanceUntil(r.clock, () => r.sim.stats().idleDisconnects === 1, 'idle cut', 1000, 700_000);
    await advanceUntil(r.clock, () => quiet.session.status().counters.connects === 2 && quiet.session.status().acknowledged === 3, 'back after idle cut');
    await ticksFlow(r, quiet);
  });

  it('answers the server PINGPONG (text echo) so the server never drops it for silence', async () => {
    const { rig: r, c } = await setup({ pingIntervalMs: 10_000, pingTimeoutMs: 100_000 });
    await advanceFor(r.clock, 5 * 60_000, 1000);
    expect(r.sim.stats().pingTimeoutDrops).toBe(0);
    expect(r.sim.stats().pongsReceived).toBeGreaterThanOrEqual(29);
    expect(c.session.status().counters.pingpongsEchoed).toBeGreaterThanOrEqual(29);
    expect(c.session.status().counters).toMatchObject({ connects: 1, deadSockets: 0 });
    await ticksFlow(r, c);
  });

  it('MAX SUBSCRIBE OVER is surfaced per key and not retried in a loop', async () => {
    rig = await startSim(START, { maxRegistrations: 3 });
    const c = startClient(rig);
    clients.push(c);
    c.session.setDesired([...DESIRED, { trId: 'H0STCNT0', trKey: '373220' }, { trId: 'H0STASP0', trKey: '000660' }]);
    c.session.start();
    await advanceUntil(rig.clock, () => c.session.status().acknowledged === 3 && c.session.status().rejected === 2, 'acks + rejections');
    await advanceFor(rig.clock, 60_000, 1000);
    expect(rig.sim.stats().controlReplies.OPSP0008).toBe(2);
    expect(lifeOf(c, 'error').map((e) => (e as { code: string }).code)).toEqual(['KIS_WS_MAX_SUBSCRIBE', 'KIS_WS_MAX_SUBSCRIBE']);
    expect(c.session.status()).toMatchObject({ desired: 5, acknowledged: 3, rejected: 2 });
    await ticksFlow(rig, c);
  });

  it('a key refused with MAX SUBSCRIBE OVER is retried on that connection once a release frees room (issue 9 item 6)', async () => {
    rig = await startSim(START, { maxRegistrations: 3 });
    const c = startClient(rig);
    clients.push(c);
    const extra = [{ trId: 'H0STCNT0', trKey: '373220' }, { trId: 'H0STASP0', trKey: '000660' }];
    c.session.setDesired([...DESIRED, ...extra]);
    c.session.start();
    await advanceUntil(rig.clock, () => c.session.status().acknowledged === 3 && c.session.status().rejected === 2, 'acks + rejections');
    // Drop one registered key: its release frees one slot, which goes to one refused key, on the same connection.
    c.session.setDesired([...DESIRED.slice(1), ...extra]);
    await advanceUntil(rig.clock, () => c.session.status().acknowledged === 3, 'the freed slot used');
    await advanceFor(rig.clock, 30_000, 1000);
    expect(c.session.status()).toMatchObject({ desired: 4, acknowledged: 3, rejected: 1 });
    expect(c.session.status().counters.connects).toBe(1);
    expect(rig.sim.stats().controlReplies.OPSP0008).toBe(2); // the other refused key waits for the next free slot
    expect(rig.sim.registrations().filter((r) => !r.lingering)).toHaveLength(3);
  });

  it('invalid approval key: invalidated, re-issued once, all subscriptions acknowledged', async () => {
    rig = await startSim(START);
    rig.keys.bogusFirst = 'bogus-approval-key-000000000000';
    const c = startClient(rig);
    clients.push(c);
    c.session.setDesired(DESIRED);
    c.session.start();
    await advanceUntil(rig.clock, () => c.session.status().acknowledged === 3, 'acks after re-issue');
    expect(rig.keys.invalidated).toEqual(['bogus-approval-key-000000000000']);
    expect(rig.keys.issued).toBe(1);
    expect(rig.sim.stats().controlReplies.OPSP0011).toBeGreaterThanOrEqual(1);
    expect(c.session.status().counters).toMatchObject({ approvalReissues: 1, connects: 1 });
    await ticksFlow(rig, c);
  });

  it('half-open socket: detected by silence, replaced, ALREADY IN USE waited out, everything back', async () => {
    const { rig: r, c } = await setup({ pingIntervalMs: 10_000, pingTimeoutMs: 100_000 });
    r.sim.faults.halfOpen();
    await advanceUntil(r.clock, () => lifeOf(c, 'dead').length === 1, 'dead', 500);
    const dead = lifeOf(c, 'dead')[0] as { silentMs: number };
    expect(dead.silentMs).toBeGreaterThanOrEqual(60_000);
    expect(dead.silentMs).toBeLessThanOrEqual(66_000);
    await advanceUntil(r.clock, () => c.session.status().acknowledged === 3 && c.session.status().state === 'ready', 'replacement ready', 500);
    expect(c.session.status().counters.deadSockets).toBe(1);
    // the server held the half-open session (and the app key) until its own PINGPONG timeout
    expect(c.session.status().counters.inUse).toBeGreaterThanOrEqual(1);
    expect(r.sim.stats().controlReplies.OPSP8996).toBeGreaterThanOrEqual(1);
    expect(r.sim.stats().controlReplies.OPSP0001).toBe(3); // its lingering registrations released first
    expect(r.sim.stats().sockets).toBe(1);
    await ticksFlow(r, c);
  });

  it('weekly drop-all: reconnects and registers everything again', async () => {
    const { rig: r, c } = await setup();
    r.sim.faults.weeklyRestart();
    await advanceUntil(r.clock, () => c.session.status().counters.connects === 2 && c.session.status().acknowledged === 3, 'after restart');
    expect(r.sim.registrations()).toHaveLength(3);
    await ticksFlow(r, c);
  });

  it('garbage frames are counted as malformed and the stream continues', async () => {
    const { rig: r, c } = await setup();
    r.sim.faults.garbage(9);
    await advanceUntil(r.clock, () => c.session.status().parse.malformedFrames === 9, 'garbage counted');
    expect(c.session.status().counters).toMatchObject({ connects: 1, drops: 0 });
    const events = await ticksFlow(r, c);
    expect(events).toHaveLength(3);
  });

  it('execution notices arrive decrypted with the key/iv from the subscribe reply', async () => {
    rig = await startSim(START);
    const c = startClient(rig);
    clients.push(c);
    c.session.setDesired([{ trId: 'H0STCNI0', trKey: 'kisd0001' }]);
    c.session.start();
    await advanceUntil(rig.clock, () => c.session.status().acknowledged === 1, 'notice ack');
    const sent = rig.sim.publishExecutionNotice('kisd0001', {
      ODER_NO: '0000117057', SELN_BYOV_CLS: '02', STCK_SHRN_ISCD: '005930', CNTG_YN: '2', CNTG_QTY: '10', CNTG_UNPR: '71000',
    } as never);
    expect(sent).toBe(1);
    await advanceUntil(rig.clock, () => c.events.length === 1, 'notice');
    expect(c.events[0]).toMatchObject({ kind: 'kr-notice', orderNo: '0000117057', code: '005930', isFill: true, qty: 10, price: 71000 } satisfies Partial<KrExecutionNotice>);
  });
});
