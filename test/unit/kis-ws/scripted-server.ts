// A tiny scriptable KIS-like WebSocket server on 127.0.0.1:0 for session unit tests, plus helpers that
// advance the fake clock while letting real loopback I/O run.
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeClock } from '../../helpers/fake-clock.js';
import type { ApprovalKeyProvider } from '../../../src/kis/auth/types.js';

export interface Received {
  conn: number;
  atMs: number;
  text: string;
  json: { header?: Record<string, string>; body?: { input?: { tr_id: string; tr_key: string } } } | undefined;
}

export type Responder = (msg: Received, ws: WebSocket, server: ScriptedServer) => void;

export function control(trId: string, trKey: string, rtCd: string, msgCd: string, msg1: string, output?: { key: string; iv: string }): string {
  return JSON.stringify({ header: { tr_id: trId, tr_key: trKey, encrypt: 'N' }, body: { rt_cd: rtCd, msg_cd: msgCd, msg1, ...(output ? { output } : {}) } });
}

export const TEST_KEY = { key: 'hyqbjfoaelccxyvuaqbukjzmnlnfvqjm', iv: 'ytzbkwcpzgwqzhvp' };

/** Replies like KIS: OPSP0000 (+key/iv) to a register, OPSP0001 to a release; PINGPONG echoed if echoPings. */
export const kisLikeResponder: Responder = (msg, ws, server) => {
  const h = msg.json?.header;
  const input = msg.json?.body?.input;
  if (h?.tr_id === 'PINGPONG') {
    if (server.echoPings) ws.send(msg.text);
    return;
  }
  if (!h || !input) return;
  if (h.tr_type === '1') ws.send(control(input.tr_id, input.tr_key, '0', 'OPSP0000', 'SUBSCRIBE SUCCESS', TEST_KEY));
  else if (h.tr_type === '2') ws.send(control(input.tr_id, input.tr_key, '0', 'OPSP0001', 'UNSUBSCRIBE SUCCESS'));
};

export class ScriptedServer {
  readonly received: Received[] = [];
  readonly sockets: WebSocket[] = [];
  readonly connectedAt: number[] = [];
  echoPings = true;
  respond: Responder = kisLikeResponder;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly clock: FakeClock,
  ) {
    wss.on('connection', (ws) => {
      const conn = this.sockets.length;
      this.sockets.push(ws);
      this.connectedAt.push(clock.nowMs());
      ws.on('message', (data) => {
        const text = data.toString();
        let json: Received['json'];
        try {
          json = JSON.parse(text) as Received['json'];
        } catch {
          json = undefined;
        }
        const msg: Received = { conn, atMs: clock.nowMs(), text, json };
        this.received.push(msg);
        this.respond(msg, ws, this);
      });
      ws.on('error', () => undefined);
    });
  }

  static async start(clock: FakeClock): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    return new ScriptedServer(wss, clock);
  }

  get url(): string {
    const addr = this.wss.address();
    if (typeof addr === 'string' || addr === null) throw new Error('no address');
    return `ws://127.0.0.1:${addr.port}/tryitout`;
  }

  /** Subscribe/release requests as "1:H0STCNT0:005930" strings, optionally for one connection. */
  requests(conn?: number): string[] {
    return this.received
      .filter((r) => (conn === undefined || r.conn === conn) && r.json?.body?.input)
      .map((r) => `${r.json!.header!.tr_type}:${r.json!.body!.input!.tr_id}:${r.json!.body!.input!.tr_key}`);
  }

  requestTimes(conn: number): number[] {
    return this.received.filter((r) => r.conn === conn && r.json?.body?.input).map((r) => r.atMs);
  }

  pings(conn?: number): Received[] {
    return this.received.filter((r) => (conn === undefined || r.conn === conn) && r.json?.header?.tr_id === 'PINGPONG');
  }

  last(): WebSocket {
    const ws = this.sockets[this.sockets.length - 1];
    if (!ws) throw new Error('no connection yet');
    return ws;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Advances virtual time in small steps, with real I/O turns between, until pred() holds. */
export async function advanceUntil(clock: FakeClock, pred: () => boolean, opts: { stepMs?: number; maxVirtualMs?: number; what?: string } = {}): Promise<void> {
  const stepMs = opts.stepMs ?? 10;
  const maxVirtualMs = opts.maxVirtualMs ?? 120_000;
  let advanced = 0;
  for (;;) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    if (pred()) return;
    if (advanced >= maxVirtualMs) throw new Error(`advanceUntil: ${opts.what ?? 'condition'} not met after ${maxVirtualMs} virtual ms`);
    await clock.tickAsync(stepMs);
    advanced += stepMs;
  }
}

/** Advances exactly `ms` of virtual time in small steps with real I/O turns between. */
export async function advance(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    await clock.tickAsync(Math.min(stepMs, ms - t));
  }
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 1));
}

/** Approval keys handed out in order; invalidate moves to the next one if the value is current. */
export class FakeApprovalKeys implements ApprovalKeyProvider {
  readonly invalidated: string[] = [];
  private index = 0;
  constructor(private readonly keys: string[] = ['approval-key-0001', 'approval-key-0002', 'approval-key-0003']) {}
  get current(): string {
    return this.keys[Math.min(this.index, this.keys.length - 1)]!;
  }
  getApprovalKey(): Promise<string> {
    return Promise.resolve(this.current);
  }
  invalidateApprovalKey(value: string): Promise<void> {
    this.invalidated.push(value);
    if (value === this.current) this.index++;
    return Promise.resolve();
  }
}
