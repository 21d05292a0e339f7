// Builds the components of `kisd run` from the compiled config, in dependency order: broker, storage, alerts,
// the recovery queue and worker, the trading calendar, the feed, the order manager (steps 2–6), then the jobs
// and the scheduler that runs them (step 7). Nothing starts here: the lifecycle starts them (components.ts).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { KisCredentials } from '../core/credentials.js';
import type { LifecycleComponent } from '../core/lifecycle.js';
import type { KisdConfig } from '../config/load.js';
import { openStore, type Store } from '../store/index.js';
import { createAlertDispatcher, type AlertDispatcher } from '../alerts/index.js';
import { createRecoveryQueue, createRecoveryWorker, type RecoveryWorker } from '../recovery/index.js';
import { createDatasets, recoveryRunnersFor } from '../collect/index.js';
import { createOrderManager, type OrderManagerOptions, type RunningOrderManager } from '../trade/orders/index.js';
import { IntegratedScheduler, HolidayCalendar, TokenWatch } from '../scheduler/index.js';
import type { KisdMetrics } from '../health/index.js';
import { createBroker, type Broker } from './broker.js';
import { EMBEDDED_SIM_SERVER_ID } from './embedded-sim.js';
import { createFeedBundle, type FeedBundle } from './feed-wiring.js';
import { createFreshnessComponent } from './freshness-wiring.js';
import { createDisclosureWatchComponent } from './disclosure-watch-wiring.js';
import { createResearchSchedule } from './research-schedule.js';
import { createDaemonReinit } from './reinit.js';
import { alertSinksFromEnv } from './alerts-from-env.js';
import type { KisEndpoint } from './kis-endpoint.js';
import type { DartEndpoint } from './dart-endpoint.js';
import { createDartParts, type DartParts } from './dart-parts.js';
import { wireRestMetrics } from './metrics-wiring.js';
import { scheduleOptionsFor } from './preflight.js';
import { createTradingWiring, type TradingWiring } from './trading-wiring.js';

export interface PartsInput {
  config: KisdConfig;
  credentials: KisCredentials;
  clock: Clock;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  endpoint: KisEndpoint;
  /** OpenDART's URL and key when dart.enabled. */
  dart: DartEndpoint | undefined;
  metrics: KisdMetrics;
  /** Test seam: the order manager's crash hook (DaemonOptions.orderCrashHook). */
  orderCrashHook?: OrderManagerOptions['crashHook'];
}

export interface DaemonParts {
  broker: Broker;
  store: Store;
  alerts: AlertDispatcher;
  worker: RecoveryWorker;
  calendar: HolidayCalendar;
  feed: FeedBundle;
  orders: RunningOrderManager;
  /** Ends the order manager's subscription to execution notices. */
  stopNotices: () => void;
  trading: TradingWiring;
  tokenWatch: TokenWatch;
  scheduler: IntegratedScheduler;
  freshness: LifecycleComponent;
  /** The daily research collection (collect.research_daily); a no-op component otherwise. */
  research: LifecycleComponent;
  /** New disclosures of watched and held symbols (dart.enabled); a no-op component otherwise. */
  disclosureWatch: LifecycleComponent;
  /** The OpenDART client, API and corp-code map when dart.enabled. */
  dart: DartParts | undefined;
}

type Services = Pick<DaemonParts, 'broker' | 'store' | 'alerts' | 'worker' | 'calendar' | 'feed' | 'orders' | 'stopNotices' | 'dart'> & {
  datasets: ReturnType<typeof createDatasets>;
  queue: ReturnType<typeof createRecoveryQueue>;
};

export function buildDaemonParts(i: PartsInput): DaemonParts {
  const services = buildServices(i);
  return { ...services, ...buildJobs(i, services) };
}

