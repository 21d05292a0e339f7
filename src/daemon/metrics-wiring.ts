// Turns the REST client's typed events into Prometheus counters (one place, so no module counts twice).
import type { KisdMetrics } from '../health/index.js';
import type { Broker } from './broker.js';

export function wireRestMetrics(broker: Broker, metrics: KisdMetrics): void {
  const ev = broker.rest.events;
  ev.on('outcome', (e) => metrics.restRequests.inc({ endpoint: e.path, outcome: e.outcome }));
  ev.on('retry', (e) => metrics.restRetries.inc({ endpoint: e.trId, reason: e.rule }));
  ev.on('rate-limit-wait', (e) => {
    metrics.rateLimitWaits.inc({ limiter: e.priority });
    metrics.rateLimitWaitSeconds.inc({ limiter: e.priority }, e.waitedMs / 1000);
  });
  const limiter = broker.limiter;
  metrics.observeRateBudget(async () => {
    if (!limiter.sharedUsage) return { windows: limiter.usage?.() ?? [], processes: 1 };
    const u = await limiter.sharedUsage();
    return { windows: u.windows, processes: u.members.length, ...(u.coordination ? { coordination: u.coordination.mode } : {}) };
  });
}
