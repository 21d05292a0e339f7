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
  // One tick frame a second (a busy day's 23,400 session seconds stay cheap on fake timers), a few records each.
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: 4, tickIntervalMs: 1_000 });
  const bridge = bridgeExecutionNotices(sim, ws);
  const stopMatching = sim.exchange.startMatching(1_000);
  const sockets = new Set<Socket>();
  sim.httpServer.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    sim,
    ws,
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
