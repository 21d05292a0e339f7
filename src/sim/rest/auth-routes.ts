// OAuth endpoints (/oauth2/tokenP, /oauth2/revokeP, /oauth2/Approval) and /uapi/hashkey, with KIS's bodies:
// OAuth errors are {"error_code","error_description"} with HTTP 403; successes are HTTP 200 (the official client
// requires 200 from tokenP and Approval). Not subject to the per-second REST limit.
import { createHash } from 'node:crypto';
import { formatKstTimestamp } from '../../core/kst.js';
import type { SimApp } from '../contracts.js';
import type { RestContext, RestResult, RouteDef } from './types.js';

const OAUTH_ERRORS = {
  badAppKey: { error_code: 'EGW00103', error_description: '유효하지 않은 AppKey입니다.' },
  badAppSecret: { error_code: 'EGW00105', error_description: '유효하지 않은 AppSecret입니다.' },
  tooSoon: { error_code: 'EGW00133', error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' },
  /** ❓ code chosen for a grant_type other than client_credentials */
  badGrant: { error_code: 'EGW00205', error_description: 'grant_type이 유효하지 않습니다.' },
  badToken: { error_code: 'EGW00121', error_description: '유효하지 않은 token 입니다.' },
} as const;

function str(ctx: RestContext, key: string): string {
  const v = ctx.body[key];
  return typeof v === 'string' ? v : '';
}

/** The app whose key and secret (under secretField) are in the body, or the OAuth error to return. */
function appFromBody(ctx: RestContext, secretField: 'appsecret' | 'secretkey'): SimApp | RestResult {
  const app = ctx.env.apps.find((a) => a.appKey === str(ctx, 'appkey'));
  if (!app) return { status: 403, body: OAUTH_ERRORS.badAppKey };
  if (str(ctx, secretField) !== app.appSecret) return { status: 403, body: OAUTH_ERRORS.badAppSecret };
  return app;
}

function isResult(x: SimApp | RestResult): x is RestResult {
  return 'body' in x;
}

const tokenP: RouteDef = {
  method: 'POST',
  path: '/oauth2/tokenP',
  auth: 'oauth',
  handler(ctx) {
    const app = appFromBody(ctx, 'appsecret');
    if (isResult(app)) return app;
    if (str(ctx, 'grant_type') !== 'client_credentials') return { status: 403, body: OAUTH_ERRORS.badGrant };
    const r = ctx.env.tokens.request(app.appKey);
    if (r.kind === 'tooSoon') return { status: 403, body: OAUTH_ERRORS.tooSoon };
    if (r.kind === 'issued') ctx.env.stats.noteTokenIssue();
    const t = r.token;
    return {
      body: {
        access_token: t.value,
        access_token_token_expired: formatKstTimestamp(t.expiresAtMs),
        token_type: 'Bearer',
        expires_in: Math.max(0, Math.round((t.expiresAtMs - ctx.nowMs) / 1000)),
      },
    };
  },
};

const revokeP: RouteDef = {
  method: 'POST',
  path: '/oauth2/revokeP',
  auth: 'oauth',
  handler(ctx) {
    const app = appFromBody(ctx, 'appsecret');
    if (isResult(app)) return app;
    const token = str(ctx, 'token');
    // A token of another app, an unknown or an already revoked one is refused (❓ KIS's exact reply unknown).
    if (ctx.env.tokens.owner(token) !== app.appKey || !ctx.env.tokens.revoke(token)) return { status: 403, body: OAUTH_ERRORS.badToken };
    return { body: { code: 200, message: '접근토큰 폐기에 성공하였습니다' } };
  },
};

const approval: RouteDef = {
  method: 'POST',
  path: '/oauth2/Approval',
  auth: 'oauth',
  handler(ctx) {
    // The secret travels as `secretkey` here, not `appsecret`.
    const app = appFromBody(ctx, 'secretkey');
    if (isResult(app)) return app;
    if (str(ctx, 'grant_type') !== 'client_credentials') return { status: 403, body: OAUTH_ERRORS.badGrant };
    return { body: { approval_key: ctx.env.approvals.issue(app) } };
  },
};

const hashkey: RouteDef = {
  method: 'POST',
  path: '/uapi/hashkey',
  auth: 'appkey',
  handler(ctx) {
    // KIS's hash algorithm is not public; any stable digest of the exact body serves (the header is optional).
    const hash = createHash('sha256').update(`${ctx.app?.appSecret ?? ''}\u0000${ctx.rawBody}`).digest('hex');
    return { body: { BODY: ctx.body, HASH: hash } };
  },
};

export const authRoutes: readonly RouteDef[] = [tokenP, revokeP, approval, hashkey];
