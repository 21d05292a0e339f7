// The client's realtime stack against the simulator's real WebSocket server (src/sim/ws) on 127.0.0.1:0,
// fed by the REST side's SyntheticMarket and ApprovalRegistry, time on one fake clock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ApprovalRegistry } from '../../../src/sim/auth/approval-registry.js';
import type { SimApp } from '../../../src/sim/contracts.js';
import { SyntheticMarket } from '../../../src/sim/market/synthetic-market.js';
import { attachSimWebSocket, type SimWebSocket, type SimWebSocketOptions } from '../../../src/sim/ws/index.js';
import type { ApprovalKeyProvider } from '../../../src/kis/auth/types.js';
import { WsSession } from '../../../src/kis/ws/session.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import type { SessionLifecycleEvent } from '../../../src/kis/ws/session-events.js';
import type { WsSessionOptions } from '../../../src/kis/ws/session-options.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

export const APP: SimApp = { appKey: 'PSfeedTestAppKey000000000000000001', appSecret: 'feed-test-secret', accountNo: '50000000-01', htsId: 'kisd0001' };

/** Issues approval keys straight from the simulator's registry (what /oauth2/Approval does), cached until invalidated. */
export class RegistryApprovalKeys implements ApprovalKeyProvider {
  issued = 0;
  invalidated: string[] = [];
  /** Served once before the real keys, to script OPSP0011. */
  bogusFirst: string | undefined;
  private current: string | undefined;
  constructor(private readonly registry: ApprovalRegistry) {}
  getApprovalKey(): Promise<string> {
    if (this.bogusFirst !== undefined) {
      this.current = this.bogusFirst;
      this.bogusFirst = undefined;
    }
    if (this.current === undefined) {
      this.current = this.registry.issue(APP);
      this.issued++;
    }
    return Promise.resolve(this.current);
  }
  invalidateApprovalKey(value: string): Promise<void> {
    this.invalidated.push(value);
    if (value === this.current) this.current = undefined;
    return Promise.resolve();
  }
}

export interface SimRig {
  clock: FakeClock;
  server: Server;
  sim: SimWebSocket;
  market: SyntheticMarket;
  approvals: ApprovalRegistry;
  keys: RegistryApprovalKeys;
  url: string;
  close(): Promise<void>;
}

export async function startSim(start: string, opts: Partial<SimWebSocketOptions> = {}): Promise<SimRig> {
  const clock = createFakeClock(start);
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const market = new SyntheticMarket({ seed: 7 });
  const approvals = new ApprovalRegistry(clock);
  const sim = attachSimWebSocket({ server, clock, market, approvals, apps: [APP], tickRecordsPerSec: 0, ...opts });
  const { port } = server.address() as AddressInfo;
  return {
    clock, server, sim, market, approvals, keys: new RegistryApprovalKeys(approvals),
    url: `ws://127.0.0.1:${port}/tryitout`,
    close: async () => {
      await sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ClientRig {
  session: WsSession;
  events: RealtimeEvent[];
  life: (SessionLifecycleEvent & { atMs: number })[];
}

export function startClient(rig: SimRig, opts: Partial<WsSessionOptions> = {}): ClientRig {
  const events: RealtimeEvent[] = [];
  const session = new WsSession({
    clock: rig.clock, log: pino({ level: 'silent' }), url: rig.url, approvalKeys: rig.keys,
    sink: (ev) => events.push(ev), subscribeSpacingMs: 100, random: () => 0.5, ...opts,
  });
  const life: ClientRig['life'] = [];
  session.on((ev) => life.push({ ...ev, atMs: rig.clock.nowMs() }));
  return { session, events, life };
}

/** Advances virtual time in steps with real loopback I/O between, until pred() holds (bounded). */
export async function advanceUntil(clock: FakeClock, pred: () => boolean, what: string, stepMs = 50, maxVirtualMs = 600_000): Promise<void> {
  for (let advanced = 0; ; advanced += stepMs) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    if (pred()) return;
    if (advanced >= maxVirtualMs) throw new Error(`${what}: not reached within ${maxVirtualMs} virtual ms`);
    await clock.tickAsync(stepMs);
  }
}

/** Advances exactly ms of virtual time with real I/O turns between steps; calls check() after each step. */
export async function advanceFor(clock: FakeClock, ms: number, stepMs = 500, check?: () => void): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    await clock.tickAsync(Math.min(stepMs, ms - t));
    check?.();
  }
  await new Promise((r) => setTimeout(r, 1));
}

export async function stopClient(rig: SimRig, c: ClientRig): Promise<void> {
  let done = false;
  void c.session.stop().then(() => (done = true));
  await advanceUntil(rig.clock, () => done, 'client stop', 50, 30_000);
}
