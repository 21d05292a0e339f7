// The OpenDART request pipeline: daily budget → per-key limiter → GET → classify (one table) → retry with
// back-off (network, 5xx, 900, malformed), wait after 020 (rate limit) and 800 (maintenance), stop at once on a
// bad key (and say so through the 'bad-key' event for alerting) or a bad request. 013/014 come back as a
// well-formed "no data", never as an error; a reply without DART's shape is DartMalformedReplyError, never
// "no data". crtfc_key is registered as a secret and never appears in a log line or an error.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AbortedError, KisdError } from '../core/errors.js';
import { registerSecret } from '../log/secrets.js';
import { backoffDelayMs } from '../kis/rest/backoff.js';
import { createRateLimiter, type RateLimiter, type RatePriority } from '../kis/rest/rate-limiter.js';
import { classifyDartReply, readDartReply, type DartReplyFacts, type DartVerdictAction } from './classify.js';
import { compileDartClientOptions, type CompiledDartClientOptions, type DartClientOptions } from './client-options.js';
import { createDailyQuota, type DailyQuota } from './daily-quota.js';
import { DartApiError, DartMalformedReplyError, DartNetworkError, DartQuotaExhaustedError } from './errors.js';
import { createDartTransport, type DartHttpResponse, type DartTransport } from './transport.js';
import type { ParseOutcome } from './wire/parse-result.js';
import { dartStatusRow } from './status-table.js';

export interface DartClientEventMap {
  attempt: [{ path: string; attempt: number }];
  outcome: [{ path: string; attempt: number; rule: string; action: DartVerdictAction; status?: string; httpStatus?: number; durationMs: number }];
  retry: [{ path: string; attempt: number; action: DartVerdictAction; delayMs: number }];
  /** The key was refused (010/011/012/901): an operator must act. */
  'bad-key': [{ path: string; status: string; message: string }];
  malformed: [{ path: string; reason: string }];
  'quota-exhausted': [{ limit: number; resumeAtEpochMs: number }];
}

export type DartResult<T> = { kind: 'ok'; value: T; attempts: number } | { kind: 'no-data'; status: string; attempts: number };

export interface DartRequestOptions {
  signal?: AbortSignal;
  /** Limiter priority, default 'normal'; bulk collection passes 'bulk'. */
  priority?: RatePriority;
}

export interface DartClient {
  readonly options: CompiledDartClientOptions;
  readonly events: EventEmitter<DartClientEventMap>;
  readonly quota: DailyQuota;
  /** GET a JSON endpoint; `parse` checks the success body's shape (a failure is retried, then DartMalformedReplyError). */
  getJson<T>(path: string, params: Readonly<Record<string, string | number | undefined>>, parse: (json: Record<string, unknown>) => ParseOutcome<T>, o?: DartRequestOptions): Promise<DartResult<T>>;
  /** GET a file endpoint (a zip): the bytes, or no-data. */
  getFile(path: string, params: Readonly<Record<string, string | number | undefined>>, o?: DartRequestOptions): Promise<DartResult<Buffer>>;
  close(): Promise<void>;
}

interface LastFailure {
  facts: DartReplyFacts;
  action: DartVerdictAction;
  reason?: string;
  cause?: unknown;
  attempt: number;
}

