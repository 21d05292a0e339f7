// The simulator side of the week replay: the in-repo KIS simulator (REST, WebSocket, execution notices, the
// matcher) on the replay's one virtual clock, on loopback port 0, with a KRX holiday of the seed's choosing and,
// when drawn, the operator's own shares in the account before Monday.
import type { Socket } from 'node:net';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import type { Clock } from '../../../src/core/clock.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';
import { bridgeExecutionNotices } from '../../../src/sim/notice-bridge.js';
import { attachSimWebSocketTo, type SimWebSocket } from '../../../src/sim/ws/index.js';

export const ACCOUNT_NO = `${SIM_CREDENTIALS.cano}-${SIM_CREDENTIALS.acntPrdtCd}`;

export interface ReplaySim {
  sim: Simulator;
  ws: SimWebSocket;
  /** Sends one trade tick to each of up to n subscribed KR codes (round robin) while KRX is open. */
  pushTicks(n: number): void;
  /** Destroys every open connection (what the daemon sees when its process dies or KIS drops it). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startReplaySim(o: { clock: Clock; seed: number; holidays: string[] }): Promise<ReplaySim> {
  const c = SIM_CREDENTIALS;
  const sim = await createSimulator({
    clock: o.clock,
    apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: ACCOUNT_NO, htsId: c.htsId }],
    seed: o.seed,
    holidays: o.holidays,
  });
  // No tick generator: the replay pushes ticks itself (pushTicks), a few per session second and one per step
  // outside it, so seven days of market hours stay cheap on fake timers.
  // The sweep (PINGPONG timeout 100 s, idle cut 10 min) every 30 s: a finer beat only costs timer turns all night.
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: 0, sweepIntervalMs: 30_000 });
  const bridge = bridgeExecutionNotices(sim, ws);
  const stopMatching = sim.exchange.startMatching(2_000);
  const sockets = new Set<Socket>();
  sim.httpServer.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let cursor = 0;
  return {
    sim,
    ws,
    pushTicks: (n) => {
      if (sim.market.krSession(o.clock.nowMs()).phase !== 'open') return;
      const keys = [...new Set(ws.registrations().filter((r) => r.trId === 'H0STCNT0' && !r.lingering).map((r) => r.trKey))];
      for (let i = 0; i < Math.min(n, keys.length); i++) ws.pushTick('H0STCNT0', keys[cursor++ % keys.length]!);
    },
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      stopMatching();
      bridge.stop();
      await sim.close();
    },
  };
}
