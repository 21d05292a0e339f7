// The daemon's real broker stack (createBroker: token manager + shared limiter + REST client + KisRestApi,
// built from a compiled config) against an in-process KIS simulator on loopback, with a throw-away var dir.
// Benchmarks reuse one simulator and one var dir (token file) across runs, and rebuild the broker per run
// so every run starts with a fresh rate limiter but without spending another tokenP issue.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../../../src/core/clock.js';
import { compileConfig, type KisdConfig } from '../../../src/config/load.js';
import type { RawConfig } from '../../../src/config/schema.js';
import { loadCredentials } from '../../../src/config/credentials.js';
import type { KisCredentials } from '../../../src/kis/auth/types.js';
import { createBroker, type Broker } from '../../../src/daemon/broker.js';
import { createSimulator, type Simulator } from '../../../src/sim/index.js';

export const silentLogger: Logger = pino({ level: 'silent' });

export interface SimBrokerEnv {
  sim: Simulator;
  credentials: KisCredentials;
  varDir: string;
  /** Compiles the bench config (mode sim, this var dir, rest_base_url = the simulator) plus kis overrides. */
  config(kis?: RawConfig['kis']): KisdConfig;
  /** A fresh broker (and a fresh shared limiter) on the given config; the token file carries over. */
  openBroker(config: KisdConfig): Broker;
  close(): Promise<void>;
}

export interface SimBrokerEnvOptions {
  /** Simulator's per-app-key rolling-second limit. Default 20 (KIS real). */
  simRateLimitPerSec?: number;
  seed?: number;
  logger?: Logger;
  /** One clock for the simulator and the brokers (e.g. an offsetClock placing the run in a KR session). Default systemClock. */
  clock?: Clock;
}

export async function startSimBrokerEnv(o: SimBrokerEnvOptions = {}): Promise<SimBrokerEnv> {
  const varDir = mkdtempSync(join(tmpdir(), 'kisd-bench-'));
  const logger = o.logger ?? silentLogger;
  const clock = o.clock ?? systemClock;
  const base = compileConfig({ mode: 'sim', paths: { var_dir: varDir } }, 'bench', varDir);
  const credentials = loadCredentials(base, {});
  const sim = await createSimulator({
    clock,
    apps: [{ appKey: credentials.appKey, appSecret: credentials.appSecret, accountNo: `${credentials.cano}-${credentials.acntPrdtCd}`, htsId: credentials.htsId }],
    seed: o.seed ?? 1,
    rateLimitPerSec: o.simRateLimitPerSec ?? 20,
  });
  const brokers: Broker[] = [];
  return {
    sim,
    credentials,
    varDir,
    config: (kis) => compileConfig({ mode: 'sim', paths: { var_dir: varDir }, kis: { ...kis, rest_base_url: sim.restUrl } }, 'bench', varDir),
    openBroker(config) {
      const broker = createBroker({ config, credentials, clock, logger, restBaseUrl: sim.restUrl });
      brokers.push(broker);
      return broker;
    },
    async close() {
      for (const b of brokers.splice(0)) await b.close().catch(() => undefined);
      await sim.close();
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}
