// kisd's Prometheus metrics on a registry of its own (not prom-client's global one, so tests stay isolated):
// typed counters/gauges other modules increment, plus Node default metrics (event-loop lag, heap, RSS).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobMetrics, JobOutcome } from '../core/phases.js';

export interface KisdMetrics extends JobMetrics {
  readonly registry: Registry;
  /** REST calls by endpoint and outcome. */
  readonly restRequests: Counter<'endpoint' | 'outcome'>;
  /** REST retries by endpoint and reason (5xx, EGW00201, network, token). */
  readonly restRetries: Counter<'endpoint' | 'reason'>;
  /** Waits imposed by a rate limiter (count and seconds). */
  readonly rateLimitWaits: Counter<'limiter'>;
  readonly rateLimitWaitSeconds: Counter<'limiter'>;
  /** Access-token / approval-key issues by kind and outcome. */
  readonly tokenIssues: Counter<'kind' | 'outcome'>;
  /** Seconds of validity left on the access token (set at each check). */
  readonly tokenRemainingSeconds: Gauge;
  readonly wsReconnects: Counter<'market' | 'reason'>;
  readonly wsSubscriptions: Gauge<'market'>;
  readonly ticks: Counter<'market' | 'tr_id'>;
  readonly jobRuns: Counter<'job' | 'outcome'>;
  readonly jobDurationSeconds: Histogram<'job'>;
  /** Depth of the recovery queue. */
  readonly queueDepth: Gauge;
  /**
   * The key's rate budget, read at each scrape: kisd_rate_budget_used / _limit {window}, _waiting and
   * _processes (how many processes share it; 1 for an in-process limiter).
   */
  observeRateBudget(read: () => Promise<RateBudgetReading>): void;
  /** Prometheus text exposition of every metric. */
  render(): Promise<string>;
}

export interface RateBudgetReading {
  windows: { windowMs: number; limit: number; used: number; waiting: number }[];
  processes: number;
  /** coordination.backend redis: 'fallback' while Redis is unreachable and this host uses its share alone. */
  coordination?: 'shared' | 'fallback';
}

export interface KisdMetricsOptions {
  /** Metric name prefix; default "kisd_". */
  prefix?: string;
  /** Node default metrics (event-loop lag, GC, heap, RSS); default true. */
  defaultMetrics?: boolean;
}

export function createKisdMetrics(opts: KisdMetricsOptions = {}): KisdMetrics {
  const p = opts.prefix ?? 'kisd_';
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) {
    // nodejs_eventloop_lag_* comes from monitorEventLoopDelay; process_resident_memory_bytes and heap gauges too.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  }
  const registers = [registry];
  const restRequests = new Counter({ name: `${p}rest_requests_total`, help: 'KIS REST calls by endpoint and outcome', labelNames: ['endpoint', 'outcome'] as const, registers });
  const restRetries = new Counter({ name: `${p}rest_retries_total`, help: 'KIS REST retries by endpoint and reason', labelNames: ['endpoint', 'reason'] as const, registers });
  const rateLimitWaits = new Counter({ name: `${p}rate_limit_waits_total`, help: 'Calls that waited for a rate-limiter slot', labelNames: ['limiter'] as const, registers });
  const rateLimitWaitSeconds = new Counter({ name: `${p}rate_limit_wait_seconds_total`, help: 'Seconds spent waiting for rate-limiter slots', labelNames: ['limiter'] as const, registers });
  const tokenIssues = new Counter({ name: `${p}token_issues_total`, help: 'Access token / approval key issue attempts', labelNames: ['kind', 'outcome'] as const, registers });
  const tokenRemainingSeconds = new Gauge({ name: `${p}token_remaining_seconds`, help: 'Validity left on the access token at the last check', registers });
  const wsReconnects = new Counter({ name: `${p}ws_reconnects_total`, help: 'WebSocket reconnects by market and reason', labelNames: ['market', 'reason'] as const, registers });
  const wsSubscriptions = new Gauge({ name: `${p}ws_subscriptions`, help: 'Active WebSocket registrations by market', labelNames: ['market'] as const, registers });
  const ticks = new Counter({ name: `${p}ticks_total`, help: 'Realtime records received', labelNames: ['market', 'tr_id'] as const, registers });
  const jobRuns = new Counter({ name: `${p}job_runs_total`, help: 'Scheduler job runs by outcome', labelNames: ['job', 'outcome'] as const, registers });
  const jobDurationSeconds = new Histogram({
    name: `${p}job_duration_seconds`,
    help: 'Scheduler job run durations (successful and finally failed runs)',
    labelNames: ['job'] as const,
    buckets: [0.1, 1, 5, 30, 60, 300, 900, 3600, 7200, 28800],
    registers,
  });
  const queueDepth = new Gauge({ name: `${p}recovery_queue_depth`, help: 'Items waiting in the recovery queue', registers });
  const budget = rateBudgetGauges(p, registers);
  return {
    registry,
    restRequests,
    restRetries,
    rateLimitWaits,
    rateLimitWaitSeconds,
    tokenIssues,
    tokenRemainingSeconds,
    wsReconnects,
    wsSubscriptions,
    ticks,
    jobRuns,
    jobDurationSeconds,
    queueDepth,
    observeJob(job: string, outcome: JobOutcome, durationSec?: number): void {
      jobRuns.inc({ job, outcome });
      if (durationSec !== undefined) jobDurationSeconds.observe({ job }, durationSec);
    },
    observeRateBudget: budget.observe,
    render: () => registry.metrics(),
  };
}

/** The budget gauges; concurrent collects within a scrape share one reading. */
function rateBudgetGauges(p: string, registers: Registry[]): { observe: (read: () => Promise<RateBudgetReading>) => void } {
  let read: (() => Promise<RateBudgetReading>) | undefined;
  let pending: Promise<RateBudgetReading | undefined> | undefined;
  const reading = (): Promise<RateBudgetReading | undefined> => {
    pending ??= (read ? read() : Promise.resolve(undefined)).catch(() => undefined).finally(() => (pending = undefined));
    return pending;
  };
  const label = (ms: number): string => (ms >= 3_600_000 ? '1h' : ms >= 60_000 ? '1m' : '1s');
  const perWindow = (name: string, help: string, pick: (w: RateBudgetReading['windows'][number]) => number): void => {
    new Gauge({
      name: `${p}rate_budget_${name}`,
      help,
      labelNames: ['window'] as const,
      registers,
      async collect() {
        const r = await reading();
        for (const w of r?.windows ?? []) this.set({ window: label(w.windowMs) }, pick(w));
      },
    });
  };
  perWindow('used', "Grants in each window of the app key's rate budget, by every process sharing it", (w) => w.used);
  perWindow('limit', "Each window's limit in the app key's rate budget", (w) => w.limit);
  const single = (name: string, help: string, pick: (r: RateBudgetReading) => number): void => {
    new Gauge({
      name: `${p}rate_budget_${name}`,
      help,
      registers,
      async collect() {
        const r = await reading();
        if (r) this.set(pick(r));
      },
    });
  };
  single('waiting', "This process's callers waiting for a rate grant", (r) => r.windows[0]?.waiting ?? 0);
  single('processes', 'Processes sharing the app key rate budget (1 when it is in-process)', (r) => r.processes);
  single('fallback', '1 while Redis (coordination.backend redis) is unreachable and this host uses its fallback share of the budget alone; 0 otherwise', (r) => (r.coordination === 'fallback' ? 1 : 0));
  return { observe: (fn) => (read = fn) };
}
