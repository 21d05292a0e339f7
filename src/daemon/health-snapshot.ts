// What /healthz reports for `kisd run`: readiness, the token, the feed, the last phase, the recovery queue and
// the jobs in flight — read from the running components on each request (and mirrored into two gauges).
import type { Clock } from '../core/clock.js';
import { formatKstTimestamp, kstYmd } from '../core/kst.js';
import type { KisdConfig } from '../config/load.js';
import type { Store } from '../store/index.js';
import type { HealthSnapshot, KisdMetrics } from '../health/index.js';
import type { IntegratedScheduler } from '../scheduler/index.js';
import type { Broker } from './broker.js';
import type { FeedBundle } from './feed-wiring.js';

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
