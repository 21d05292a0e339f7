// WsSession against a scripted ws server on 127.0.0.1:0, time on the fake clock (seed 001 §4.1-4.2).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { WsSession } from '../../../src/kis/ws/session.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import type { SessionLifecycleEvent } from '../../../src/kis/ws/session-events.js';
import type { WsSessionOptions } from '../../../src/kis/ws/session-options.js';
import { advance, advanceUntil, control, FakeApprovalKeys, kisLikeResponder, ScriptedServer } from './scripted-server.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/ws-frames');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8').replace(/\n$/, '');

interface Rig {
  clock: FakeClock;
  server: ScriptedServer;
  session: WsSession;
  events: RealtimeEvent[];
  life: (SessionLifecycleEvent & { atMs: number })[];
  keys: FakeApprovalKeys;
}

let rigs: Rig[] = [];

async function rig(opts: Partial<WsSessionOptions> = {}, keys = new FakeApprovalKeys()): Promise<Rig> {
  const clock = createFakeClock('2026-11-23 09:00:00');
  const server = await ScriptedServer.start(clock);
  const events: RealtimeEvent[] = [];
  const session = new WsSession({
    clock,
    log: pino({ level: 'silent' }),
    url: server.url,
    approvalKeys: keys,
    sink: (ev) => events.push(ev),
    subscribeSpacingMs: 100,
    releaseGraceMs: 3000,
    random: () => 0,
    ...opts,
  });
  const life: Rig['life'] = [];
  session.on((ev) => life.push({ ...ev, atMs: clock.nowMs() }));
  const r = { clock, server, session, events, life, keys };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs) {
    const stopped = r.session.stop();
    await advanceUntil(r.clock, () => r.session.status().state === 'stopped', { stepMs: 50, maxVirtualMs: 20_000 }).catch(() => undefined);
    await stopped;
    await r.server.close();
  }
  rigs = [];
});

const lifeOf = (r: Rig, type: SessionLifecycleEvent['type']) => r.life.filter((e) => e.type === type);

describe('WsSession: release first, grace, then re-subscribe', () => {
  it('releases every desired key, waits 3 s, then subscribes them, on every connection', async () => {
    const r = await rig();
    r.session.subscribe('H0STCNT0', '005930');
    r.session.subscribe('H0STASP0', '005930');
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 2, { what: 'acks' });
    expect(r.server.requests(0)).toEqual(['2:H0STCNT0:005930', '2:H0STASP0:005930', '1:H0STCNT0:005930', '1:H0STASP0:005930']);
    const [rel1, rel2, sub1, sub2] = r.server.requestTimes(0) as [number, number, number, number];
    expect(rel2 - rel1).toBeGreaterThanOrEqual(90);
    expect(rel2 - rel1).toBeLessThanOrEqual(120);
    expect(sub1 - rel2).toBeGreaterThanOrEqual(3000 - 10);
    expect(sub1 - rel2).toBeLessThanOrEqual(3000 + 30);
    expect(sub2 - sub1).toBeGreaterThanOrEqual(90);
    expect(lifeOf(r, 'released')).toHaveLength(1);
    expect(lifeOf(r, 'ready')).toHaveLength(1);

    // Abnormal close from the server side: the session comes back and does the same dance.
    const closedAt = r.clock.nowMs();
    r.server.last().terminate();
    await advanceUntil(r.clock, () => r.server.sockets.length === 2, { what: 'reconnect' });
    expect(r.server.connectedAt[1]! - closedAt).toBeGreaterThanOrEqual(1000);
    expect(r.server.connectedAt[1]! - closedAt).toBeLessThanOrEqual(1100);
    await advanceUntil(r.clock, () => r.server.requests(1).length === 4 && r.session.status().acknowledged === 2, { what: 'resubscribed' });
    expect(r.server.requests(1)).toEqual(['2:H0STCNT0:005930', '2:H0STASP0:005930', '1:H0STCNT0:005930', '1:H0STASP0:005930']);
    const t = r.server.requestTimes(1);
    expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(2990);
    expect(r.session.status().counters).toMatchObject({ connects: 2, reconnects: 1, drops: 1, acks: 4 });
  });

  it('counts OPSP0002 ALREADY IN SUBSCRIBE as acknowledged', async () => {
    const r = await rig();
    r.server.respond = (msg, ws, server) => {
      const input = msg.json?.body?.input;
      if (msg.json?.header?.tr_type === '1' && input) ws.send(control(input.tr_id, input.tr_key, '1', 'OPSP0002', 'ALREADY IN SUBSCRIBE'));
      else kisLikeResponder(msg, ws, server);
    };
    r.session.setDesired([{ trId: 'H0STCNT0', trKey: '005930' }, { trId: 'H0STCNT0', trKey: '000660' }]);
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 2, { what: 'acks' });
    expect(r.session.status().counters).toMatchObject({ acks: 2, alreadySubscribed: 2, rejected: 0 });
    expect(lifeOf(r, 'acknowledged').map((e) => (e as { msgCd: string }).msgCd)).toEqual(['OPSP0002', 'OPSP0002']);
    // and nothing is resent
    await advance(r.clock, 2000, 100);
    expect(r.server.requests(0).filter((q) => q.startsWith('1:'))).toHaveLength(2);
  });

  it('skips the release step and the grace when nothing was ever registered', async () => {
    const r = await rig();
    r.session.start();
    await advanceUntil(r.clock, () => lifeOf(r, 'ready').length === 1);
    const readyAt = lifeOf(r, 'ready')[0]!.atMs;
    expect(readyAt - r.server.connectedAt[0]!).toBeLessThan(100);
    r.session.subscribe('HDFSCNT0', 'DNASAAPL');
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 1);
    expect(r.server.requests(0)).toEqual(['1:HDFSCNT0:DNASAAPL']);
  });
});

