// The composition root of `kisd run`: finds KIS, builds every component from the compiled config in dependency
// order (parts.ts), starts them (components.ts), runs restart recovery, reports readiness, and stops everything in
// reverse order within a deadline. It only composes: policies live with the parts they govern.
// Crash-only (STYLE rule 8): start-up is the recovery path, so there is no separate "resume" mode.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { writeJsonAtomic } from '../core/atomic-file.js';
import type { KisCredentials } from '../core/credentials.js';
import { Lifecycle, type StopReport } from '../core/lifecycle.js';
import type { KisdConfig } from '../config/load.js';
import type { RunningOrderManager } from '../trade/orders/index.js';
import { RecoveryManager, type IntegratedScheduler } from '../scheduler/index.js';
import { createKisdMetrics, type KisdMetrics } from '../health/index.js';
import type { Broker } from './broker.js';
import { registerComponents, type DaemonRunState } from './components.js';
import type { EmbeddedSimulator } from './embedded-sim.js';
import type { FeedBundle } from './feed-wiring.js';
import { createDaemonHealthServer } from './health-snapshot.js';
import { resolveDartEndpoint, type DartEndpoint } from './dart-endpoint.js';
import { resolveKisEndpoint } from './kis-endpoint.js';
import { buildDaemonParts, type DaemonParts } from './parts.js';

export interface DaemonOptions {
  config: KisdConfig;
  credentials: KisCredentials;
  clock: Clock;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /**
   * Real time for the stop deadline (systemd's TimeoutStopSec is real seconds) when `clock` is a time-travel
   * clock; default `clock`.
   */
  realClock?: Clock;
  /** Aborting it during start-up (SIGTERM while waiting for a token) stops what started and rejects. */
  signal?: AbortSignal;
}

export interface Daemon {
  /** undefined when health.enabled is false (nothing listens). */
  readonly healthUrl: string | undefined;
  readonly restBaseUrl: string;
  readonly wsUrl: string;
  readonly sim: EmbeddedSimulator | undefined;
  /** OpenDART's URL and the embedded DART simulator; undefined when dart.enabled is false. */
  readonly dart: DartEndpoint | undefined;
  readonly broker: Broker;
  readonly feed: FeedBundle;
  readonly scheduler: IntegratedScheduler;
  readonly orders: RunningOrderManager;
  readonly metrics: KisdMetrics;
  /** Stops everything in reverse start order; resolves with whether it finished within the deadline. */
  stop(deadlineMs?: number): Promise<StopReport>;
}

/** Where `kisd status` finds a running daemon. */
export function daemonInfoPath(config: KisdConfig): string {
  return join(config.resolved.paths.stateDir, 'daemon.json');
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const { config, clock } = o;
  const log = o.logger.child({ component: 'daemon' });
  const paths = config.resolved.paths;
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o750 });
  log.info({ mode: config.mode, serverFlavor: config.resolved.serverFlavor, dryRun: config.dry_run, varDir: paths.varDir }, `kisd starting (mode ${config.mode})`);

  const lifecycle = new Lifecycle(o.realClock ?? clock, o.logger.child({ component: 'lifecycle' }));
  const metrics = createKisdMetrics();
  // 1. The KIS endpoint: the embedded simulator in sim mode (unless a URL points at an external one).
  const endpoint = await resolveKisEndpoint(o);
  // 1b. OpenDART when dart.enabled: its simulator beside the KIS one in sim mode.
  const dart = await resolveDartEndpoint({ ...o, env: o.env ?? process.env }).catch(async (err: unknown) => {
    await endpoint.sim?.close();
    throw err;
  });
  // 2–7. Every component, built (not started) in dependency order.
  const parts = buildDaemonParts({ ...o, env: o.env ?? process.env, endpoint, dart, metrics });
  const closeSims = async (): Promise<void> => {
    await parts.dart?.close();
    await endpoint.sim?.close();
    await dart?.sim?.close();
  };
  // 8. Health endpoint and status page.
  let ready = false;
  const state: DaemonRunState = { healthPort: 0, recovering: undefined };
  const health = createDaemonHealthServer({ config, clock, logger: o.logger, env: o.env ?? process.env, parts, metrics, isReady: () => ready });
  // 9. Start in order; stop in reverse.
  registerComponents(lifecycle, parts, { config, clock, logger: o.logger, health, state });
  await startAll(lifecycle, o.signal, closeSims);
  // A wildcard bind is reached on loopback from this machine (kisd status, the log line).
  const healthHost = ['0.0.0.0', '::', '[::]'].includes(config.health.host) ? '127.0.0.1' : config.health.host.includes(':') ? `[${config.health.host}]` : config.health.host;
  const healthUrl = config.health.enabled ? `http://${healthHost}:${state.healthPort}` : undefined;
  state.recovering = config.scheduler.enabled ? startRestartRecovery(parts, o) : undefined;
  ready = true;
  await writeJsonAtomic(daemonInfoPath(config), { pid: process.pid, healthUrl: healthUrl ?? null, restUrl: endpoint.restBaseUrl, wsUrl: endpoint.wsUrl, startedAt: new Date(clock.nowMs()).toISOString() }, { mode: 0o600 });
  if (healthUrl) log.info({ healthUrl }, `kisd ready: status page ${healthUrl}/ (JSON ${healthUrl}/status.json), health ${healthUrl}/healthz, metrics ${healthUrl}/metrics`);
  else log.info('kisd ready: health.enabled is false, so no status page, health or metrics endpoint listens');

  return {
    healthUrl,
    restBaseUrl: endpoint.restBaseUrl,
    wsUrl: endpoint.wsUrl,
    sim: endpoint.sim,
    dart,
    broker: parts.broker,
    feed: parts.feed,
    scheduler: parts.scheduler,
    orders: parts.orders,
    metrics,
    stop: async (deadlineMs = 20_000) => {
      ready = false;
      const report = await lifecycle.stopAll(deadlineMs);
      await closeSims();
      rmSync(daemonInfoPath(config), { force: true });
      return report;
    },
  };
}

/** Starts every component; a failure or an abort (SIGTERM during start-up) leaves nothing running and rejects. */
async function startAll(lifecycle: Lifecycle, signal: AbortSignal | undefined, closeSims: () => Promise<void>): Promise<void> {
  const onAbort = (): void => void lifecycle.stopAll(5_000);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    await lifecycle.startAll();
  } catch (err) {
    // Leave nothing running behind a failed start: systemd restarts a clean process.
    await lifecycle.stopAll(5_000).catch(() => undefined);
    await closeSims().catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Restart recovery runs in the background after READY: a long missed phase 1 (collection at 2 req/s on paper)
 * must not hold start-up past systemd's TimeoutStartSec, and SIGTERM must be able to stop it. Phases still run
 * in order, cron triggers that fire meanwhile wait for it, and it logs one line per phase.
 */
function startRestartRecovery(parts: DaemonParts, o: DaemonOptions): Promise<void> {
  const log = o.logger.child({ component: 'daemon' });
  const recovery = new RecoveryManager(parts.scheduler, { clock: o.clock, logger: o.logger.child({ component: 'recovery' }), calendar: parts.calendar, dataDir: o.config.resolved.paths.dataDir });
  return recovery
    .recover()
    .then((result) => {
      for (const session of result.sessions) session.catch((err: unknown) => log.error({ err }, 'recovered phase failed'));
    })
    .catch((err: unknown) => log.error({ err }, 'restart recovery failed; the scheduled phases still run at their times'));
}
