// The start order of `kisd run`'s components; they stop in reverse. Storage, alerts and the REST client come
// first so they are closed last: everything that journals, alerts or calls KIS must have stopped before them.
// The state-file watchers come last so they are closed first (a late token change must not reopen a stopping feed).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { KisdConfig } from '../config/load.js';
import type { HealthServer } from '../health/index.js';
import type { DaemonParts } from './parts.js';
import { pollSharedKillSwitch } from './shared-state.js';
import { watchStateFile } from './state-file-watch.js';

/** What the daemon learns while starting and running, shared with its components. */
export interface DaemonRunState {
  healthPort: number;
  /** The background restart recovery, once started: stop waits for it. */
  recovering: Promise<void> | undefined;
}

export function registerComponents(lifecycle: Lifecycle, p: DaemonParts, o: { config: KisdConfig; clock: Clock; logger: Logger; health: HealthServer; state: DaemonRunState }): void {
  const { config } = o;
  const log = o.logger.child({ component: 'daemon' });
  lifecycle
    .register({ name: 'store', stop: () => p.store.close() })
    .register({ name: 'alerts', stop: () => p.alerts.close() })
    .register({ name: 'broker', stop: () => p.broker.close() });
  // health.enabled: false means no listener at all (nothing binds the port; `kisd status` says why it cannot ask).
  if (config.health.enabled) lifecycle.register({ name: 'health', start: async () => void (o.state.healthPort = await o.health.start()), stop: () => o.health.stop() });
  lifecycle
    .register({ name: 'token', start: async (signal) => void (await p.broker.tokens.getAccessToken(signal)) })
    .register({ name: 'calendar', start: async (signal) => void (await p.calendar.refresh(signal)) })
    .register({ name: 'kill-switch', start: () => p.trading.killSwitch.load() })
    .register({
      name: 'orders',
      start: async (signal) => {
        const report = await p.orders.start(signal);
        log.info({ passed: report.passed, differences: report.differences.length, unresolved: report.unresolved.length }, `start-up reconciliation ${report.passed ? 'passed: trading allowed' : 'did not pass: no new orders until it does'}`);
      },
      stop: async () => {
        p.stopNotices();
        await p.orders.stop();
      },
    })
    .register({ name: 'recovery-worker', start: () => { p.worker.recoverOrphans(); p.worker.start(); }, stop: () => p.worker.stop() })
    .register({ name: 'feed', start: () => (config.feed.enabled ? p.feed.start() : undefined), stop: () => p.feed.stop() })
    .register(p.freshness)
    .register(p.research)
    .register(p.disclosureWatch)
    // Stops after the scheduler (which aborts the phases it runs) and before feed, orders and storage: the
    // background restart recovery must have settled before what it uses is closed.
    .register({ name: 'recovery', stop: (deadline) => (o.state.recovering ? Promise.race([o.state.recovering, new Promise((r) => deadline.addEventListener('abort', r, { once: true }))]) : undefined) })
    .register({ name: 'scheduler', start: () => (config.scheduler.enabled ? p.scheduler.start() : undefined), stop: (deadline) => p.scheduler.stop(deadline) })
    .register(stateFileWatches(p, config, o.clock, log));
}

/**
 * Another process replacing the token file, or `kisd risk reset` rewriting the kill switch, acts at once. With
 * coordination.backend redis no file changes when another host trips or resets the switch: it is re-read
 * from Redis every second (one GET; shared-state.ts).
 */
function stateFileWatches(p: DaemonParts, config: KisdConfig, clock: Clock, log: Logger) {
  const stateDir = config.resolved.paths.stateDir;
  let tokenFileWatch: { close(): void } | undefined;
  let killSwitchWatch: { close(): void } | undefined;
  let killSwitchPoll: { close(): void } | undefined;
  return {
    name: 'state-file-watch',
    start: () => {
      tokenFileWatch = watchStateFile({ stateDir, clock, logger: log, onChange: () => p.tokenWatch.check() });
      killSwitchWatch = watchStateFile({ stateDir, fileName: 'kill-switch.json', clock, logger: log, onChange: () => p.trading.killSwitch.load() });
      if (p.broker.shared.backend === 'redis') killSwitchPoll = pollSharedKillSwitch({ clock, logger: log, load: () => p.trading.killSwitch.load() });
    },
    stop: () => {
      tokenFileWatch?.close();
      killSwitchWatch?.close();
      killSwitchPoll?.close();
    },
  };
}

