// The one alert dispatcher (STYLE rule 10): logs every alert, fans out to the sinks whose level it meets,
// holds back a key already sent within 30 minutes (seed 002 §14.3; remembered in alert_history so a
// restart or crash loop cannot spam), and runs each sink under its own timeout so a dead SMTP server
// never blocks or breaks the webhook or the log.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { scrubSecrets } from '../log/secrets.js';
import type { AlertHistoryRepo } from '../store/alert-history-repo.js';
import { renderAlert } from './render.js';
import { levelRank, type Alert, type AlertLevel, type AlertSink, type RenderedAlert } from './types.js';

export interface AlertDispatcherOptions {
  clock: Clock;
  logger: Logger;
  /** Remote sinks (e-mail, webhook). The log always receives every alert regardless. */
  sinks?: readonly AlertSink[];
  /** Durable de-duplication memory. Without it (or when SQLite fails) an in-memory map is used. */
  history?: AlertHistoryRepo;
  /** Default 30 min. */
  dedupWindowMs?: number;
  /** Per-sink delivery deadline on the Clock. Default 15000 ms. */
  sinkTimeoutMs?: number;
  /** Names this instance in alert bodies (e.g. hostname). */
  source?: string;
}

export interface SinkDelivery {
  sink: string;
  ok: boolean;
  error?: string;
}

export interface DispatchResult {
  key: string;
  /** True when the key was sent within the window and remote sinks were skipped. */
  suppressed: boolean;
  /** One entry per remote sink that the alert's level reached (log excluded). */
  deliveries: SinkDelivery[];
}

export interface AlertDispatcher {
  /** Delivers an alert; resolves when every sink finished or timed out. Never rejects. */
  send(alert: Alert): Promise<DispatchResult>;
  /** Fire-and-forget form of send for callers that must not wait. */
  notify(alert: Alert): void;
  /** Waits (up to timeoutMs, default 5000) for in-flight sends, then closes sink connections. */
  close(timeoutMs?: number): Promise<void>;
  /** The last alerts this process raised (newest first, at most 20), held back ones included (the status page). */
  recent?(): RecentAlert[];
}

export interface RecentAlert {
  atMs: number;
  level: AlertLevel;
  title: string;
  /** Held back by de-duplication (the same key was sent within the window). */
  suppressed: boolean;
}

const RECENT_KEPT = 20;

const LOG_METHOD: Record<AlertLevel, 'info' | 'warn' | 'error' | 'fatal'> = {
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
};

export function createAlertDispatcher(opts: AlertDispatcherOptions): AlertDispatcher {
  const { clock } = opts;
  const log = opts.logger.child({ component: 'alerts' });
  const sinks = [...(opts.sinks ?? [])];
  const windowMs = opts.dedupWindowMs ?? 30 * 60_000;
  const sinkTimeoutMs = opts.sinkTimeoutMs ?? 15_000;
  const memory = new Map<string, number>();
  const inFlight = new Set<Promise<unknown>>();
  const recent: RecentAlert[] = [];

  /** Returns an alert_history row id (or 0 for in-memory), or undefined when suppressed. */
  function reserve(alert: Alert, nowMs: number): number | undefined {
    if (opts.history) {
      try {
        return opts.history.reserve({ alertKey: alert.key, level: alert.level, title: alert.title }, nowMs, windowMs);
      } catch (err) {
        // The alert may be about the database itself: fall back to memory rather than stay silent.
        log.error({ err: errorMessage(err), alertKey: alert.key }, 'alert history unavailable; de-duplicating in memory');
      }
    }
    const prev = memory.get(alert.key);
    if (prev !== undefined && nowMs - prev < windowMs) return undefined;
    memory.set(alert.key, nowMs);
    return 0;
  }

  async function deliver(sink: AlertSink, rendered: RenderedAlert): Promise<SinkDelivery> {
    const controller = new AbortController();
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        const err = new Error(`${sink.name} sink timed out after ${sinkTimeoutMs} ms`);
        controller.abort(err);
        reject(err);
      }, sinkTimeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(() => sink.send(rendered, controller.signal)), timeout]);
      return { sink: sink.name, ok: true };
    } catch (err) {
      const message = scrubSecrets(errorMessage(err));
      log.error({ sink: sink.name, alertKey: rendered.key, err: message }, 'alert sink failed');
      return { sink: sink.name, ok: false, error: message };
    } finally {
      clock.clearTimeout(timer);
    }
  }

  async function send(alert: Alert): Promise<DispatchResult> {
    const nowMs = clock.nowMs();
    const rendered = renderAlert(alert, nowMs, { source: opts.source, dedupWindowMs: windowMs });
    const targets = sinks.filter((s) => levelRank(alert.level) >= levelRank(s.minLevel));
    // INFO alerts usually reach only the log: they need no de-duplication row.
    const id = targets.length > 0 ? reserve(alert, nowMs) : 0;
    const suppressed = id === undefined;
    recent.unshift({ atMs: nowMs, level: alert.level, title: rendered.title, suppressed });
    if (recent.length > RECENT_KEPT) recent.pop();
    log[LOG_METHOD[alert.level]](
      { alertKey: alert.key, alertLevel: alert.level, suppressed, symbols: alert.symbols?.slice(0, 50), details: alert.details },
      suppressed ? `alert held back (sent within ${Math.round(windowMs / 60_000)} min): ${rendered.title}` : `ALERT ${rendered.subject}`,
    );
    if (suppressed) return { key: alert.key, suppressed: true, deliveries: [] };
    const deliveries = await Promise.all(targets.map((s) => deliver(s, rendered)));
    if (opts.history && id !== undefined && id > 0) {
      try {
        opts.history.recordSinks(id, Object.fromEntries([['log', 'ok'], ...deliveries.map((d) => [d.sink, d.ok ? 'ok' : `error: ${d.error ?? ''}`])]));
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'could not record alert sink outcome');
      }
    }
    return { key: alert.key, suppressed: false, deliveries };
  }

  function sendTracked(alert: Alert): Promise<DispatchResult> {
    const p = send(alert).catch((err: unknown) => {
        // send() is written not to throw; this is the last guard so callers never see a rejection.
        log.error({ err: errorMessage(err), alertKey: alert.key }, 'alert dispatch failed');
        return { key: alert.key, suppressed: false, deliveries: [] } satisfies DispatchResult;
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  }

  return {
    recent: () => recent.map((r) => ({ ...r })),
    send: sendTracked,
    notify(alert) {
      void sendTracked(alert);
    },
    async close(timeoutMs = 5_000) {
      let timer: TimerHandle | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise<void>((resolve) => {
          timer = clock.setTimeout(resolve, timeoutMs);
        }),
      ]);
      clock.clearTimeout(timer);
      for (const s of sinks) {
        try {
          await s.close?.();
        } catch (err) {
          log.warn({ sink: s.name, err: errorMessage(err) }, 'alert sink close failed');
        }
      }
    },
  };
}
