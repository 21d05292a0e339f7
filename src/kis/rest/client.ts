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
import { KisClockOffset } from './clock-offset.js';
import { KisApiError, KisMalformedReplyError, KisNetworkError, OrderNotSentError, OrderOutcomeUnknownError } from './errors.js';
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
  /** Orders: no attempt starts after this clock.monotonicMs() instant (checked after every wait): OrderNotSentError. */
  sendDeadlineMonoMs?: number;
  /** Called synchronously just before an attempt's bytes leave, with the wall time (journal it there). */
  onSend?: (sentAtEpochMs: number) => void;
  /** Called when that attempt provably never reached KIS (connect refused, DNS, connect timeout): retract it. */
  onNotReached?: (sentAtEpochMs: number) => void;
}

export interface KisResponse<T> {
  body: T;
  headers: { trCont: string; trId: string; gtUid: string };
  httpStatus: number;
  /** HTTP attempts made, 1 when the first one succeeded. */
  attempts: number;
  /** Wall-clock time the successful attempt was sent, epoch ms. */
  sentAtEpochMs: number;
  /** Wall-clock time its reply was read, epoch ms. */
  receivedAtEpochMs: number;
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
  /** host − KIS clock offset, learnt from the replies' Date headers (and order acknowledgements). */
  readonly clockOffset: KisClockOffset;
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
  const clockOffset = raw.clockOffset ?? new KisClockOffset();
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
    // Other kisd processes on the key hold their reads too when the budget is shared (orders still go).
    limiter.pauseReadsFor?.(cfg.cooldownSec * 1000);
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

  /** One request's fixed parts, computed once for all its attempts. */
  interface Prepared {
    spec: KisRequestSpec;
    isOrder: boolean;
    priority: RatePriority;
    bodyText: string | undefined;
    query: string;
    clientRef: string;
    /** The body as sent with the account number masked (carried by OrderOutcomeUnknownError). */
    maskedBody(): Record<string, string>;
  }

  /** What the attempts of one request have learned so far. */
  interface AttemptState {
    backoffCount: number;
    tokenRetried: boolean;
    lastFailure: Error | undefined;
    lastWasServerOrNetwork: boolean;
  }

  /** One HTTP attempt's result, classified by the one table (classify.ts). */
  interface Sent {
    token: AccessToken;
    verdict: ReturnType<typeof classifyReply>;
    facts: ReplyFacts;
    json: Record<string, unknown> | undefined;
    response: TransportResponse | undefined;
    sentAtEpochMs: number;
    receivedAtEpochMs: number;
  }

