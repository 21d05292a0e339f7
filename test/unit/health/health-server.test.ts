// /healthz and /metrics on a real loopback server (port 0), the Prometheus text format, and formatStatus.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { createKisdMetrics } from '../../../src/health/metrics.js';
import { HealthServer, type HealthSnapshot } from '../../../src/health/health-server.js';
import { formatStatus } from '../../../src/health/format-status.js';

class FakeHealthSource {
  snap: HealthSnapshot = {
    ready: true,
    token: { valid: true, remainingSec: 70_200, expiresAt: '2026-11-24 08:16:59' },
    feed: { market: 'KR', state: 'streaming', subscriptions: 40, lastTickAt: '2026-11-23 10:00:01' },
    lastPhase: { phase: 'selection', outcome: 'done', at: '2026-11-23 07:05:00' },
    queueDepth: 3,
    jobsInFlight: ['trading'],
  };
  snapshot(): HealthSnapshot {
    return this.snap;
  }
}

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(source = new FakeHealthSource()) {
  const metrics = createKisdMetrics();
  server = new HealthServer({ port: 0 }, { source, metrics, clock: systemClock, logger: pino({ level: 'silent' }) });
  const port = await server.start();
  return { port, metrics, source, base: `http://127.0.0.1:${port}` };
}

describe('health server', () => {
  it('serves /healthz as JSON, 200 when ready and 503 when not', async () => {
    const { base, source } = await start();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', ready: true, queueDepth: 3, feed: { market: 'KR', state: 'streaming' }, token: { valid: true } });
    expect(body['now']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    source.snap = { ...source.snap, ready: false };
    const notReady = await fetch(`${base}/healthz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { status: string }).status).toBe('not-ready');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 500 with a JSON error when the health source throws', async () => {
    const { base } = await start({ snapshot: () => { throw new Error('source broke'); } } as unknown as FakeHealthSource);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ status: 'error', error: 'source broke' });
  });

  it('serves Prometheus text with kisd and default Node metrics', async () => {
    const { base, metrics } = await start();
    metrics.restRequests.inc({ endpoint: 'inquire-price', outcome: 'ok' }, 5);
    metrics.restRetries.inc({ endpoint: 'inquire-price', reason: 'EGW00201' });
    metrics.rateLimitWaits.inc({ limiter: 'rest' });
    metrics.tokenIssues.inc({ kind: 'access_token', outcome: 'ok' });
    metrics.wsReconnects.inc({ market: 'KR', reason: 'silence' });
    metrics.wsSubscriptions.set({ market: 'KR' }, 40);
    metrics.ticks.inc({ market: 'KR', tr_id: 'H0STCNT0' }, 1234);
    metrics.observeJob('selection', 'ok', 12.5);
    metrics.observeJob('selection', 'retry');
    await fetch(`${base}/healthz`); // sets the queue depth gauge
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE kisd_rest_requests_total counter');
    expect(text).toContain('kisd_rest_requests_total{endpoint="inquire-price",outcome="ok"} 5');
    expect(text).toContain('kisd_rest_retries_total{endpoint="inquire-price",reason="EGW00201"} 1');
    expect(text).toContain('kisd_rate_limit_waits_total{limiter="rest"} 1');
    expect(text).toContain('kisd_token_issues_total{kind="access_token",outcome="ok"} 1');
    expect(text).toContain('kisd_ws_reconnects_total{market="KR",reason="silence"} 1');
    expect(text).toContain('kisd_ws_subscriptions{market="KR"} 40');
    expect(text).toContain('kisd_ticks_total{market="KR",tr_id="H0STCNT0"} 1234');
    expect(text).toContain('kisd_job_runs_total{job="selection",outcome="ok"} 1');
    expect(text).toContain('kisd_job_runs_total{job="selection",outcome="retry"} 1');
    expect(text).toContain('kisd_job_duration_seconds_bucket{le="30",job="selection"} 1');
    expect(text).toContain('kisd_recovery_queue_depth 3');
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    // Every sample line parses as: name{labels} value (prom-client prints NaN as "Nan"; Prometheus parses it).
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|nan|[+-]inf)$/i);
    }
  });

  it('refuses to bind to a non-loopback address', async () => {
    const s = new HealthServer({ host: '0.0.0.0', port: 0, env: {} }, { source: new FakeHealthSource(), metrics: createKisdMetrics({ defaultMetrics: false }), clock: systemClock, logger: pino({ level: 'silent' }) });
    await expect(s.start()).rejects.toThrow(/loopback/);
  });
});

describe('formatStatus', () => {
  it('prints a human summary of /healthz', () => {
    const text = formatStatus({
      status: 'ok', now: '2026-11-23 10:00:00', uptimeSec: 3_725, ready: true,
      token: { valid: true, remainingSec: 70_200, expiresAt: '2026-11-24 08:16:59' },
      feed: { market: 'KR', state: 'streaming', subscriptions: 40, lastTickAt: '2026-11-23 10:00:01' },
      lastPhase: { phase: 'selection', outcome: 'done', at: '2026-11-23 07:05:00' }, queueDepth: 3, jobsInFlight: ['trading'], info: { mode: 'paper' },
    });
    expect(text).toBe([
      'kisd OK at 2026-11-23 10:00:00 KST, up 1h 2m',
      '  token      valid, 19h 30m left (expires 2026-11-24 08:16:59 KST)',
      '  feed       KR streaming, 40 subscriptions, last tick 2026-11-23 10:00:01 KST',
      "  last phase selection (write today's selection batches) done at 2026-11-23 07:05:00 KST",
      '  queue      3 waiting',
      '  running    trading',
      '  mode       paper',
    ].join('\n'));
  });

  it('never throws on partial or junk input', () => {
    expect(formatStatus(null)).toBe('kisd status: unreadable health response');
    expect(formatStatus({ ready: false })).toContain('kisd NOT-READY');
    expect(formatStatus({ ready: false, token: { valid: false } })).toContain('token      INVALID');
  });
});