/** Steps 2–6: broker, storage, alerts, recovery queue + worker, trading calendar, feed, orders. */
function buildServices(i: PartsInput): Services {
  const { config, clock, endpoint, metrics } = i;
  const paths = config.resolved.paths;
  const store = openStore({ dataDir: paths.dataDir, nowMs: clock.nowMs() });
  const alerts = createAlertDispatcher({
    clock,
    logger: i.logger,
    sinks: alertSinksFromEnv(config, i.env, i.logger.child({ component: 'daemon' })),
    history: store.alertHistory,
    dedupWindowMs: config.alerts.dedup_window_min * 60_000,
  });
  // After the alerts: the rate budget alerts when its Redis is unreachable.
  const broker = createBroker({ config, credentials: i.credentials, clock, logger: i.logger, restBaseUrl: endpoint.restBaseUrl, ...(endpoint.sim ? { serverId: EMBEDDED_SIM_SERVER_ID } : {}), label: 'kisd run', alerts });
  wireRestMetrics(broker, metrics);
  // Failed collection tasks are retried by the same dataset code that collects them.
  const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
  const dart = i.dart ? createDartParts({ endpoint: i.dart, config, clock, logger: i.logger }) : undefined;
  const datasets = createDatasets({
    kis: { api: broker.api, store, clock, logger: i.logger },
    ...(dart ? { dart: { api: dart.api, corpCodes: dart.corpCodes, store, clock, logger: i.logger } } : {}),
  });
  const worker = createRecoveryWorker({ queue, runners: recoveryRunnersFor(Object.values(datasets)), clock, logger: i.logger, alerts });
  // KIS holiday check, cached; weekdays minus configured holidays when it fails.
  const calendar = new HolidayCalendar(
    { dataDir: paths.dataDir, krHolidays: [...config.scheduler.kr_holidays] },
    { fetchKrHolidayRun: async (fromYmd, signal) => (await broker.api.chkHoliday(fromYmd, signal)).map((d) => ({ ymd: d.date, isOpen: d.marketOpen })) },
    clock,
    i.logger.child({ component: 'calendar' }),
  );
  const feed = createFeedBundle({ config, clock, logger: i.logger, wsUrl: endpoint.wsUrl, approvalKeys: broker.approvalKeys, htsId: i.credentials.htsId, calendar, metrics, gapFill: { minuteChart: broker.api, store } });
  // Journal + reconciliation; no order is sent until start-up reconciliation has passed.
  const orders = createOrderManager({
    broker: broker.api,
    db: store.db,
    clock,
    log: i.logger.child({ component: 'orders' }),
    alerts,
    sendDeadlineMs: config.orders.send_deadline_sec * 1000,
    reconcileIntervalMs: config.orders.reconcile_interval_sec * 1000,
    idleReconcileIntervalMs: config.orders.reconcile_idle_interval_sec * 1000,
    ...(i.orderCrashHook ? { crashHook: i.orderCrashHook } : {}),
  });
  const stopNotices = orders.consumeNotices(feed.bus);
  // After any reconnect: our execution notices, then the symbols we hold, before the rest.
  feed.prioritize(() => orders.positions().filter((p) => p.market === 'KR' && p.qty !== 0).map((p) => p.symbol));
  return { broker, store, alerts, queue, datasets, worker, calendar, feed, orders, stopNotices, dart };
}

/** Step 7: the day's jobs, freshness, the token watch (30 min), broker re-initialisation (6 h) and the scheduler. */
function buildJobs(i: PartsInput, s: Services): Pick<DaemonParts, 'trading' | 'tokenWatch' | 'scheduler' | 'freshness' | 'research' | 'disclosureWatch'> {
  const { config, clock, metrics } = i;
  const log = i.logger.child({ component: 'daemon' });
  const { reinit, restartFeed } = createDaemonReinit({ rest: s.broker, feed: config.feed.enabled ? s.feed : undefined, logger: log });
  const sc = config.scheduler;
  const universe = (): readonly string[] => {
    const all = sc.screening_symbols.length > 0 ? sc.screening_symbols : i.endpoint.sim ? i.endpoint.sim.sim.market.krRequestCodes() : config.feed.kr_watchlist;
    return sc.screening_universe_limit > 0 ? all.slice(0, sc.screening_universe_limit) : all;
  };
  const trading = createTradingWiring({ config, clock, logger: i.logger, killSwitchStore: s.broker.shared.killSwitch, store: s.store, datasets: s.datasets, queue: s.queue, alerts: s.alerts, orders: s.orders, feed: s.feed, universe, htsId: i.credentials.htsId });
  const tokenWatch = new TokenWatch(s.broker.tokens, { reinit }, clock, i.logger.child({ component: 'token-watch' }));
  const scheduler = new IntegratedScheduler(
    { dataDir: config.resolved.paths.dataDir, ...scheduleOptionsFor(config) },
    { clock, logger: i.logger.child({ component: 'scheduler' }), calendar: s.calendar, jobs: trading.jobs, tokenWatch, alerts: s.alerts, metrics },
  );
  const freshness = createFreshnessComponent({ config, clock, logger: i.logger, calendar: s.calendar, store: s.store, feed: s.feed, alerts: s.alerts, restartFeed, collect: trading.collect, universeSize: () => universe().length, stopSignal: () => scheduler.stopSignal });
  const research: LifecycleComponent = config.collect.research_daily
    ? createResearchSchedule({ clock, logger: i.logger, calendar: s.calendar, at: config.collect.research_at, collect: trading.collect, yieldTo: () => scheduler.inFlight().some((id) => id === 'screening' || id === 'selection') })
    : { name: 'research-schedule' };
  s.broker.tokens.onTokenChanged((e) => {
    metrics.tokenIssues.inc({ kind: 'access', outcome: e.source });
    log.info({ source: e.source }, e.source === 'file' ? 'access token changed by another process' : 'access token issued');
  });
  const disclosureWatch: LifecycleComponent = s.dart
    ? createDisclosureWatchComponent({ config, clock, logger: i.logger, store: s.store, alerts: s.alerts, dart: s.dart })
    : { name: 'disclosure-watch' };
  return { trading, tokenWatch, scheduler, freshness, research, disclosureWatch };
}
