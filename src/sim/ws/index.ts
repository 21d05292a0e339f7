// The simulated KIS realtime WebSocket server (fact sheet §5), attached to the simulator's HTTP server on
// any upgrade path. All timing runs on the injected Clock; socket I/O is real. See session-hub.ts for
// the protocol state machine and frames.ts for the wire format.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { unrefTimer, type Clock, type TimerHandle } from '../../core/clock.js';
import type { SimApp, SimApprovalRegistry, SimMarket } from '../contracts.js';
import type { ExecutionNoticeFields } from './execution-notice.js';
import { compileSimWebSocketOptions, type SimWebSocketOptions } from './options.js';
import { SessionHub, type SimWebSocketStats } from './session-hub.js';
import { TickGenerator } from './tick-generator.js';

export type { SimWebSocketOptions } from './options.js';
export type { SimWebSocketStats } from './session-hub.js';
export type { ExecutionNoticeFields } from './execution-notice.js';

export interface SimWebSocketFaults {
  /** Cut every socket without a close frame; registrations linger (→ ALREADY IN SUBSCRIBE on return). */
  abruptClose(): void;
  /** Every open session stops sending, ignores input and is never closed by the server. */
  halfOpen(): void;
  /** Send n (default 1) malformed frames to every session. */
  garbage(n?: number): void;
  /** Delay every later control reply by ms on the clock (0 restores). Registration takes effect at once. */
  delayControlReplies(ms: number): void;
  /** Lose the next `count` control replies; the registration change still happens server-side. */
  dropControlReplies(count: number): void;
  /** Cut every socket and forget all server state, as KIS's weekly restart does. */
  weeklyRestart(): void;
  /** Cut every socket (as abruptClose) and refuse new connections for ms on the clock: a realtime outage. */
  outage(ms: number): void;
}

export interface SimWebSocket {
  faults: SimWebSocketFaults;
  /** Encrypted H0STCNI0/H0STCNI9 frame to subscribers of htsId; returns how many frames were sent. */
  publishExecutionNotice(htsId: string, notice: ExecutionNoticeFields): number;
  /** One data frame now to every subscriber of (trId, trKey); returns how many frames were sent. */
  pushTick(trId: string, trKey: string): number;
  stats(): SimWebSocketStats;
  registrations(): { appKey: string; trId: string; trKey: string; lingering: boolean }[];
  /** Cuts every socket, stops all timers and detaches from the HTTP server. */
  close(): Promise<void>;
}

/** Attaches the realtime server to opts.server. Throws RangeError on out-of-range options. */
export function attachSimWebSocket(raw: SimWebSocketOptions): SimWebSocket {
  const o = compileSimWebSocketOptions(raw);
  const { clock } = o;
  // autoPong off: a half-open session must not answer pings; the hub pongs by hand otherwise.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: false, maxPayload: 64 * 1024 });
  const hub = new SessionHub(o);
  let closed = false;
  let refuseUntilMs = -Infinity;

  // The server's periodic work (PINGPONG, the idle/linger sweep, market data) runs only while there is someone to
  // serve: from the first connection until no session, socket or lingering registration is left. An idle
  // simulator then schedules nothing, so a virtual clock driven timer by timer (a simulated week) does not spend
  // its steps on an empty server.
  const timers: TimerHandle[] = [];
  const every = (ms: number, fn: () => void): void => {
    const handle = clock.setInterval(fn, ms);
    unrefTimer(handle);
    timers.push(handle);
  };
  const generator = o.tickRecordsPerSec > 0
    ? new TickGenerator(
      {
        recordsPerSec: o.tickRecordsPerSec,
        intervalMs: o.tickIntervalMs,
        maxRecordsPerFrame: o.maxRecordsPerFrame,
        market: o.market,
        marketHoursOnly: o.marketHoursOnly,
      },
      () => hub.table.all(),
      (session, trId, records) => hub.emitData(session, trId, records),
    )
    : undefined;
  const stopTimers = (): void => {
    for (const t of timers.splice(0)) clock.clearInterval(t);
  };
  const startTimers = (): void => {
    if (timers.length > 0 || closed) return;
    every(o.pingIntervalMs, () => hub.sendPings());
    every(o.sweepIntervalMs, () => {
      hub.sweep();
      const st = hub.stats();
      if (st.sessions === 0 && st.sockets === 0 && st.registrations === 0) stopTimers();
    });
    if (generator) every(o.tickIntervalMs, () => generator.step(clock.nowMs()));
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (closed || clock.nowMs() < refuseUntilMs) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closed) ws.terminate();
      else {
        hub.accept(ws);
        startTimers();
      }
    });
  };
  o.server.on('upgrade', onUpgrade);

  return {
    faults: {
      abruptClose: () => hub.abruptClose(),
      halfOpen: () => hub.halfOpen(),
      garbage: (n = 1) => hub.garbage(n),
      delayControlReplies: (ms) => hub.delayControlReplies(ms),
      dropControlReplies: (count) => hub.dropControlReplies(count),
      weeklyRestart: () => hub.weeklyRestart(),
      outage: (ms) => {
        refuseUntilMs = clock.nowMs() + ms;
        hub.abruptClose();
      },
    },
    publishExecutionNotice: (htsId, notice) => hub.publishExecutionNotice(htsId, notice),
    pushTick: (trId, trKey) => hub.pushTick(trId, trKey),
    stats: () => hub.stats(),
    registrations: () =>
      hub.table.all().map((r) => ({ appKey: r.appKey, trId: r.trId, trKey: r.trKey, lingering: r.owner === undefined })),
    close: async () => {
      if (closed) return;
      closed = true;
      o.server.off('upgrade', onUpgrade);
      stopTimers();
      hub.shutdown();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * What attachSimWebSocketTo needs from the simulator (structurally; src/sim/simulator.ts's Simulator
 * fits, but this folder depends only on src/sim/contracts.ts).
 */
export interface SimWebSocketHost {
  httpServer: Server;
  clock: Clock;
  market: SimMarket;
  approvals: SimApprovalRegistry;
  apps: readonly SimApp[];
  /** Work to run first when the simulator closes. */
  onClose(hook: () => void | Promise<void>): void;
}

/** Attaches to a running simulator and closes with it. */
export function attachSimWebSocketTo(
  host: SimWebSocketHost,
  opts: Omit<SimWebSocketOptions, 'server' | 'clock' | 'market' | 'approvals' | 'apps'> = {},
): SimWebSocket {
  const ws = attachSimWebSocket({
    ...opts,
    server: host.httpServer,
    clock: host.clock,
    market: host.market,
    approvals: host.approvals,
    apps: host.apps,
  });
  host.onClose(() => ws.close());
  return ws;
}
