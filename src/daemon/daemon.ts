// The composition root of `kisd run`: builds every component from the compiled config in dependency order,
// runs restart recovery, reports readiness, and stops everything in reverse order within a deadline.
// Crash-only (STYLE rule 8): start-up is the recovery path, so there is no separate "resume" mode.
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { clockSpeed, type Clock } from '../core/clock.js';
import { writeJsonAtomic } from '../core/atomic-file.js';
import { formatKstTimestamp, kstYmd, kstInstant } from '../core/kst.js';
import type { KisdConfig } from '../config/load.js';
import type { KisCredentials } from '../kis/auth/types.js';
import { openStore, type Store } from '../store/index.js';
import { createAlertDispatcher, type AlertDispatcher } from '../alerts/index.js';
import { createRecoveryQueue, createRecoveryWorker, type RecoveryWorker } from '../recovery/index.js';
import { createKisDatasets, recoveryRunnersFor, createFreshnessChecker, type FreshnessReport } from '../collect/index.js';
import { createOrderManager, type RunningOrderManager } from '../trade/orders/index.js';
import {
  IntegratedScheduler,
  RecoveryManager,
  TradingCalendar,
  TokenWatch,
  Lifecycle,
  type AlertSink as SchedulerAlertSink,
  type StopReport,
} from '../scheduler/index.js';
import { createKisdMetrics, HealthServer, SdNotifier, type KisdMetrics, type HealthSnapshot } from '../health/index.js';
import { createBroker, type Broker } from './broker.js';
import { EMBEDDED_SIM_SERVER_ID, startEmbeddedSimulator, type EmbeddedSimulator } from './embedded-sim.js';
import { createFeedBundle, type FeedBundle } from './feed-wiring.js';
import { alertSinksFromEnv } from './alerts-from-env.js';
import { wireRestMetrics } from './metrics-wiring.js';
import { watchStateFile } from './state-file-watch.js';
import { scheduleOptionsFor } from './preflight.js';
import { createTradingWiring } from './trading-wiring.js';
import { createStatusSource } from './status-source.js';

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
  readonly healthUrl: string;
  readonly restBaseUrl: string;
  readonly wsUrl: string;
  readonly sim: EmbeddedSimulator | undefined;
  readonly broker: Broker;
  readonly feed: FeedBundle;
  readonly scheduler: IntegratedScheduler;
  readonly orders: RunningOrderManager;
  readonly metrics: KisdMetrics;
  /** Stops everything in reverse start order; resolves with whether it finished within the deadline. */
  stop(deadlineMs?: number): Promise<StopReport>;
}

