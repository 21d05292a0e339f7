// What every endpoint function needs: the client, the account, a logger; and the shared handling of
// parse issues (logged, counted through the client's 'parse-error' event, never a crash).
import type { Logger } from 'pino';
import type { KisRestClient } from '../client.js';
import { KisMalformedReplyError } from '../errors.js';
import type { Parsed } from '../wire/fields.js';

export interface EndpointContext {
  client: KisRestClient;
  /** CANO (8 digits) and ACNT_PRDT_CD (2 digits). */
  account: { cano: string; acntPrdtCd: string };
  log: Logger;
}

/** Counts and logs the issues of a parse; returns the value. */
export function reportIssues<T>(ctx: EndpointContext, trId: string, parsed: Parsed<T>): T {
  if (parsed.issues.length > 0) {
    const paths = parsed.issues.slice(0, 10).map((i) => i.path);
    ctx.client.events.emit('parse-error', { trId, issues: parsed.issues.length, paths });
    ctx.log.warn({ trId, issues: parsed.issues.length, paths }, 'KIS REST: fields failed to parse; rows dropped or values blank');
  }
  return parsed.value;
}

/**
 * A success reply (rt_cd 0) must carry its data key: one without it does not match the API, so it is a
 * KisMalformedReplyError (retried, then queued by collection) and never read as a well-formed empty answer.
 */
export function requireOutputKey(ctx: EndpointContext, trId: string, body: Record<string, unknown>, key: string): void {
  if (body[key] !== undefined && body[key] !== null) return;
  ctx.client.events.emit('parse-error', { trId, issues: 1, paths: [key] });
  ctx.log.warn({ trId, key }, 'KIS REST: success reply without its data key; treated as malformed, not as "no data"');
  throw new KisMalformedReplyError(trId, `"${key}" missing from a success reply`);
}

/** Like reportIssues, but a missing value (required fields unreadable) throws KisMalformedReplyError. */
export function requireValue<T>(ctx: EndpointContext, trId: string, parsed: Parsed<T | undefined>): T {
  const v = reportIssues(ctx, trId, parsed);
  if (v === undefined) {
    throw new KisMalformedReplyError(trId, `required fields unreadable: ${parsed.issues.map((i) => i.path).join(', ') || 'output missing'}`);
  }
  return v;
}
