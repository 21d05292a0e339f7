// The KIS REST request pipeline (seed 004 §2.1, seed 000 §2): limiter → token → headers rebuilt on every
// attempt → send → classify (one table) → retry with backoff / token re-issue / session reset /
// client-wide cooldown. Orders are never resent once they may have reached KIS (STYLE rule 6).
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { AbortedError, KisdError } from '../../core/errors.js';
import { registerSecret } from '../../log/secrets.js';
import type { AccessToken } from '../auth/types.js';
import { backoffDelayMs, backoffSleep, type BackoffPolicy } from '../../core/retry.js';
import { prepareParams, type ParamValue } from './blank-fields.js';
import { classifyReply, readReplyBody, type ReplyFacts } from './classify.js';
import type { KisRestEventMap } from './client-events.js';
import { compileKisRestClientOptions, type CompiledKisRestClientOptions, type KisRestClientOptions } from './client-options.js';
import { KisApiError, KisMalformedReplyError, KisNetworkError, OrderOutcomeUnknownError } from './errors.js';
import type { RateLimiter, RatePriority } from '../../net/rate-limiter.js';
import { createUndiciTransport, type HttpTransport, type TransportResponse } from './transport.js';

export interface KisRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /** The tr_id for the client's mode (see resolveTrId). */
  trId: string;
  /** 'order' requests are never resent once they may have reached KIS. Default 'read'. */
  kind?: 'read' | 'order';
  /** Limiter priority; default 'order' for orders, 'normal' for reads. */
  priority?: RatePriority;
  /** GET query or POST body; null/undefined/"" dropped unless the path needs the blank (blank-fields.ts). */
  params?: Readonly<Record<string, ParamValue>>;
  /** Request tr_cont header: "" first page, "N" next page. */
  trCont?: '' | 'N';
  /** Orders: the caller's reference, carried by OrderOutcomeUnknownError; default a UUID. */
  clientRef?: string;
}

export interface KisResponse<T> {
  body: T;
  headers: { trCont: string; trId: string; gtUid: string };
  httpStatus: number;
  /** HTTP attempts made, 1 when the first one succeeded. */
  attempts: number;
  /** Wall-clock time the successful attempt was sent, epoch ms. */
  sentAtEpochMs: number;
}

export interface PagingOptions {
  /** Uppercase request cursor names, e.g. ['CTX_AREA_FK100', 'CTX_AREA_NK100']; echoed from the lowercase reply keys. */
  cursorKeys: readonly string[];
  /** Default: the client's maxPages (50). Exceeding it throws KIS_PAGE_LIMIT. */
  maxPages?: number;
}

export interface KisRestClient {
  readonly mode: 'real' | 'paper';
  readonly options: CompiledKisRestClientOptions;
  readonly events: EventEmitter<KisRestEventMap>;
  /** Throws KisApiError, KisNetworkError, KisMalformedReplyError, OrderOutcomeUnknownError or AbortedError. */
  request<T = Record<string, unknown>>(spec: KisRequestSpec, signal?: AbortSignal): Promise<KisResponse<T>>;
  /** Follows tr_cont M/F with tr_cont N and the echoed cursors. Reads only. */
  requestAllPages<T = Record<string, unknown>>(spec: KisRequestSpec, paging: PagingOptions, signal?: AbortSignal): Promise<KisResponse<T>[]>;
  /** Replaces the connection pool now. */
  resetSession(): void;
  close(): Promise<void>;
}

const SECRET_BODY_KEYS = new Set(['CANO']);