  function prepare(spec: KisRequestSpec): Prepared {
    const isOrder = spec.kind === 'order';
    const params = prepareParams(spec.path, spec.params ?? {});
    return {
      spec,
      isOrder,
      priority: spec.priority ?? (isOrder ? 'order' : 'normal'),
      bodyText: spec.method === 'POST' ? JSON.stringify(params) : undefined,
      query: spec.method === 'GET' && Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : '',
      clientRef: spec.clientRef ?? randomUUID(),
      maskedBody: () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(params)) out[k] = SECRET_BODY_KEYS.has(k) ? '[REDACTED]' : v;
        return out;
      },
    };
  }

  async function request<T>(spec: KisRequestSpec, signal?: AbortSignal): Promise<KisResponse<T>> {
    const prep = prepare(spec);
    const st: AttemptState = { backoffCount: 0, tokenRetried: false, lastFailure: undefined, lastWasServerOrNetwork: false };
    const maxAttempts = cfg.maxRetries + 1;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await beforeAttempt(prep, st, attempt, signal);
      // The token first, the rate slot second: a slot granted before a token wait (up to the one-issue-per-
      // minute pacing) would let queued callers burst past the server's per-second window once it arrives.
      const token = await takeToken(prep, st, attempt, signal);
      if (token === undefined) continue;
      const sent = await sendOnce(prep, st, token, attempt, signal);
      if (sent.verdict.action === 'success') {
        consecutiveErrors = 0;
        const h = sent.response?.headers ?? {};
        return {
          body: sent.json as T,
          headers: { trCont: (h['tr_cont'] ?? '').trim(), trId: h['tr_id'] ?? '', gtUid: h['gt_uid'] ?? '' },
          httpStatus: sent.facts.httpStatus ?? 0,
          attempts: attempt,
          sentAtEpochMs: sent.sentAtEpochMs,
          receivedAtEpochMs: sent.receivedAtEpochMs,
        };
      }
      if ((await afterFailure(prep, st, sent, attempt, attempt === maxAttempts, signal)) === 'stop') break;
    }
    throw asFinal(st.lastFailure, maxAttempts);
  }

  /** The client-wide cooldown (reads only) and, at the configured attempt, a new connection pool. */
  async function beforeAttempt(prep: Prepared, st: AttemptState, attempt: number, signal: AbortSignal | undefined): Promise<void> {
    // Orders (and cancels) skip the client-wide cooldown: a burst of bulk-read 500s must not hold a stop-loss
    // sell for three minutes. They still meet the limiter and never retry after they may have reached KIS.
    if (!prep.isOrder) await cooldownGate(signal);
    if (cfg.sessionResetAtAttempt > 1 && attempt === cfg.sessionResetAtAttempt && st.lastWasServerOrNetwork) {
      transport.reset();
      log.info({ trId: prep.spec.trId, attempt, generation: transport.generation }, 'KIS REST: connection pool replaced (session reset)');
      events.emit('session-reset', { trId: prep.spec.trId, attempt, generation: transport.generation });
    }
  }

  /** The access token, or undefined after backing off when none could be had (nothing was sent: safe even for an order). */
  async function takeToken(prep: Prepared, st: AttemptState, attempt: number, signal: AbortSignal | undefined): Promise<AccessToken | undefined> {
    try {
      return await tokens.getAccessToken(signal);
    } catch (err) {
      if (signal?.aborted) throw new AbortedError('KIS request aborted while getting a token');
      if (err instanceof KisdError && err.disposition === 'fatal') throw err;
      st.lastFailure = err instanceof Error ? err : new Error(String(err));
      st.lastWasServerOrNetwork = false;
      const delayMs = backoffDelayMs(++st.backoffCount, policy, random);
      checkSendDeadline(prep, st, attempt, delayMs);
      log.warn({ trId: prep.spec.trId, attempt, delayMs, err: st.lastFailure.message }, 'KIS REST: token unavailable, retrying');
      events.emit('retry', { trId: prep.spec.trId, attempt, rule: 'token-unavailable', delayMs });
      await sleep(delayMs, signal);
      return undefined;
    }
  }

  /** Waits for a rate slot, sends once, reads and classifies the reply; a lost order reply becomes OrderOutcomeUnknownError. */
  async function sendOnce(prep: Prepared, st: AttemptState, token: AccessToken, attempt: number, signal: AbortSignal | undefined): Promise<Sent> {
    const { spec, isOrder } = prep;
    const { waitedMs } = await limiter.acquire({ priority: prep.priority, signal });
    if (waitedMs > 0) events.emit('rate-limit-wait', { trId: spec.trId, waitedMs, priority: prep.priority });
    const headers = buildHeaders(token, spec);
    checkSendDeadline(prep, st, attempt, 0);
    const sentAtEpochMs = clock.nowMs();
    spec.onSend?.(sentAtEpochMs);
    const startMono = clock.monotonicMs();
    events.emit('attempt', { trId: spec.trId, path: spec.path, attempt, requestKind: isOrder ? 'order' : 'read', atMonoMs: startMono });
    let response: TransportResponse | undefined;
    let facts: ReplyFacts;
    let json: Record<string, unknown> | undefined;
    try {
      response = await transport.request({ method: spec.method, path: spec.path + prep.query, headers, body: prep.bodyText, signal });
      clockOffset.observeDateHeader(response.headers['date'], sentAtEpochMs, clock.nowMs());
      ({ facts, json } = readReplyBody(response.status, response.bodyText));
    } catch (err) {
      if (err instanceof AbortedError) {
        if (isOrder) {
          throw new OrderOutcomeUnknownError({ trId: spec.trId, sentBody: prep.maskedBody(), sentAtEpochMs, clientRef: prep.clientRef, reason: 'aborted after sending', cause: err });
        }
        throw err;
      }
      const net = err instanceof KisNetworkError ? err : new KisNetworkError('other', err instanceof Error ? err.message : String(err), err);
      facts = { bodyKind: 'none', network: { kind: net.kind, reachedServer: net.reachedServer } };
      st.lastFailure = net;
    }
    const verdict = classifyReply(facts);
    if (verdict.reachedServer === 'no') spec.onNotReached?.(sentAtEpochMs);
    events.emit('outcome', {
      trId: spec.trId,
      path: spec.path,
      attempt,
      outcome: verdict.outcome,
      rule: verdict.rule,
      httpStatus: facts.httpStatus,
      msgCd: facts.envelope?.msgCd,
      durationMs: clock.monotonicMs() - startMono,
    });
    return { token, verdict, facts, json, response, sentAtEpochMs, receivedAtEpochMs: clock.nowMs() };
  }

  /**
   * An order past its send deadline — or that would be past it after waitMs — is abandoned: nothing of it has
   * reached KIS (an attempt that may have is final before any wait), so it is safe to say "not sent".
   */
  function checkSendDeadline(prep: Prepared, st: AttemptState, attempt: number, waitMs: number): void {
    const deadline = prep.spec.sendDeadlineMonoMs;
    if (!prep.isOrder || deadline === undefined) return;
    const lateByMs = clock.monotonicMs() + waitMs - deadline;
    if (lateByMs <= 0) return;
    log.error({ trId: prep.spec.trId, clientRef: prep.clientRef, attempt, lateByMs }, 'KIS REST: order not sent, its send deadline passed before it could leave');
    throw new OrderNotSentError({ trId: prep.spec.trId, clientRef: prep.clientRef, lateByMs: Math.max(0, lateByMs - waitMs), attempts: attempt - 1, cause: st.lastFailure });
  }

  /**
   * What a failed attempt means: throws when it is final (a refusal, an order that may have reached KIS, a
   * second token rejection); otherwise records the failure, waits as the rule says and returns 'retry', or
   * 'stop' when this was the last attempt.
   */
  async function afterFailure(prep: Prepared, st: AttemptState, sent: Sent, attempt: number, last: boolean, signal: AbortSignal | undefined): Promise<'retry' | 'stop'> {
    const { spec, isOrder } = prep;
    const { verdict, facts } = sent;
    const env = facts.envelope;
    if (verdict.action === 'malformed') {
      log.warn({ trId: spec.trId, attempt, httpStatus: facts.httpStatus, bodyKind: facts.bodyKind }, 'KIS REST: malformed reply');
      events.emit('malformed', { trId: spec.trId, httpStatus: facts.httpStatus, bodyKind: facts.bodyKind });
      st.lastFailure = new KisMalformedReplyError(spec.trId, `${facts.bodyKind} body`, { httpStatus: facts.httpStatus, attempts: attempt });
    } else if (verdict.action === 'fail') {
      throw new KisApiError({ msgCd: env?.msgCd ?? '', msg1: env?.msg1 ?? '', trId: spec.trId, httpStatus: facts.httpStatus, attempts: attempt });
    } else if (verdict.rule !== 'network-before-send' && verdict.rule !== 'network-after-send') {
      st.lastFailure = new KisApiError({ msgCd: env?.msgCd ?? '', msg1: env?.msg1 ?? '', trId: spec.trId, httpStatus: facts.httpStatus, attempts: attempt, disposition: 'retryable', reason: verdict.rule });
    }

    if (isOrder && verdict.reachedServer === 'maybe' && (verdict.action === 'backoff' || verdict.action === 'malformed')) {
      if (verdict.action !== 'malformed') noteRetryableError();
      log.error({ trId: spec.trId, clientRef: prep.clientRef, rule: verdict.rule, httpStatus: facts.httpStatus }, 'KIS REST: order outcome unknown, not resending');
      throw new OrderOutcomeUnknownError({ trId: spec.trId, sentBody: prep.maskedBody(), sentAtEpochMs: sent.sentAtEpochMs, clientRef: prep.clientRef, reason: verdict.rule, cause: st.lastFailure });
    }

    if (verdict.action === 'token-rejected') {
      await onTokenRejected(prep, st, sent, attempt);
      return 'retry';
    }
    if (last) return 'stop';

    if (verdict.action === 'rate-limited') {
      st.lastWasServerOrNetwork = false;
      limiter.pauseFor(cfg.rateLimitedWaitMs);
      log.warn({ trId: spec.trId, attempt, msgCd: env?.msgCd, waitMs: cfg.rateLimitedWaitMs }, 'KIS REST: rate limited by KIS, pausing the key');
      events.emit('retry', { trId: spec.trId, attempt, rule: verdict.rule, delayMs: cfg.rateLimitedWaitMs });
      return 'retry';
    }

    // backoff or malformed (reads, or orders that provably never reached KIS)
    st.lastWasServerOrNetwork = true;
    noteRetryableError();
    const delayMs = backoffDelayMs(++st.backoffCount, policy, random);
    checkSendDeadline(prep, st, attempt + 1, delayMs);
    log.warn({ trId: spec.trId, attempt, rule: verdict.rule, httpStatus: facts.httpStatus, msgCd: env?.msgCd, delayMs }, 'KIS REST: retryable failure, backing off');
    events.emit('retry', { trId: spec.trId, attempt, rule: verdict.rule, delayMs });
    await sleep(delayMs, signal);
    return 'retry';
  }

  /** KIS refused the token: drop it and retry once at once with a new one; a second refusal is final. */
  async function onTokenRejected(prep: Prepared, st: AttemptState, sent: Sent, attempt: number): Promise<void> {
    const { spec } = prep;
    const env = sent.facts.envelope;
    events.emit('token-rejected', { trId: spec.trId, msgCd: env?.msgCd, httpStatus: sent.facts.httpStatus });
    try {
      await tokens.invalidateAccessToken(sent.token.value);
    } catch (err) {
      // The next getAccessToken decides; a failing invalidate must not turn into a crash here.
      log.warn({ trId: spec.trId, err: err instanceof Error ? err.message : String(err) }, 'KIS REST: token invalidation failed');
    }
    if (st.tokenRetried) throw asFinal(st.lastFailure, attempt);
    st.tokenRetried = true;
    st.lastWasServerOrNetwork = false;
    log.warn({ trId: spec.trId, attempt, msgCd: env?.msgCd, httpStatus: sent.facts.httpStatus }, 'KIS REST: token rejected, retrying once with a new token');
    events.emit('retry', { trId: spec.trId, attempt, rule: sent.verdict.rule, delayMs: 0 });
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
    clockOffset,
    request,
    requestAllPages,
    resetSession: () => transport.reset(),
    close: () => transport.close(),
  };
}
