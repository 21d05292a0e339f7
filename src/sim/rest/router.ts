// Dispatches every HTTP request of the simulator: /__sim control calls, injected faults (before or after the
// real processing), the gateway checks, the route handler, the reply with KIS headers, and the stats record.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { FaultRule, FaultTable } from '../faults.js';
import type { RateWindow } from '../rate-window.js';
import { outcomeOf } from '../stats.js';
import { emptyReply, gatewayFaultReply, header, malformedReply, oauthReply, readBody, restReply, send, withoutOutputs, type Reply } from './http-io.js';
import { bearerOf, checkUapiCall, gatewayError, MSG } from './pipeline.js';
import { kisError, type RestContext, type RouteDef, type SimEnv } from './types.js';

export interface RouterDeps {
  env: SimEnv;
  routes: readonly RouteDef[];
  faults: FaultTable;
  rate: RateWindow;
  /** handles /__sim/… control calls */
  control(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string): void;
}

export class RestRouter {
  private readonly byPath = new Map<string, RouteDef>();
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(private readonly deps: RouterDeps) {
    for (const r of deps.routes) this.byPath.set(r.path, r);
  }

  /** node:http 'request' listener. Never throws: a handler failure becomes a 500 KIS-shaped reply. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.dispatch(req, res).catch((err: unknown) => {
      this.deps.env.log?.warn({ err: errorMessage(err) }, 'simulator request failed');
      if (!res.headersSent && !res.destroyed) send(res, restReply(500, kisError('EGW00001', '일시적인 오류가 발생하였습니다.'), '', ''));
    });
  }

  /** Cancels delayed replies (the server destroys the hung sockets). */
  close(): void {
    this.closed = true;
    for (const t of this.timers) this.deps.env.clock.clearTimeout(t);
    this.timers.clear();
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { env, faults } = this.deps;
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const path = url.pathname;
    const trId = header(req, 'tr_id');
    const atMs = env.clock.nowMs();
    const monoMs = env.clock.monotonicMs();
    // KIS's own clock in the Date header (node would stamp the host's): a simulator on a skewed clock shows it.
    res.setHeader('Date', new Date(atMs).toUTCString());
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    if (path.startsWith('/__sim/')) {
      this.deps.control(req, res, path, rawBody);
      return;
    }
    const record = (status: number, msgCd: string, ok: boolean, fault?: string): void => {
      env.stats.record({ path, trId, status, msgCd, ...(fault ? { fault } : {}), outcome: outcomeOf(status, msgCd, fault, ok), atMs });
      env.log?.debug({ path, trId, status, msgCd, fault }, 'simulator request');
    };

    let rule = faults.take(path, trId);
    if (rule && (rule.kind === 'expireToken' || rule.kind === 'revokeToken')) {
      const token = bearerOf(req.headers);
      if (token) {
        if (rule.kind === 'expireToken') env.tokens.expire(token);
        else env.tokens.revoke(token);
      }
      rule = undefined; // the call proceeds and meets the expired/revoked token
    }
    if (rule?.kind === 'hang' && rule.delayMs !== undefined) {
      // A slow reply: processed on arrival (an order is booked), answered delayMs later on the simulator clock.
      const late = await this.process(req, path, trId, rawBody, url, atMs, monoMs);
      record(late.status, late.msgCd, late.ok, 'hang');
      const t = env.clock.setTimeout(() => {
        this.timers.delete(t);
        if (!this.closed) send(res, late);
      }, rule.delayMs);
      this.timers.add(t);
      return;
    }
    if (rule && !rule.afterAccept && rule.kind !== 'noOutput') {
      this.deliverFault(rule, req, res, trId, record);
      return;
    }
    const reply = await this.process(req, path, trId, rawBody, url, atMs, monoMs);
    if (rule?.kind === 'noOutput') {
      // The envelope says success (rt_cd 0) but the data keys are gone: a reply that does not match the API.
      record(reply.status, reply.msgCd, false, 'noOutput');
      send(res, withoutOutputs(reply));
      return;
    }
    if (rule) {
      // afterAccept: the request took effect, only the reply fails
      this.deliverFault(rule, req, res, trId, record);
      return;
    }
    record(reply.status, reply.msgCd, reply.ok);
    send(res, reply);
  }

  private deliverFault(rule: FaultRule, req: IncomingMessage, res: ServerResponse, trId: string, record: (s: number, m: string, ok: boolean, f?: string) => void): void {
    switch (rule.kind) {
      case 'reset':
        record(0, '', false, 'reset');
        req.socket.destroy();
        return;
      case 'hang':
        record(0, '', false, 'hang');
        return; // never answered; the socket is destroyed when the simulator closes
      case 'malformed':
        record(200, '', false, 'malformed');
        send(res, malformedReply(trId));
        return;
      case 'empty':
        record(200, '', false, 'empty');
        send(res, emptyReply(trId));
        return;
      case 'egw00201': {
        const reply = gatewayError(MSG.rateLimited, trId);
        record(reply.status, reply.msgCd, false, 'egw00201');
        send(res, reply);
        return;
      }
      default: {
        const status = Number(rule.kind.slice(4)); // http500 → 500
        const reply = gatewayFaultReply(status, rule.html ?? false, trId);
        record(status, reply.msgCd, false, rule.kind);
        send(res, reply);
      }
    }
  }

  private async process(req: IncomingMessage, path: string, trId: string, rawBody: string, url: URL, nowMs: number, monoMs: number): Promise<Reply> {
    const { env } = this.deps;
    const route = this.byPath.get(path);
    if (!route || route.method !== req.method) {
      return path.startsWith('/oauth2/')
        ? oauthReply(404, { error_code: 'EGW00002', error_description: '해당 서비스를 찾을수 없습니다.' })
        : restReply(404, MSG.serviceNotFound, trId, '');
    }
    const query = new Map<string, string>();
    for (const [k, v] of url.searchParams) {
      const upper = k.toUpperCase();
      if (k === upper || !query.has(upper)) query.set(upper, v); // the UPPERCASE spelling wins over lowercase
    }
    let body: Record<string, unknown> = {};
    let bodyError = false;
    if (req.method === 'POST') {
      try {
        const parsed: unknown = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        else bodyError = true;
      } catch {
        bodyError = true;
      }
    }
    const ctx: RestContext = { env, method: req.method ?? 'GET', path, query, body, rawBody, headers: req.headers, trId, trCont: header(req, 'tr_cont'), app: undefined, nowMs };
    if (route.auth === 'oauth') {
      if (bodyError) return oauthReply(400, { error_code: 'EGW00002', error_description: '요청 본문이 올바른 JSON이 아닙니다.' });
      const r = await route.handler(ctx);
      return oauthReply(r.status ?? 200, r.body);
    }
    const denied = checkUapiCall(ctx, route, env, this.deps.rate, monoMs);
    if (denied) return denied;
    if (bodyError) return restReply(200, kisError('OPSQ2001', 'ERROR : INPUT INVALID_CHECK_JSON', '2'), trId, '');
    const r = await route.handler(ctx);
    return restReply(r.status ?? 200, r.body, trId, r.trCont ?? 'D');
  }
}
