// Test harness: the simulated WebSocket server on a real HTTP server (127.0.0.1, port 0) with a fake
// clock, and a plain `ws` client that queues what it receives.
import { afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { attachSimWebSocket, type SimWebSocket, type SimWebSocketOptions } from '../../../src/sim/ws/index.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { APP_A, APP_B, FakeApprovals, FakeMarket } from '../../unit/sim-ws/fakes.js';

export interface Harness {
  clock: FakeClock;
  server: Server;
  sim: SimWebSocket;
  market: FakeMarket;
  approvals: FakeApprovals;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<SimWebSocketOptions> = {}, start = '2026-11-23 10:00:00'): Promise<Harness> {
  const clock = createFakeClock(start);
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const market = new FakeMarket();
  const approvals = new FakeApprovals();
  const sim = attachSimWebSocket({ server, clock, market, approvals, apps: [APP_A, APP_B], tickRecordsPerSec: 0, ...opts });
  const { port } = server.address() as AddressInfo;
  return {
    clock,
    server,
    sim,
    market,
    approvals,
    url: `ws://127.0.0.1:${port}/tryitout/H0STCNT0`,
    close: async () => {
      await sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One real I/O turn on the loopback (not a wait for any condition). */
export const ioTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** Polls cond between real I/O turns; throws after maxTurns. */
export async function until(cond: () => boolean, what: string, maxTurns = 500): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (cond()) return;
    await ioTurn();
  }
  throw new Error(`until: ${what} did not happen`);
}

export interface Reply {
  header: { tr_id: string; tr_key: string; encrypt: string };
  body: { rt_cd: string; msg_cd: string; msg1: string; output?: { iv: string; key: string } };
}

export class TestClient {
  /** Every message received, in order (binary as '<binary>'). */
  readonly all: string[] = [];
  private readonly queue: string[] = [];
  private waiter: (() => void) | undefined;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '<binary>' : data.toString();
      this.all.push(text);
      this.queue.push(text);
      this.waiter?.();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => undefined);
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  request(approvalKey: string, trId: string, trKey: string, trType = '1'): void {
    this.ws.send(
      JSON.stringify({
        header: { approval_key: approvalKey, custtype: 'P', tr_type: trType, 'content-type': 'utf-8' },
        body: { input: { tr_id: trId, tr_key: trKey } },
      }),
    );
  }

  /** Takes the first queued message matching pred, waiting (real I/O only) up to maxTurns. */
  async next(pred: (text: string) => boolean = () => true, maxTurns = 500): Promise<string> {
    for (let i = 0; i < maxTurns; i++) {
      const idx = this.queue.findIndex(pred);
      if (idx >= 0) return this.queue.splice(idx, 1)[0]!;
      await Promise.race([new Promise<void>((resolve) => (this.waiter = resolve)), ioTurn()]);
    }
    throw new Error('next: no matching message');
  }

  async nextReply(): Promise<Reply> {
    return JSON.parse(await this.next((t) => t.startsWith('{') && t.includes('"msg_cd"'))) as Reply;
  }

  async subscribe(approvalKey: string, trId: string, trKey: string, trType = '1'): Promise<Reply> {
    this.request(approvalKey, trId, trKey, trType);
    return this.nextReply();
  }

  /** Drops queued messages matching pred (e.g. server PINGPONGs) and returns how many. */
  discard(pred: (text: string) => boolean): number {
    let n = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (pred(this.queue[i]!)) {
        this.queue.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** Close code once the socket has closed; throws (instead of hanging) if it does not close soon. */
  async waitClosed(): Promise<number> {
    await until(() => this.closeCode !== undefined, 'client socket closed');
    return this.closeCode!;
  }

  get pending(): readonly string[] {
    return this.queue;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

export const isPingPong = (t: string): boolean => t.includes('"PINGPONG"');
export const isData = (t: string): boolean => /^[01]\|/.test(t);

/**
 * The per-file fixture the integration tests share: `fx.start(opts)` starts a harness inside a test,
 * `fx.connect()` opens a client on it, and after each test every client and the harness are closed.
 */
export function harnessFixture(): { start: typeof startHarness; connect(): Promise<TestClient> } {
  let current: Harness | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await current?.close();
    current = undefined;
  });
  return {
    start: async (opts, start) => (current = await startHarness(opts, start)),
    connect: async () => {
      if (!current) throw new Error('harnessFixture: call start() first');
      const c = await TestClient.connect(current.url);
      clients.push(c);
      return c;
    },
  };
}