describe('WsSession: subscriptions', () => {
  it('refuses more than maxSubscriptions with a clear error and changes nothing', async () => {
    const r = await rig({ maxSubscriptions: 3 });
    r.session.subscribe('H0STCNT0', '000001');
    r.session.subscribe('H0STCNT0', '000002');
    r.session.subscribe('H0STCNT0', '000003');
    r.session.subscribe('H0STCNT0', '000003'); // duplicate is not a new registration
    expect(() => r.session.subscribe('H0STCNT0', '000004')).toThrowError(/at most 3/);
    try {
      r.session.setDesired(['1', '2', '3', '4'].map((k) => ({ trId: 'H0STCNT0', trKey: k })));
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('KIS_WS_SUBSCRIPTION_CAP');
    }
    expect(r.session.desired().map((d) => d.trKey)).toEqual(['000001', '000002', '000003']);
  });

  it('unsubscribe while connected sends a release and forgets the ack', async () => {
    const r = await rig();
    r.session.start();
    await advanceUntil(r.clock, () => lifeOf(r, 'ready').length === 1);
    r.session.subscribe('H0STCNT0', '005930');
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 1);
    r.session.unsubscribe('H0STCNT0', '005930');
    await advanceUntil(r.clock, () => r.session.status().counters.releases === 1);
    expect(r.server.requests(0)).toEqual(['1:H0STCNT0:005930', '2:H0STCNT0:005930']);
    expect(r.session.status()).toMatchObject({ desired: 0, acknowledged: 0, pending: 0 });
  });

  it('surfaces OPSP0008 MAX SUBSCRIBE OVER and does not retry that key in a loop', async () => {
    const r = await rig();
    r.server.respond = (msg, ws, server) => {
      const input = msg.json?.body?.input;
      if (msg.json?.header?.tr_type === '1' && input?.tr_key === '035720') ws.send(control(input.tr_id, input.tr_key, '1', 'OPSP0008', 'MAX SUBSCRIBE OVER'));
      else kisLikeResponder(msg, ws, server);
    };
    r.session.start();
    r.session.setDesired([{ trId: 'H0STCNT0', trKey: '005930' }, { trId: 'H0STCNT0', trKey: '035720' }]);
    await advanceUntil(r.clock, () => lifeOf(r, 'error').length === 1 && r.session.status().acknowledged === 1);
    await advance(r.clock, 30_000, 500);
    expect(r.server.requests(0).filter((q) => q === '1:H0STCNT0:035720')).toHaveLength(1);
    expect(lifeOf(r, 'error')[0]).toMatchObject({ code: 'KIS_WS_MAX_SUBSCRIBE', trKey: '035720', msgCd: 'OPSP0008' });
    expect(r.session.status()).toMatchObject({ desired: 2, acknowledged: 1, rejected: 1 });
  });

  it('OPSP0011: invalidates the approval key, re-issues it once and retries with the new key', async () => {
    const keys = new FakeApprovalKeys(['approval-key-bad-01', 'approval-key-good-2']);
    const r = await rig({}, keys);
    r.server.respond = (msg, ws, server) => {
      const input = msg.json?.body?.input;
      if (input && msg.json?.header?.approval_key === 'approval-key-bad-01') {
        ws.send(control(input.tr_id, input.tr_key, '1', 'OPSP0011', 'invalid approval : approval-key-bad-01'));
      } else kisLikeResponder(msg, ws, server);
    };
    r.session.setDesired([{ trId: 'H0STCNT0', trKey: '005930' }, { trId: 'H0STCNT0', trKey: '000660' }]);
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 2, { what: 'acks after re-issue' });
    expect(keys.invalidated).toEqual(['approval-key-bad-01']);
    expect(r.session.status().counters).toMatchObject({ approvalReissues: 1, connects: 1 });
    const subs = r.server.received.filter((m) => m.json?.header?.tr_type === '1' && m.json.header.approval_key === 'approval-key-good-2');
    expect(subs.map((m) => m.json!.body!.input!.tr_key).sort()).toEqual(['000660', '005930']);
  });

  it('OPSP8996 ALREADY IN USE: closes, backs off at least inUseRetryDelayMs, reconnects', async () => {
    const r = await rig({ inUseRetryDelayMs: 5000 });
    r.server.respond = (msg, ws, server) => {
      if (msg.conn === 0 && msg.json?.body?.input) {
        ws.send(JSON.stringify({ header: { tr_id: '(null)', tr_key: '', encrypt: 'N' }, body: { rt_cd: '9', msg_cd: 'OPSP8996', msg1: 'ALREADY IN USE appkey' } }));
      } else kisLikeResponder(msg, ws, server);
    };
    r.session.subscribe('H0STCNT0', '005930');
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 1, { what: 'ack on second connection' });
    const closed = lifeOf(r, 'closed')[0]!;
    expect(closed).toMatchObject({ reason: 'in-use' });
    expect(r.server.connectedAt[1]! - closed.atMs).toBeGreaterThanOrEqual(5000);
    expect(lifeOf(r, 'reconnecting')[0]).toMatchObject({ reason: 'in-use', delayMs: 5000 });
    expect(r.session.status().counters.inUse).toBe(1);
  });
});