export function createKisRestClient(raw: KisRestClientOptions): KisRestClient {
  const cfg = compileKisRestClientOptions(raw);
  const { clock, tokens, credentials } = raw;
  const log = raw.log.child({ component: 'kis-rest' });
  const random = raw.random ?? Math.random;
  for (const s of [credentials.appKey, credentials.appSecret, credentials.cano]) registerSecret(s, { pinned: true });
  const limiter: RateLimiter = raw.limiter;
  const transport: HttpTransport =
    raw.transport ??
    createUndiciTransport({ baseUrl: cfg.baseUrl, clock, connectTimeoutMs: cfg.connectTimeoutMs, readTimeoutMs: cfg.readTimeoutMs });
  const events = new EventEmitter<KisRestEventMap>();
  const policy: BackoffPolicy = { baseMs: cfg.backoffBaseMs, capMs: cfg.backoffCapMs, jitterMs: cfg.backoffJitterMs };

  // Client-wide consecutive retryable errors (seed 000 §2.3); any success resets it.
  let consecutiveErrors = 0;
  let cooldownUntilMono = -Infinity;

  function noteRetryableError(): void {
    if (cfg.cooldownAfterConsecutiveErrors === 0) return;
    consecutiveErrors++;
    if (consecutiveErrors < cfg.cooldownAfterConsecutiveErrors) return;
    const untilMonoMs = clock.monotonicMs() + cfg.cooldownSec * 1000;
    cooldownUntilMono = Math.max(cooldownUntilMono, untilMonoMs);
    log.warn({ consecutiveErrors, cooldownSec: cfg.cooldownSec }, 'KIS REST: consecutive retryable errors, every caller pauses for the cooldown');
    events.emit('cooldown', { consecutiveErrors, cooldownSec: cfg.cooldownSec, untilMonoMs });
    consecutiveErrors = 0;
  }

  async function cooldownGate(signal: AbortSignal | undefined): Promise<void> {
    // Bounded: a new cooldown can only start while we sleep if others keep failing; recheck a few times.
    for (let i = 0; i < 5; i++) {
      const waitMs = cooldownUntilMono - clock.monotonicMs();
      if (waitMs <= 0) return;
      await sleep(waitMs, signal);
    }
  }

  const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> => backoffSleep(clock, ms, signal, 'KIS request wait');

  function buildHeaders(token: AccessToken, spec: KisRequestSpec): Record<string, string> {
    return {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${token.value}`,
      appkey: credentials.appKey,
      appsecret: credentials.appSecret,
      tr_id: spec.trId,
      custtype: cfg.custtype,
      tr_cont: spec.trCont ?? '',
    };
  }

  async function request<T>(spec: KisRequestSpec, signal?: AbortSignal): Promise<KisResponse<T>> {
    const isOrder = spec.kind === 'order';
    const priority: RatePriority = spec.priority ?? (isOrder ? 'order' : 'normal');
    const params = prepareParams(spec.path, spec.params ?? {});
    const bodyText = spec.method === 'POST' ? JSON.stringify(params) : undefined;
    const query = spec.method === 'GET' && Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
    const clientRef = spec.clientRef ?? randomUUID();
    const maskedBody = (): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) out[k] = SECRET_BODY_KEYS.has(k) ? '[REDACTED]' : v;
      return out;
    };

    let backoffCount = 0;
    let tokenRetried = false;
    let lastFailure: Error | undefined;
    let lastWasServerOrNetwork = false;
    const maxAttempts = cfg.maxRetries + 1;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Orders (and cancels) skip the client-wide cooldown: a burst of bulk-read 500s must not hold a stop-loss
      // sell for three minutes. They still meet the limiter and never retry after they may have reached KIS.
      if (!isOrder) await cooldownGate(signal);
      if (cfg.sessionResetAtAttempt > 1 && attempt === cfg.sessionResetAtAttempt && lastWasServerOrNetwork) {
        transport.reset();
        log.info({ trId: spec.trId, attempt, generation: transport.generation }, 'KIS REST: connection pool replaced (session reset)');
        events.emit('session-reset', { trId: spec.trId, attempt, generation: transport.generation });
      }

      // The token first, the rate slot second: a slot granted before a token wait (up to the one-issue-per-
      // minute pacing) would let queued callers burst past the server's per-second window once it arrives.
      let token: AccessToken;
      try {
        token = await tokens.getAccessToken(signal);
      } catch (err) {
        if (signal?.aborted) throw new AbortedError('KIS request aborted while getting a token');
        if (err instanceof KisdError && err.disposition === 'fatal') throw err;
        // Nothing was sent: safe to retry even an order.
        lastFailure = err instanceof Error ? err : new Error(String(err));
        lastWasServerOrNetwork = false;
        const delayMs = backoffDelayMs(++backoffCount, policy, random);
        log.warn({ trId: spec.trId, attempt, delayMs, err: lastFailure.message }, 'KIS REST: token unavailable, retrying');
        events.emit('retry', { trId: spec.trId, attempt, rule: 'token-unavailable', delayMs });
        await sleep(delayMs, signal);
        continue;
      }
      const { waitedMs } = await limiter.acquire({ priority, signal });
      if (waitedMs > 0) events.emit('rate-limit-wait', { trId: spec.trId, waitedMs, priority });

      const headers = buildHeaders(token, spec);
      const sentAtEpochMs = clock.nowMs();
      const startMono = clock.monotonicMs();
      events.emit('attempt', { trId: spec.trId, path: spec.path, attempt, requestKind: isOrder ? 'order' : 'read', atMonoMs: startMono });

      let response: TransportResponse | undefined;
      let facts: ReplyFacts;
      let json: Record<string, unknown> | undefined;
      try {
        response = await transport.request({ method: spec.method, path: spec.path + query, headers, body: bodyText, signal });
        ({ facts, json } = readReplyBody(response.status, response.bodyText));
      } catch (err) {
        if (err instanceof AbortedError) {
          if (isOrder) {
            throw new OrderOutcomeUnknownError({ trId: spec.trId, sentBody: maskedBody(), sentAtEpochMs, clientRef, reason: 'aborted after sending', cause: err });
          }
          throw err;
        }
        const net = err instanceof KisNetworkError ? err : new KisNetworkError('other', err instanceof Error ? err.message : String(err), err);
        facts = { bodyKind: 'none', network: { kind: net.kind, reachedServer: net.reachedServer } };
        lastFailure = net;
      }

      const verdict = classifyReply(facts);
      const durationMs = clock.monotonicMs() - startMono;
      events.emit('outcome', {
        trId: spec.trId,
        path: spec.path,
        attempt,
        outcome: verdict.outcome,
        rule: verdict.rule,
        httpStatus: facts.httpStatus,
        msgCd: facts.envelope?.msgCd,
        durationMs,
      });

      if (verdict.action === 'success') {
        consecutiveErrors = 0;
        const h = response?.headers ?? {};
        return {
          body: json as T,
          headers: { trCont: (h['tr_cont'] ?? '').trim(), trId: h['tr_id'] ?? '', gtUid: h['gt_uid'] ?? '' },
          httpStatus: facts.httpStatus ?? 0,
          attempts: attempt,
          sentAtEpochMs,
        };
      }

      const env = facts.envelope;
      if (verdict.action === 'malformed') {
        log.warn({ trId: spec.trId, attempt, httpStatus: facts.httpStatus, bodyKind: facts.bodyKind }, 'KIS REST: malformed reply');
        events.emit('malformed', { trId: spec.trId, httpStatus: facts.httpStatus, bodyKind: facts.bodyKind });
        lastFailure = new KisMalformedReplyError(spec.trId, `${facts.bodyKind} body`, { httpStatus: facts.httpStatus, attempts: attempt });
      } else if (verdict.action === 'fail') {
        throw new KisApiError({ msgCd: env?.msgCd ?? '', msg1: env?.msg1 ?? '', trId: spec.trId, httpStatus: facts.httpStatus, attempts: attempt });
      } else if (verdict.rule !== 'network-before-send' && verdict.rule !== 'network-after-send') {
        lastFailure = new KisApiError({
          msgCd: env?.msgCd ?? '',
          msg1: env?.msg1 ?? '',
          trId: spec.trId,
          httpStatus: facts.httpStatus,
          attempts: attempt,
          disposition: 'retryable',
          reason: verdict.rule,
        });
      }

      if (isOrder && verdict.reachedServer === 'maybe' && (verdict.action === 'backoff' || verdict.action === 'malformed')) {
        if (verdict.action !== 'malformed') noteRetryableError();
        log.error({ trId: spec.trId, clientRef, rule: verdict.rule, httpStatus: facts.httpStatus }, 'KIS REST: order outcome unknown, not resending');
        throw new OrderOutcomeUnknownError({ trId: spec.trId, sentBody: maskedBody(), sentAtEpochMs, clientRef, reason: verdict.rule, cause: lastFailure });
      }

      if (verdict.action === 'token-rejected') {
        events.emit('token-rejected', { trId: spec.trId, msgCd: env?.msgCd, httpStatus: facts.httpStatus });
        try {
          await tokens.invalidateAccessToken(token.value);
        } catch (err) {
          // The next getAccessToken decides; a failing invalidate must not turn into a crash here.
          log.warn({ trId: spec.trId, err: err instanceof Error ? err.message : String(err) }, 'KIS REST: token invalidation failed');
        }
        if (tokenRetried) throw asFinal(lastFailure, attempt);
        tokenRetried = true;
        lastWasServerOrNetwork = false;
        log.warn({ trId: spec.trId, attempt, msgCd: env?.msgCd, httpStatus: facts.httpStatus }, 'KIS REST: token rejected, retrying once with a new token');
        events.emit('retry', { trId: spec.trId, attempt, rule: verdict.rule, delayMs: 0 });
        continue;
      }
      if (attempt === maxAttempts) break;

      if (verdict.action === 'rate-limited') {
        lastWasServerOrNetwork = false;
        limiter.pauseFor(cfg.rateLimitedWaitMs);
        log.warn({ trId: spec.trId, attempt, msgCd: env?.msgCd, waitMs: cfg.rateLimitedWaitMs }, 'KIS REST: rate limited by KIS, pausing the key');
        events.emit('retry', { trId: spec.trId, attempt, rule: verdict.rule, delayMs: cfg.rateLimitedWaitMs });
        continue;
      }

      // backoff or malformed (reads, or orders that provably never reached KIS)
      lastWasServerOrNetwork = true;
      noteRetryableError();
      const delayMs = backoffDelayMs(++backoffCount, policy, random);
      log.warn({ trId: spec.trId, attempt, rule: verdict.rule, httpStatus: facts.httpStatus, msgCd: env?.msgCd, delayMs }, 'KIS REST: retryable failure, backing off');
      events.emit('retry', { trId: spec.trId, attempt, rule: verdict.rule, delayMs });
      await sleep(delayMs, signal);
    }
    throw asFinal(lastFailure, maxAttempts);
  }

  function asFinal(err: Error | undefined, attempts: number): Error {
    return err ?? new KisdError('KIS_RETRIES_EXHAUSTED', `KIS request failed after ${attempts} attempts`, { disposition: 'retryable' });
  }

  async function requestAllPages<T>(spec: KisRequestSpec, paging: PagingOptions, signal?: AbortSignal): Promise<KisResponse<T>[]> {
    if (spec.kind === 'order') throw new KisdError('KIS_BAD_REQUEST', 'orders are not paged', { disposition: 'fatal' });
    const maxPages = paging.maxPages ?? cfg.maxPages;
    const pages: KisResponse<T>[] = [];
    let params: Record<string, ParamValue> = { ...(spec.params ?? {}) };
    let trCont: '' | 'N' = spec.trCont ?? '';
    for (let page = 1; page <= maxPages; page++) {
      const res = await request<T>({ ...spec, params, trCont }, signal);
      pages.push(res);
      if (res.headers.trCont !== 'M' && res.headers.trCont !== 'F') return pages;
      const body = res.body as Record<string, unknown>;
      params = { ...params };
      for (const key of paging.cursorKeys) {
        const v = body[key.toLowerCase()];
        params[key] = typeof v === 'string' ? v : '';
      }
      trCont = 'N';
    }
    throw new KisdError('KIS_PAGE_LIMIT', `tr_id ${spec.trId}: more than ${maxPages} pages`, { disposition: 'fatal', details: { trId: spec.trId, maxPages } });
  }

  return {
    mode: cfg.mode,
    options: cfg,
    events,
    request,
    requestAllPages,
    resetSession: () => transport.reset(),
    close: () => transport.close(),
  };
}
