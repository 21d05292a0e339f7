// Where `kisd run` finds KIS: the configured (or mode's) REST and WebSocket URLs, or — in sim mode without a
// URL — the embedded simulator, started here, whose server state persists in var_dir so a restart re-reads
// the token as it would with KIS.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { KisCredentials } from '../core/credentials.js';
import type { KisdConfig } from '../config/load.js';
import { startEmbeddedSimulator, type EmbeddedSimulator } from './embedded-sim.js';

export interface KisEndpoint {
  restBaseUrl: string;
  wsUrl: string;
  /** The embedded simulator when kisd started one. */
  sim: EmbeddedSimulator | undefined;
}

export async function resolveKisEndpoint(o: { config: KisdConfig; credentials: KisCredentials; clock: Clock; logger: Logger }): Promise<KisEndpoint> {
  const { config } = o;
  let restBaseUrl = config.resolved.restBaseUrl;
  let wsUrl = config.resolved.wsUrl;
  let sim: EmbeddedSimulator | undefined;
  if (config.mode === 'sim' && !restBaseUrl) {
    const stateFile = join(config.resolved.paths.stateDir, 'embedded-sim-server.json');
    sim = await startEmbeddedSimulator({ config, credentials: o.credentials, clock: o.clock, logger: o.logger, stateFile });
    restBaseUrl = sim.sim.restUrl;
    wsUrl = sim.sim.wsUrl;
    o.logger.child({ component: 'daemon' }).info({ restUrl: restBaseUrl, wsUrl }, `KIS simulator listening: REST ${restBaseUrl}  WebSocket ${wsUrl}`);
  }
  if (!restBaseUrl || !wsUrl) throw new Error('no KIS REST/WebSocket URL for this mode');
  return { restBaseUrl, wsUrl, sim };
}