describe('WsSession: liveness', () => {
  it('echoes a server PINGPONG as the same text frame, and does not bounce its own echo back', async () => {
    const r = await rig();
    r.session.start();
    await advanceUntil(r.clock, () => lifeOf(r, 'ready').length === 1);
    const ping = fixture('pingpong.json');
    r.server.last().send(ping);
    await advanceUntil(r.clock, () => r.server.pings(0).length === 1);
    expect(r.server.pings(0)[0]!.text).toBe(ping);
    // the (echoing) server sends it back: the client must not answer again
    await advance(r.clock, 500, 50);
    expect(r.server.pings(0)).toHaveLength(1);
    expect(r.session.status().counters).toMatchObject({ pingpongsReceived: 2, pingpongsEchoed: 1 });
  });

  it('sends an application PINGPONG every 30 s and stays alive on the echoes', async () => {
    const r = await rig();
    r.session.start();
    await advanceUntil(r.clock, () => lifeOf(r, 'ready').length === 1);
    await advance(r.clock, 95_000, 250);
    const pings = r.server.pings(0);
    expect(pings).toHaveLength(3);
    const t0 = r.server.connectedAt[0]!;
    pings.forEach((p, i) => {
      expect(p.atMs - t0).toBeGreaterThanOrEqual(30_000 * (i + 1));
      expect(p.atMs - t0).toBeLessThanOrEqual(30_000 * (i + 1) + 260);
      expect(p.text).toBe('{"header":{"tr_id":"PINGPONG"}}');
    });
    expect(r.server.sockets).toHaveLength(1);
    expect(lifeOf(r, 'dead')).toHaveLength(0);
  });

  it('declares a silent socket dead after deadAfterSilenceMs and replaces it', async () => {
    const r = await rig({ deadAfterSilenceMs: 60_000 });
    r.server.echoPings = false; // half-open: nothing comes back
    r.session.subscribe('H0STCNT0', '005930');
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 1);
    const lastRx = r.clock.nowMs();
    await advanceUntil(r.clock, () => lifeOf(r, 'dead').length === 1, { stepMs: 100, what: 'dead' });
    const dead = lifeOf(r, 'dead')[0]!;
    expect(dead.atMs - lastRx).toBeGreaterThanOrEqual(60_000 - 100);
    expect(dead.atMs - lastRx).toBeLessThanOrEqual(60_000 + 100); // the watchdog wakes at the deadline, not on a 5 s beat
    await advanceUntil(r.clock, () => r.server.sockets.length === 2 && r.session.status().acknowledged === 1, { what: 'replacement' });
    expect(r.server.requests(1)).toEqual(['2:H0STCNT0:005930', '1:H0STCNT0:005930']);
    expect(r.session.status().counters).toMatchObject({ deadSockets: 1, drops: 1, connects: 2 });
  });
});

