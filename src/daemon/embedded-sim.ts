// The KIS simulator embedded in `kisd run` when `mode: sim` (and served alone by `kisd sim`): REST and
// WebSocket on one loopback port, with the daemon's own credentials registered as its app.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { KisdConfig } from '../config/load.js';
import type { KisCredentials } from '../kis/auth/types.js';
import { createSimulator, type Simulator } from '../sim/index.js';
import type { SimApp } from '../sim/contracts.js';
import { attachSimWebSocketTo, type SimWebSocket } from '../sim/ws/index.js';
import { bridgeExecutionNotices } from '../sim/notice-bridge.js';

/** The token file's server identity for the daemon's embedded simulator (its port changes every start). */
export const EMBEDDED_SIM_SERVER_ID = 'kisd-embedded-simulator';

export interface EmbeddedSimulator {
  sim: Simulator;
  ws: SimWebSocket;
  close(): Promise<void>;
}

export async function startEmbeddedSimulator(o: {
  config: KisdConfig;
  credentials: KisCredentials;
  clock: Clock;
  logger: Logger;
  port?: number;
  /** Further apps (`kisd sim --credentials`), each with its own account and rate budget. */
  extraApps?: readonly SimApp[];
  /** Where the simulator keeps its server-side state (issued tokens) across restarts; none when unset. */
  stateFile?: string;
}): Promise<EmbeddedSimulator> {
  const { config, credentials } = o;
  const log = o.logger.child({ component: 'sim' });
  const sim = await createSimulator({
    clock: o.clock,
    host: config.sim.host,
    port: o.port ?? config.sim.port,
    flavor: config.sim.flavor,
    apps: [{ appKey: credentials.appKey, appSecret: credentials.appSecret, accountNo: `${credentials.cano}-${credentials.acntPrdtCd}`, htsId: credentials.htsId }, ...(o.extraApps ?? [])],
    seed: config.sim.seed,
    rateLimitPerSec: config.sim.rate_limit_per_sec,
    holidays: [...config.sim.holidays],
    ...(o.stateFile ? { stateFile: o.stateFile } : {}),
    log,
  });
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: config.sim.tick_records_per_sec, log });
  // Fills become encrypted execution notices on the WebSocket, and resting orders match once a second.
  const bridge = bridgeExecutionNotices(sim, ws);
  const stopMatching = sim.exchange.startMatching(1_000);
  sim.onClose(() => {
    stopMatching();
    bridge.stop();
  });
  return { sim, ws, close: () => sim.close() };
}