export function createDartClient(raw: DartClientOptions): DartClient {
  const cfg = compileDartClientOptions(raw);
  registerSecret(raw.apiKey, { pinned: true });
  const { clock } = raw;
  const log: Logger = raw.log.child({ component: 'dart' });
  const random = raw.random ?? Math.random;
  const limiter: RateLimiter = raw.limiter ?? createRateLimiter({ clock, windows: { perSecond: cfg.perSecond, perMinute: cfg.perMinute } });
  const quota = raw.dailyQuota ?? createDailyQuota(clock, cfg.perDay);
  const transport: DartTransport = raw.transport ?? createDartTransport({ baseUrl: cfg.baseUrl, clock, readTimeoutMs: cfg.readTimeoutMs });
  const events = new EventEmitter<DartClientEventMap>();

  async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await clock.sleep(ms, signal);
    } catch {
      throw new AbortedError('OpenDART request aborted while waiting');
    }
  }

  async function run<T>(path: string, params: Readonly<Record<string, string | number | undefined>>, expect: 'json' | 'file', parse: (res: DartHttpResponse, json: Record<string, unknown> | undefined) => ParseOutcome<T>, o: DartRequestOptions): Promise<DartResult<T>> {
    const query = new URLSearchParams({ crtfc_key: raw.apiKey });
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, String(v));
    const pathWithQuery = `${path}?${query.toString()}`;
    let backoffs = 0;
    let rateWaits = 0;
    let maintenanceWaits = 0;
    let last: LastFailure | undefined;

    for (let attempt = 1; ; attempt++) {
      if (!quota.tryTake()) {
        const resumeAtEpochMs = quota.resumeAtEpochMs();
        events.emit('quota-exhausted', { limit: quota.limit, resumeAtEpochMs });
        throw new DartQuotaExhaustedError(quota.limit, resumeAtEpochMs);
      }
      await limiter.acquire({ priority: o.priority ?? 'normal', signal: o.signal });
      events.emit('attempt', { path, attempt });
      const startMono = clock.monotonicMs();
      let facts: DartReplyFacts;
      let value: T | undefined;
      let reason: string | undefined;
      let cause: unknown;
      try {
        const res = await transport.get(pathWithQuery, o.signal);
        const read = readDartReply(res.status, res.body, expect);
        facts = read.facts;
        const verdict = classifyDartReply(facts);
        if (verdict.action === 'success') {
          const parsed = parse(res, read.json);
          if (parsed.ok) value = parsed.value;
          else reason = parsed.reason;
        }
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        const net = err instanceof DartNetworkError ? err : new DartNetworkError('other', path, err instanceof Error ? err.message : String(err), { cause: err });
        facts = { network: net.kind, expect };
        cause = net;
      }
      const verdict = classifyDartReply(facts);
      const action: DartVerdictAction = verdict.action === 'success' && reason !== undefined ? 'malformed' : verdict.action;
      events.emit('outcome', { path, attempt, rule: verdict.rule, action, status: facts.status, httpStatus: facts.httpStatus, durationMs: clock.monotonicMs() - startMono });

      if (action === 'success') return { kind: 'ok', value: value as T, attempts: attempt };
      if (action === 'no-data') return { kind: 'no-data', status: facts.status ?? '', attempts: attempt };
      const message = facts.message ?? '';
      if (action === 'bad-key') {
        log.error({ path, status: facts.status }, 'OpenDART refused the API key; set a valid KISD_DART_API_KEY');
        events.emit('bad-key', { path, status: facts.status ?? '', message });
        throw new DartApiError({ action, status: facts.status ?? '', dartMessage: message, path, httpStatus: facts.httpStatus, attempts: attempt });
      }
      if (action === 'bad-request') {
        log.error({ path, status: facts.status, httpStatus: facts.httpStatus, alert: dartStatusRow(facts.status ?? '').alert }, 'OpenDART rejected the request');
        throw new DartApiError({ action, status: facts.status ?? '', dartMessage: message, path, httpStatus: facts.httpStatus, attempts: attempt });
      }
      if (action === 'malformed') {
        reason ??= `${facts.bodyKind ?? 'no'} body without a status`;
        log.warn({ path, attempt, httpStatus: facts.httpStatus, reason }, 'OpenDART: malformed reply');
        events.emit('malformed', { path, reason });
      }
      last = { facts, action, reason, cause, attempt };

      let delayMs: number;
      if (action === 'rate-limited') {
        if (rateWaits++ >= cfg.maxRateLimitedRetries) break;
        delayMs = cfg.rateLimitedWaitMs;
        // Every caller on the key waits: DART counts per key, and hammering it can get the key blocked.
        limiter.pauseFor(delayMs);
      } else if (action === 'maintenance') {
        if (maintenanceWaits++ >= cfg.maxMaintenanceRetries) break;
        delayMs = cfg.maintenanceWaitMs;
        limiter.pauseFor(delayMs);
      } else {
        if (backoffs >= cfg.maxRetries) break;
        delayMs = backoffDelayMs(backoffs++, cfg.backoff, random);
      }
      log.warn({ path, attempt, action, status: facts.status, httpStatus: facts.httpStatus, delayMs }, 'OpenDART: retrying');
      events.emit('retry', { path, attempt, action, delayMs });
      // The limiter pause already holds the next grant back; sleeping here too keeps this caller's attempts
      // bounded by time even when the limiter is shared.
      await sleep(delayMs, o.signal);
    }
    return fail(path, last);
  }

  function fail(path: string, last: LastFailure | undefined): never {
    if (!last) throw new KisdError('DART_RETRIES_EXHAUSTED', `OpenDART ${path}: no attempt made`, { disposition: 'retryable' });
    const { facts, action, attempt: attempts } = last;
    if (action === 'malformed') throw new DartMalformedReplyError(path, last.reason ?? 'unexpected body', { httpStatus: facts.httpStatus, attempts });
    if (facts.network !== undefined && last.cause instanceof DartNetworkError) throw last.cause;
    throw new DartApiError({ action: action === 'success' || action === 'no-data' ? 'server-error' : action, status: facts.status ?? '', dartMessage: facts.message ?? '', path, httpStatus: facts.httpStatus, attempts });
  }

  return {
    options: cfg,
    events,
    quota,
    getJson(path, params, parse, o = {}) {
      return run(path, params, 'json', (_res, json) => (json ? parse(json) : { ok: false, reason: 'body is not a JSON object' }), o);
    },
    getFile(path, params, o = {}) {
      return run(path, params, 'file', (res) => (res.body[0] === 0x50 && res.body[1] === 0x4b ? { ok: true, value: res.body } : { ok: false, reason: 'success status without the zip' }), o);
    },
    close: () => transport.close(),
  };
}
