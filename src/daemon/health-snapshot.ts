// The HTTP face of `kisd run`: what /healthz reports (readiness, the token, the feed, the last phase, the
// recovery queue and the jobs in flight — read from the running components on each request and mirrored into
// two gauges), the status page's source, and the daily reports it serves.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { clockSpeed, type Clock } from '../core/clock.js';
import { formatKstTimestamp, kstYmd } from '../core/kst.js';
import type { KisdConfig } from '../config/load.js';
import type { Store } from '../store/index.js';
import { HealthServer, type HealthSnapshot, type KisdMetrics } from '../health/index.js';
import type { IntegratedScheduler } from '../scheduler/index.js';
import type { Broker } from './broker.js';
import type { FeedBundle } from './feed-wiring.js';
import type { DaemonParts } from './parts.js';
import { createStatusSource } from './status-source.js';

export interface HealthSources {
  config: KisdConfig;
  clock: Clock;
  broker: Broker;
  feed: FeedBundle;
  scheduler: IntegratedScheduler;
  store: Store;
  metrics: KisdMetrics;
  isReady(): boolean;
}

export function healthSnapshotSource(s: HealthSources): () => Promise<HealthSnapshot> {
  return async () => {
    const t = await s.broker.tokens.status();
    const f = s.feed.feed.status();
    const last = s.scheduler.lastPhase();
    const counts = s.store.recoveryQueue.counts();
    const depth = (counts['pending'] ?? 0) + (counts['processing'] ?? 0);
    s.metrics.queueDepth.set(depth);
    if (t.remainingMs !== undefined) s.metrics.tokenRemainingSeconds.set(Math.round(t.remainingMs / 1000));
    return {
      ready: s.isReady(),
      token: { valid: t.state === 'valid' || t.state === 'refresh-due', remainingSec: t.remainingMs === undefined ? undefined : Math.round(t.remainingMs / 1000), expiresAt: t.expiresAtKst },
      feed: { market: f.market === 'none' ? 'none' : f.market === 'kr' ? 'KR' : 'US', state: f.socketState, subscriptions: f.acknowledged, lastTickAt: f.lastTickAtMs === undefined ? undefined : formatKstTimestamp(f.lastTickAtMs) },
      lastPhase: last ? { phase: last.phase, outcome: last.outcome, at: last.at } : null,
      queueDepth: depth,
      jobsInFlight: s.scheduler.inFlight(),
      info: { mode: s.config.mode, dryRun: s.config.dry_run, pid: process.pid, today: kstYmd(s.clock.nowMs()) },
    };
  };
}

/** The health server of `kisd run` with /healthz, the status page (/ and /status.json) and the daily reports. */
export function createDaemonHealthServer(o: { config: KisdConfig; clock: Clock; logger: Logger; env: NodeJS.ProcessEnv; parts: DaemonParts; metrics: KisdMetrics; isReady(): boolean }): HealthServer {
  const { config, clock, parts: p } = o;
  const dataDir = config.resolved.paths.dataDir;
  const snapshot = healthSnapshotSource({ config, clock, broker: p.broker, feed: p.feed, scheduler: p.scheduler, store: p.store, metrics: o.metrics, isReady: o.isReady });
  const status = createStatusSource({
    clock,
    mode: config.mode,
    dryRun: config.dry_run,
    dataDir,
    clockSpeed: clockSpeed(clock),
    startedMonoMs: clock.monotonicMs(),
    ready: o.isReady,
    scheduler: p.scheduler,
    isTradingDay: (ymd) => p.calendar.isKrTradingDay(ymd),
    feed: p.feed,
    feedEnabled: config.feed.enabled,
    store: p.store,
    orders: p.orders,
    killSwitch: p.trading.killSwitch,
    broker: p.broker,
    alerts: p.alerts,
  });
  return new HealthServer(
    { host: config.health.host, port: config.health.port, env: o.env },
    {
      clock,
      logger: o.logger.child({ component: 'health' }),
      metrics: o.metrics,
      source: { snapshot },
      status,
      reports: (name) => readFile(join(dataDir, 'reports', name), 'utf8').catch(() => undefined),
    },
  );
}