/** The last KR trading day strictly before ymd (looks back at most 30 days). */
function previousKrTradingDay(calendar: { isKrTradingDay(ymd: string): boolean }, ymd: string): string {
  let ms = kstInstant(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)} 12:00`);
  for (let i = 0; i < 30; i += 1) {
    ms -= 86_400_000;
    if (calendar.isKrTradingDay(kstYmd(ms))) return kstYmd(ms);
  }
  return kstYmd(ms);
}

/** Where `kisd status` finds a running daemon. */
export function daemonInfoPath(config: KisdConfig): string {
  return join(config.resolved.paths.stateDir, 'daemon.json');
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const { config, credentials, clock } = o;
  const env = o.env ?? process.env;
  const log = o.logger.child({ component: 'daemon' });
  const paths = config.resolved.paths;
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o750 });
  log.info({ mode: config.mode, serverFlavor: config.resolved.serverFlavor, dryRun: config.dry_run, varDir: paths.varDir }, `kisd starting (mode ${config.mode})`);

  const lifecycle = new Lifecycle(o.realClock ?? clock, o.logger.child({ component: 'lifecycle' }));
  const metrics = createKisdMetrics();

  // 1. The KIS endpoint: the embedded simulator in sim mode (unless a URL points at an external one).
  let sim: EmbeddedSimulator | undefined;
  let restBaseUrl = config.resolved.restBaseUrl;
  let wsUrl = config.resolved.wsUrl;
  if (config.mode === 'sim' && !restBaseUrl) {
    // Its server state (issued tokens) persists in var_dir, so a restart re-reads the token, as with KIS.
    sim = await startEmbeddedSimulator({ config, credentials, clock, logger: o.logger, stateFile: join(paths.stateDir, 'embedded-sim-server.json') });
    restBaseUrl = sim.sim.restUrl;
    wsUrl = sim.sim.wsUrl;
    log.info({ restUrl: restBaseUrl, wsUrl }, `KIS simulator listening: REST ${restBaseUrl}  WebSocket ${wsUrl}`);
  }
  if (!restBaseUrl || !wsUrl) throw new Error('no KIS REST/WebSocket URL for this mode');
  const embedded = sim;

  // 2. Broker, storage, alerts.
  const broker = createBroker({ config, credentials, clock, logger: o.logger, restBaseUrl, ...(sim ? { serverId: EMBEDDED_SIM_SERVER_ID } : {}) });
  wireRestMetrics(broker, metrics);
  const store: Store = openStore({ dataDir: paths.dataDir, nowMs: clock.nowMs() });
  const alerts: AlertDispatcher = createAlertDispatcher({
    clock,
    logger: o.logger,
    sinks: alertSinksFromEnv(config, env, log),
    history: store.alertHistory,
    dedupWindowMs: config.alerts.dedup_window_min * 60_000,
  });
  const schedulerAlerts: SchedulerAlertSink = {
    alert: async (a) => {
      await alerts.send({ key: a.key, level: a.level.toUpperCase() as 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL', title: a.title, what: a.body });
    },
  };

  // 3. Recovery queue + worker: failed collection tasks are retried by the same dataset code that collects them.
  const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
  const datasets = createKisDatasets({ api: broker.api, store, clock, logger: o.logger });
  const worker: RecoveryWorker = createRecoveryWorker({
    queue,
    runners: recoveryRunnersFor(Object.values(datasets)),
    clock,
    logger: o.logger,
    alerts,
  });

  // 4. Trading calendar (KIS holiday check, cached; weekdays minus configured holidays when it fails).
  const calendar = new TradingCalendar(
    { dataDir: paths.dataDir, krHolidays: [...config.scheduler.kr_holidays] },
    { fetchKrHolidayRun: async (fromYmd, signal) => (await broker.api.chkHoliday(fromYmd, signal)).map((d) => ({ ymd: d.date, isOpen: d.marketOpen })) },
    clock,
    o.logger.child({ component: 'calendar' }),
  );

  // 5. Market feed.
  const feed = createFeedBundle({ config, clock, logger: o.logger, wsUrl, approvalKeys: broker.approvalKeys, htsId: credentials.htsId, calendar, metrics });

  // 6. Orders: journal + reconciliation; no order is sent until start-up reconciliation has passed.
  const orders: RunningOrderManager = createOrderManager({ broker: broker.api, db: store.db, clock, log: o.logger.child({ component: 'orders' }), alerts });
  const stopNotices = orders.consumeNotices(feed.bus);

  // 7. Scheduler: phases, token watch (30 min) and broker re-initialisation (6 h).
  const reinit = async (reason: string): Promise<void> => {
    log.info({ reason }, `broker re-initialisation (${reason}): new HTTP pool, WebSocket re-authorised and re-subscribed`);
    broker.reinitRest();
    if (config.feed.enabled) await feed.restart();
  };
  const s = config.scheduler;
  const universe = (): readonly string[] => {
    const all = s.screening_symbols.length > 0 ? s.screening_symbols : embedded ? embedded.sim.market.krRequestCodes() : config.feed.kr_watchlist;
    return s.screening_universe_limit > 0 ? all.slice(0, s.screening_universe_limit) : all;
  };
  const trading = createTradingWiring({ config, clock, logger: o.logger, store, datasets, queue, alerts, orders, feed, universe, htsId: credentials.htsId });
  // Freshness (seed 002, adapted): yesterday's bars by 09:00, realtime quotes ≤ 5 min old in the session,
  // today's investor flows after the close. Stale → WARNING (the checker) and a single-flight re-collection.
  const recollecting = new Set<string>();
  const freshness = createFreshnessChecker({
    clock,
    logger: o.logger,
    calendar: { isTradingDay: (ymd) => calendar.isKrTradingDay(ymd), previousTradingDay: (ymd) => previousKrTradingDay(calendar, ymd) },
    probes: {
      dailyBarsCount: (d) => store.dailyBars.countOn(d),
      investorFlowsCount: (d) => store.investorFlows.countOn(d),
      latestQuoteAsOfMs: () => (config.feed.enabled ? feed.feed.status().lastTickAtMs ?? 0 : undefined),
    },
    alerts,
    onStale: (r: FreshnessReport) => {
      if (recollecting.has(r.dataset)) return;
      recollecting.add(r.dataset);
      const work = r.dataset === 'quotes' ? reinit('stale realtime quotes') : trading.collect(r.dataset === 'daily_bars' ? 'daily-bars' : 'investor-flows', scheduler.stopSignal);
      void work.catch((err: unknown) => log.warn({ err, dataset: r.dataset }, 're-collection after a stale check failed; the next check retries')).finally(() => recollecting.delete(r.dataset));
    },
  });
  let freshnessTimer: ReturnType<Clock['setInterval']> | undefined;
  const tokenWatch = new TokenWatch(broker.tokens, { reinit }, clock, o.logger.child({ component: 'token-watch' }));
  const scheduler = new IntegratedScheduler(
    { dataDir: paths.dataDir, ...scheduleOptionsFor(config) },
    {
      clock,
      logger: o.logger.child({ component: 'scheduler' }),
      calendar,
      jobs: trading.jobs,
      tokenWatch,
      alerts: schedulerAlerts,
      metrics,
    },
  );
  broker.tokens.onTokenChanged((e) => {
    metrics.tokenIssues.inc({ kind: 'access', outcome: e.source });
    log.info({ source: e.source }, e.source === 'file' ? 'access token changed by another process' : 'access token issued');
  });

  // 8. Health endpoint.
  let ready = false;
  let tokenFileWatch: { close(): void } | undefined;
  let killSwitchWatch: { close(): void } | undefined;
  let recovering: Promise<void> | undefined;
  let healthPort = 0;
  const statusSource = createStatusSource({
    clock,
    mode: config.mode,
    dryRun: config.dry_run,
    dataDir: paths.dataDir,
    clockSpeed: clockSpeed(clock),
    startedMonoMs: clock.monotonicMs(),
    ready: () => ready,
    scheduler,
    isTradingDay: (ymd) => calendar.isKrTradingDay(ymd),
    feed,
    feedEnabled: config.feed.enabled,
    store,
    orders,
    killSwitch: trading.killSwitch,
    broker,
    alerts,
  });
  const health = new HealthServer(
    { host: config.health.host, port: config.health.port, env },
    {
      clock,
      logger: o.logger.child({ component: 'health' }),
      metrics,
      source: { snapshot: () => snapshot() },
      status: statusSource,
      reports: (name) => readFile(join(paths.dataDir, 'reports', name), 'utf8').catch(() => undefined),
    },
  );
  const snapshot = async (): Promise<HealthSnapshot> => {
    const t = await broker.tokens.status();
    const f = feed.feed.status();
    const last = scheduler.lastPhase();
    const counts = store.recoveryQueue.counts();
    const depth = (counts['pending'] ?? 0) + (counts['processing'] ?? 0);
    metrics.queueDepth.set(depth);
    if (t.remainingMs !== undefined) metrics.tokenRemainingSeconds.set(Math.round(t.remainingMs / 1000));
    return {
      ready,
      token: { valid: t.state === 'valid' || t.state === 'refresh-due', remainingSec: t.remainingMs === undefined ? undefined : Math.round(t.remainingMs / 1000), expiresAt: t.expiresAtKst },
      feed: { market: f.market === 'none' ? 'none' : f.market === 'kr' ? 'KR' : 'US', state: f.socketState, subscriptions: f.acknowledged, lastTickAt: f.lastTickAtMs === undefined ? undefined : formatKstTimestamp(f.lastTickAtMs) },
      lastPhase: last ? { phase: last.phase, outcome: last.outcome, at: last.at } : null,
      queueDepth: depth,
      jobsInFlight: scheduler.inFlight(),
      info: { mode: config.mode, dryRun: config.dry_run, pid: process.pid, today: kstYmd(clock.nowMs()) },
    };
  };

  // 9. Start in order; stop in reverse. Storage, alerts and the REST client come first so they are closed
  // last: everything that journals, alerts or calls KIS must have stopped before them. The state-file
  // watchers come last so they are closed first (a late token change must not reopen a stopping feed).
  lifecycle
    .register({ name: 'store', stop: () => store.close() })
    .register({ name: 'alerts', stop: () => alerts.close() })
    .register({ name: 'broker', stop: () => broker.close() })
    .register({ name: 'health', start: async () => void (healthPort = await health.start()), stop: () => health.stop() })
    .register({ name: 'token', start: async (signal) => void (await broker.tokens.getAccessToken(signal)) })
    .register({ name: 'calendar', start: async (signal) => void (await calendar.refresh(signal)) })
    .register({ name: 'kill-switch', start: () => trading.killSwitch.load() })
    .register({
      name: 'orders',
      start: async (signal) => {
        const report = await orders.start(signal);
        log.info({ passed: report.passed, differences: report.differences.length, unresolved: report.unresolved.length }, `start-up reconciliation ${report.passed ? 'passed: trading allowed' : 'did not pass: no new orders until it does'}`);
      },
      stop: async () => {
        stopNotices();
        await orders.stop();
      },
    })
    .register({ name: 'recovery-worker', start: () => { worker.recoverOrphans(); worker.start(); }, stop: () => worker.stop() })
    .register({ name: 'feed', start: () => (config.feed.enabled ? feed.start() : undefined), stop: () => feed.stop() })
    .register({
      name: 'freshness',
      start: () => {
        freshnessTimer = clock.setInterval(() => void freshness.runOnce(), 5 * 60_000);
      },
      stop: () => clock.clearInterval(freshnessTimer),
    })
    // Stops after the scheduler (which aborts the phases it runs) and before feed, orders and storage: the
    // background restart recovery must have settled before what it uses is closed.
    .register({ name: 'recovery', stop: (deadline) => (recovering ? Promise.race([recovering, new Promise((r) => deadline.addEventListener('abort', r, { once: true }))]) : undefined) })
    .register({ name: 'scheduler', start: () => (config.scheduler.enabled ? scheduler.start() : undefined), stop: (deadline) => scheduler.stop(deadline) })
    .register({
      name: 'state-file-watch',
      start: () => {
        tokenFileWatch = watchStateFile({ stateDir: paths.stateDir, clock, logger: log, onChange: () => tokenWatch.check() });
        // An operator's `kisd risk reset` rewrites the kill-switch file: reload it at once.
        killSwitchWatch = watchStateFile({ stateDir: paths.stateDir, fileName: 'kill-switch.json', clock, logger: log, onChange: () => trading.killSwitch.load() });
      },
      stop: () => {
        tokenFileWatch?.close();
        killSwitchWatch?.close();
      },
    });
  const onAbort = (): void => void lifecycle.stopAll(5_000);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (o.signal?.aborted) onAbort();
    await lifecycle.startAll();
  } catch (err) {
    // Leave nothing running behind a failed start: systemd restarts a clean process.
    await lifecycle.stopAll(5_000).catch(() => undefined);
    await embedded?.close().catch(() => undefined);
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  // A wildcard bind is reached on loopback from this machine (kisd status, the log line).
  const healthHost = ['0.0.0.0', '::', '[::]'].includes(config.health.host) ? '127.0.0.1' : config.health.host.includes(':') ? `[${config.health.host}]` : config.health.host;
  const healthUrl = `http://${healthHost}:${healthPort}`;

  // Restart recovery runs in the background after READY: a long missed phase 1 (collection at 2 req/s on
  // paper) must not hold start-up past systemd's TimeoutStartSec, and SIGTERM must be able to stop it.
  // Phases still run in order, cron triggers that fire meanwhile wait for it, and it logs one line per phase.
  if (config.scheduler.enabled) {
    const recovery = new RecoveryManager(scheduler, { clock, logger: o.logger.child({ component: 'recovery' }), calendar, dataDir: paths.dataDir });
    recovering = recovery
      .recover()
      .then((result) => {
        for (const session of result.sessions) session.catch((err: unknown) => log.error({ err }, 'recovered phase failed'));
      })
      .catch((err: unknown) => log.error({ err }, 'restart recovery failed; the scheduled phases still run at their times'));
  }
  ready = true;
  await writeJsonAtomic(daemonInfoPath(config), { pid: process.pid, healthUrl, restUrl: restBaseUrl, wsUrl, startedAt: new Date(clock.nowMs()).toISOString() }, { mode: 0o600 });
  log.info({ healthUrl }, `kisd ready: status page ${healthUrl}/ (JSON ${healthUrl}/status.json), health ${healthUrl}/healthz, metrics ${healthUrl}/metrics`);

  return {
    healthUrl,
    restBaseUrl,
    wsUrl,
    sim: embedded,
    broker,
    feed,
    scheduler,
    orders,
    metrics,
    stop: async (deadlineMs = 20_000) => {
      ready = false;
      const report = await lifecycle.stopAll(deadlineMs);
      await embedded?.close();
      rmSync(daemonInfoPath(config), { force: true });
      return report;
    },
  };
}

export { SdNotifier };