describe('WsSession: reconnect backoff', () => {
  it('backs off exponentially with jitter up to the cap, without giving up', async () => {
    const r = await rig({ reconnect: { baseMs: 1000, capMs: 8000, jitterMs: 1000 }, random: () => 0.5 });
    const deadUrl = r.server.url;
    await r.server.close(); // connections to this port are now refused
    const session = new WsSession({
      clock: r.clock, log: pino({ level: 'silent' }), url: deadUrl, approvalKeys: r.keys, sink: () => undefined,
      reconnect: { baseMs: 1000, capMs: 8000, jitterMs: 1000 }, random: () => 0.5,
    });
    const starts: number[] = [];
    const delays: number[] = [];
    session.on((ev) => {
      if (ev.type === 'connecting') starts.push(r.clock.nowMs());
      if (ev.type === 'reconnecting') delays.push(ev.delayMs);
    });
    rigs.push({ ...r, session, server: await ScriptedServer.start(r.clock) });
    session.start();
    await advanceUntil(r.clock, () => starts.length >= 6, { stepMs: 50, what: '6 attempts' });
    expect(delays.slice(0, 5)).toEqual([1500, 2500, 4500, 8500, 8500]);
    for (let i = 1; i < 6; i++) {
      const gap = starts[i]! - starts[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(delays[i - 1]!);
      expect(gap).toBeLessThanOrEqual(delays[i - 1]! + 60);
    }
  });

  it('resets the backoff once a connection got all its subscriptions out', async () => {
    const r = await rig({ reconnect: { baseMs: 1000, capMs: 60_000, jitterMs: 0 } });
    r.session.subscribe('H0STCNT0', '005930');
    r.session.start();
    for (let i = 0; i < 3; i++) {
      await advanceUntil(r.clock, () => r.server.sockets.length === i + 1 && r.session.status().acknowledged === 1 && lifeOf(r, 'ready').length === i + 1);
      r.server.last().terminate();
      await advanceUntil(r.clock, () => lifeOf(r, 'reconnecting').length === i + 1);
    }
    expect(lifeOf(r, 'reconnecting').map((e) => (e as { delayMs: number }).delayMs)).toEqual([1000, 1000, 1000]);
  });
});

describe('WsSession: data and stop', () => {
  it('delivers decoded ticks and decrypts notices with the key/iv from the subscribe reply', async () => {
    const r = await rig();
    r.session.setDesired([{ trId: 'H0STCNT0', trKey: '005930' }, { trId: 'H0STCNI0', trKey: 'kisd0001' }]);
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 2);
    r.server.last().send(fixture('h0stcnt0-multi.txt'));
    r.server.last().send(fixture('h0stcni0-fill-encrypted.txt'));
    r.server.last().send('garbage^frame');
    await advanceUntil(r.clock, () => r.events.length === 5);
    expect(r.events.map((e) => e.kind)).toEqual(['kr-tick', 'kr-tick', 'kr-tick', 'kr-tick', 'kr-notice']);
    expect(r.events[0]!.receivedAtMs).toBeGreaterThan(0);
    await advanceUntil(r.clock, () => r.session.status().parse.malformedFrames === 1);
    expect(r.session.status().counters.records).toBe(5);
  });

  it('an encrypted TR acknowledged by OPSP0002 without key/iv is released and re-registered once to get them', async () => {
    const r = await rig();
    let first = true;
    r.server.respond = (msg, ws, server) => {
      const input = msg.json?.body?.input;
      if (msg.json?.header?.tr_type === '1' && input?.tr_id === 'H0STCNI0' && first) {
        first = false;
        ws.send(control(input.tr_id, input.tr_key, '1', 'OPSP0002', 'ALREADY IN SUBSCRIBE'));
      } else kisLikeResponder(msg, ws, server);
    };
    r.session.subscribe('H0STCNI0', 'kisd0001');
    r.session.start();
    await advanceUntil(r.clock, () => r.server.requests(0).length === 4 && r.session.status().acknowledged === 1, { what: 're-registration' });
    // release-first, register (OPSP0002, no key), release, register again (OPSP0000 with key/iv)
    expect(r.server.requests(0)).toEqual(['2:H0STCNI0:kisd0001', '1:H0STCNI0:kisd0001', '2:H0STCNI0:kisd0001', '1:H0STCNI0:kisd0001']);
    r.server.last().send(fixture('h0stcni0-fill-encrypted.txt'));
    await advanceUntil(r.clock, () => r.events.length === 1);
    expect(r.events[0]!.kind).toBe('kr-notice');
  });

  it('a throwing sink is counted and does not break the socket reader', async () => {
    const r = await rig({ sink: () => { throw new Error('boom'); } });
    r.session.subscribe('H0STCNT0', '005930');
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 1);
    r.server.last().send(fixture('h0stcnt0-single.txt'));
    r.server.last().send(fixture('h0stcnt0-single.txt'));
    await advanceUntil(r.clock, () => r.session.status().counters.sinkErrors === 2);
    expect(r.server.sockets).toHaveLength(1);
  });

  it('stop() releases what is registered, closes, and does not reconnect', async () => {
    const r = await rig();
    r.session.setDesired([{ trId: 'H0STCNT0', trKey: '005930' }, { trId: 'H0STASP0', trKey: '005930' }]);
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 2);
    const stopped = r.session.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await advanceUntil(r.clock, () => done, { what: 'stop' });
    expect(r.server.requests(0).slice(-2).sort()).toEqual(['2:H0STASP0:005930', '2:H0STCNT0:005930']);
    expect(r.session.status().state).toBe('stopped');
    expect(lifeOf(r, 'closed')[0]).toMatchObject({ reason: 'stopped' });
    await advance(r.clock, 10_000, 500);
    expect(r.server.sockets).toHaveLength(1);
    expect(r.session.status().counters.drops).toBe(0);
  });

  it('stop() finishes within its deadline when the server never answers', async () => {
    const r = await rig({ stopTimeoutMs: 2000 });
    r.session.subscribe('H0STCNT0', '005930');
    r.session.start();
    await advanceUntil(r.clock, () => r.session.status().acknowledged === 1);
    r.server.respond = () => undefined;
    r.server.last().pause(); // the server stops reading: no release reply, no close handshake
    const t0 = r.clock.nowMs();
    let done = false;
    void r.session.stop().then(() => (done = true));
    await advanceUntil(r.clock, () => done, { what: 'stop' });
    expect(r.clock.nowMs() - t0).toBeLessThanOrEqual(2000 + 20);
  });
});
