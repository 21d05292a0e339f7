// The checks every /uapi call passes before its handler, in KIS gateway order: service exists → app key and
// secret registered → per-app-key rate window → access token → tr_id valid for this server and path → body.
//
// HTTP status of gateway errors (EGW00103/105/121/123/201, OPSQ0002, MCA00124): 500. KIS's status is
// unreliable and third-party clients mostly see 500 for these (fact sheet §2.3 ❓), so clients must parse the
// body whatever the status. Business rejections (APBK…) and input errors (OPSQ2000/2001) come with HTTP 200.
import type { RateWindow } from '../rate-window.js';
import { restReply, type Reply } from './http-io.js';
import { kisError, type Flavor, type RestContext, type RouteDef, type SimEnv } from './types.js';

export const GATEWAY_ERROR_STATUS = 500;

export const MSG = {
  badAppKey: kisError('EGW00103', '유효하지 않은 AppKey입니다.'),
  badAppSecret: kisError('EGW00105', '유효하지 않은 AppSecret입니다.'),
  tokenInvalid: kisError('EGW00121', '유효하지 않은 token 입니다.'),
  tokenExpired: kisError('EGW00123', '기간이 만료된 token 입니다.'),
  rateLimited: kisError('EGW00201', '초당 거래건수를 초과하였습니다.'),
  /** seen on a paper call to an API VTS does not offer (open-trading-api issue #17) */
  serviceNotFound: kisError('MCA00124', '해당 서비스를 찾을수 없습니다.'),
  /** ❓ chosen for a tr_id that is unknown or not valid on this path/server */
  unknownTrId: kisError('OPSQ0002', '없는 서비스 코드 입니다'),
} as const;

export function gatewayError(body: object, trId: string): Reply {
  return restReply(GATEWAY_ERROR_STATUS, body, trId, '');
}

/** Runs the pre-handler checks; returns an error reply or undefined when the call may proceed (ctx.app set). */
export function checkUapiCall(ctx: RestContext, route: RouteDef, env: SimEnv, rate: RateWindow, monoMs: number): Reply | undefined {
  const appKey = headerValue(ctx, 'appkey');
  const app = env.apps.find((a) => a.appKey === appKey);
  if (!app) return gatewayError(MSG.badAppKey, ctx.trId);
  if (headerValue(ctx, 'appsecret') !== app.appSecret) return gatewayError(MSG.badAppSecret, ctx.trId);
  ctx.app = app;
  if (!rate.tryAcquire(app.appKey, monoMs)) return gatewayError(MSG.rateLimited, ctx.trId);
  if (route.auth === 'token') {
    // A missing or malformed authorization header is treated like an unknown token (EGW00121).
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(ctx, 'authorization'));
    const verdict = m?.[1] ? env.tokens.check(m[1], app.appKey) : 'invalid';
    if (verdict === 'invalid') return gatewayError(MSG.tokenInvalid, ctx.trId);
    if (verdict === 'expired') return gatewayError(MSG.tokenExpired, ctx.trId);
  }
  if (route.trIds) {
    const allowed = route.trIds[env.flavor];
    if (allowed.length === 0) return gatewayError(MSG.serviceNotFound, ctx.trId);
    if (!allowed.includes(ctx.trId)) {
      const counterpart = sameTrOnThisServer(route.trIds, env.flavor, ctx.trId);
      return gatewayError(counterpart === undefined ? MSG.unknownTrId : flavorMismatch(ctx.trId, env.flavor, counterpart), ctx.trId);
    }
  }
  return undefined;
}

/**
 * When trId belongs to the other server's list for this route, the tr_id this server takes instead (the
 * lists are index-aligned: VTTC0012U ↔ TTTC0012U, VTTT1001U ↔ TTTT1006U); else undefined.
 */
function sameTrOnThisServer(trIds: { real: readonly string[]; paper: readonly string[] }, flavor: Flavor, trId: string): string | undefined {
  const i = trIds[flavor === 'real' ? 'paper' : 'real'].indexOf(trId);
  return i < 0 ? undefined : trIds[flavor][i];
}

/**
 * OPSQ0002 as for any unknown tr_id, with the fix spelled out: a client that sends paper (모의투자) tr_ids to a
 * real-flavor simulator, or real ones to a paper-flavor one, needs the other flavor (KIS's official sample
 * swaps T/J/C → V only when told it talks to the paper server, which is easy to miss).
 */
function flavorMismatch(trId: string, flavor: Flavor, counterpart: string | undefined): { rt_cd: string; msg_cd: string; msg1: string } {
  const sent = flavor === 'real' ? 'a paper-server (모의투자) tr_id' : 'a real-server (실전) tr_id';
  const want: Flavor = flavor === 'real' ? 'paper' : 'real';
  return kisError(
    MSG.unknownTrId.msg_cd,
    `${MSG.unknownTrId.msg1} (${trId} is ${sent} but this simulator emulates the ${flavor} server: start it with \`kisd sim --flavor ${want}\` ` +
      `(sim.flavor: ${want} for the daemon's embedded one)${counterpart ? `, or send ${counterpart}` : ''})`,
  );
}

export function headerValue(ctx: RestContext, name: string): string {
  const v = ctx.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** The bearer token of a request, if any (for token faults). */
export function bearerOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const raw = headers['authorization'];
  const v = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  return /^Bearer\s+(\S+)\s*$/i.exec(v)?.[1];
}
