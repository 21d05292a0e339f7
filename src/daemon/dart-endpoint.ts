// Where kisd finds OpenDART and with which key: dart.base_url, or — in sim mode without one — the DART
// simulator, started here beside the embedded KIS simulator on a free loopback port (`kisd sim` starts one too).
// The key comes only from KISD_DART_API_KEY (registered for scrubbing when read); the simulator takes its own.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { KisdConfig } from '../config/load.js';
import { DART_BASE_URL, DART_SIM_API_KEY, loadDartApiKey } from '../dart/index.js';
import { createDartSimulator, type DartSimulator } from '../sim/dart/index.js';

export interface DartEndpoint {
  baseUrl: string;
  /** crtfc_key: KISD_DART_API_KEY, or the simulator's key. Never logged. */
  apiKey: string;
  /** The embedded DART simulator when kisd started one. */
  sim: DartSimulator | undefined;
}

/** Whether this config uses the embedded DART simulator (sim mode, no dart.base_url). */
function usesEmbeddedDartSim(config: KisdConfig): boolean {
  return config.mode === 'sim' && config.dart.base_url === undefined;
}

/**
 * The key `kisd run` would use, or undefined when DART is off. Throws the ConfigError run refuses to start
 * with: DART on outside sim mode without KISD_DART_API_KEY, or a key that is not 40 letters/digits.
 */
export function dartApiKeyFor(config: KisdConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (!config.dart.enabled) return undefined;
  if (usesEmbeddedDartSim(config)) return DART_SIM_API_KEY;
  const key = loadDartApiKey(env, { required: config.mode !== 'sim' });
  if (key !== undefined) return key;
  return DART_SIM_API_KEY; // sim mode pointed at an external `kisd sim`: its simulator takes the same key
}

/** The DART simulator on a loopback port, accepting the simulator key; seeded like the KIS simulator. */
export function startEmbeddedDartSimulator(o: { config: KisdConfig; clock: Clock; logger: Logger; port?: number }): Promise<DartSimulator> {
  return createDartSimulator({
    clock: o.clock,
    host: o.config.sim.host,
    port: o.port ?? 0,
    seed: o.config.sim.seed,
    keys: [{ key: DART_SIM_API_KEY }],
    log: o.logger.child({ component: 'dart-sim' }),
  });
}

/** DART's URL and key for `kisd run`, starting the DART simulator in sim mode; undefined when dart.enabled is false. */
export async function resolveDartEndpoint(o: { config: KisdConfig; env: NodeJS.ProcessEnv; clock: Clock; logger: Logger }): Promise<DartEndpoint | undefined> {
  const { config } = o;
  const apiKey = dartApiKeyFor(config, o.env);
  if (apiKey === undefined) return undefined;
  if (!usesEmbeddedDartSim(config)) return { baseUrl: config.dart.base_url ?? DART_BASE_URL, apiKey, sim: undefined };
  const sim = await startEmbeddedDartSimulator(o);
  o.logger.child({ component: 'daemon' }).info({ dartUrl: sim.url }, `DART simulator listening: ${sim.url}`);
  return { baseUrl: sim.url, apiKey, sim };
}
