// Issue 9 item 6, the execution-notice key/iv across connections (scripted KIS on 127.0.0.1:0, fake clock):
// a new connection's subscribe reply replaces the key; ALREADY IN SUBSCRIBE without one keeps the previous
// connection's (KIS still holds that registration, whose notices that key encrypts); and a notice that does not
// decrypt with a kept key makes the session release and re-register once on this connection for a fresh key/iv.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptNoticePayload, encryptNoticePayload } from '../../../src/kis/ws/cipher.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import { WsSession } from '../../../src/kis/ws/session.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { advanceUntil, control, FakeApprovalKeys, kisLikeResponder, ScriptedServer, TEST_KEY, type Responder } from './scripted-server.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/ws-frames');
const FILL = readFileSync(join(FIXTURES, 'h0stcni0-fill-encrypted.txt'), 'utf8').replace(/\n$/, '');
const NEW_KEY = { key: 'Zq4mW9rT2xLp7vNc1bHs8dKf3gYj6uEa', iv: 'Qw8eR5tY2uI9oP3a' };

/** The same notice encrypted with another key/iv. */
function fillWith(k: { key: string; iv: string }): string {
  const [enc, trId, count, payload] = FILL.split('|');
  const plain = decryptNoticePayload(payload!, TEST_KEY);
  if (!plain.ok) throw new Error('fixture does not decrypt with TEST_KEY');
  return [enc, trId, count, encryptNoticePayload(plain.text, k)].join('|');
}

let clock: FakeClock | undefined;
let server: ScriptedServer | undefined;
let session: WsSession | undefined;
afterEach(async () => {
  if (session && clock) {
    const stopped = session.stop();
    await advanceUntil(clock, () => session!.status().state === 'stopped', { stepMs: 50, maxVirtualMs: 20_000 }).catch(() => undefined);
    await stopped;
  }
  await server?.close();
  [clock, server, session] = [undefined, undefined, undefined];
});

async function start(respond: Responder): Promise<{ events: RealtimeEvent[] }> {
  clock = createFakeClock('2026-11-23 10:00:00');
  server = await ScriptedServer.start(clock);
  server.respond = respond;
  const events: RealtimeEvent[] = [];
  session = new WsSession({ clock, log: pino({ level: 'silent' }), url: server.url, approvalKeys: new FakeApprovalKeys(), sink: (ev) => events.push(ev), subscribeSpacingMs: 100, releaseGraceMs: 3000, random: () => 0 });
  session.subscribe('H0STCNI0', 'kisd0001');
  session.start();
  return { events };
}

const notices = (events: RealtimeEvent[]): number => events.filter((e) => e.kind === 'kr-notice').length;

describe('execution-notice key/iv across connections', () => {
  it('a new connection\'s subscribe reply replaces the key/iv (notices encrypted with the new one decrypt)', async () => {
    const { events } = await start((msg, ws, srv) => {
      const input = msg.json?.body?.input;
      // The second connection's registration gets a key of its own.
      if (msg.conn === 1 && msg.json?.header?.tr_type === '1' && input) ws.send(control(input.tr_id, input.tr_key, '0', 'OPSP0000', 'SUBSCRIBE SUCCESS', NEW_KEY));
      else kisLikeResponder(msg, ws, srv);
    });
    await advanceUntil(clock!, () => session!.status().acknowledged === 1, { what: 'first ack' });
    server!.last().send(FILL);
    await advanceUntil(clock!, () => notices(events) === 1, { what: 'notice on connection 0' });
    server!.last().terminate();
    await advanceUntil(clock!, () => server!.sockets.length === 2 && session!.status().acknowledged === 1 && server!.requests(1).length === 2, { what: 'second connection ack' });
    server!.last().send(fillWith(NEW_KEY));
    await advanceUntil(clock!, () => notices(events) === 2, { what: 'notice with the new key' });
    expect(session!.status().parse.malformedFrames).toBe(0);
  });

  it('ALREADY IN SUBSCRIBE without key/iv keeps the previous key; a notice it cannot decrypt triggers one re-registration', async () => {
    let conn1Subscribes = 0;
    const { events } = await start((msg, ws, srv) => {
      const input = msg.json?.body?.input;
      if (msg.conn === 1 && msg.json?.header?.tr_type === '1' && input) {
        conn1Subscribes++;
        if (conn1Subscribes === 1) ws.send(control(input.tr_id, input.tr_key, '1', 'OPSP0002', 'ALREADY IN SUBSCRIBE'));
        else ws.send(control(input.tr_id, input.tr_key, '0', 'OPSP0000', 'SUBSCRIBE SUCCESS', NEW_KEY));
      } else kisLikeResponder(msg, ws, srv);
    });
    await advanceUntil(clock!, () => session!.status().acknowledged === 1, { what: 'first ack' });
    server!.last().terminate();
    await advanceUntil(clock!, () => server!.sockets.length === 2 && server!.requests(1).length === 2 && session!.status().acknowledged === 1, { what: 'OPSP0002 on connection 1' });

    // KIS still holds the old registration: its notices come encrypted with the old key, which was kept.
    server!.last().send(FILL);
    await advanceUntil(clock!, () => notices(events) === 1, { what: 'notice with the kept key' });
    expect(server!.requests(1)).toEqual(['2:H0STCNI0:kisd0001', '1:H0STCNI0:kisd0001']);

    // A notice the kept key cannot decrypt: release and register once more, which hands out the new key.
    server!.last().send(fillWith(NEW_KEY));
    await advanceUntil(clock!, () => server!.requests(1).length === 4 && session!.status().acknowledged === 1, { what: 're-registration' });
    expect(server!.requests(1)).toEqual(['2:H0STCNI0:kisd0001', '1:H0STCNI0:kisd0001', '2:H0STCNI0:kisd0001', '1:H0STCNI0:kisd0001']);
    server!.last().send(fillWith(NEW_KEY));
    await advanceUntil(clock!, () => notices(events) === 2, { what: 'notice with the fresh key' });

    // Once per connection: another undecryptable notice does not start a loop of re-registrations.
    server!.last().send(fillWith({ key: 'x'.repeat(32), iv: 'y'.repeat(16) }));
    await advanceUntil(clock!, () => session!.status().parse.malformedFrames === 2, { what: 'second bad notice counted' });
    expect(server!.requests(1)).toHaveLength(4);
  });
});
