// Shapes shared by the REST routes of the simulator: what a route declares (path, tr_ids per flavor, which
// credentials it needs) and what a handler receives and returns.
import type { Clock } from '../../core/clock.js';
import type { SimApp, SimLog } from '../contracts.js';
import type { SimExchange } from '../exchange/exchange.js';
import type { SyntheticMarket } from '../market/synthetic-market.js';
import type { ApprovalRegistry } from '../auth/approval-registry.js';
import type { TokenRegistry } from '../auth/token-registry.js';
import type { StatsRecorder } from '../stats.js';

export type Flavor = 'real' | 'paper';

/** Everything routes may use. */
export interface SimEnv {
  clock: Clock;
  flavor: Flavor;
  apps: readonly SimApp[];
  market: SyntheticMarket;
  exchange: SimExchange;
  tokens: TokenRegistry;
  approvals: ApprovalRegistry;
  stats: StatsRecorder;
  log: SimLog | undefined;
}

export interface RestContext {
  env: SimEnv;
  method: string;
  path: string;
  /** query parameters keyed by UPPERCASE name (KIS accepts either case on GET) */
  query: ReadonlyMap<string, string>;
  /** parsed JSON body of a POST (keys as sent; KIS reads UPPERCASE keys only) */
  body: Record<string, unknown>;
  rawBody: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  trId: string;
  /** request header tr_cont ('' first page, 'N' next page) */
  trCont: string;
  /** the caller's registered app (undefined only on OAuth routes before they check it) */
  app: SimApp | undefined;
  nowMs: number;
}

export interface RestResult {
  status?: number;
  body: unknown;
  /** response header tr_cont: 'M' more pages, 'D' last (default 'D') */
  trCont?: string;
}

/** Which credentials a route checks before its handler runs. */
export type RouteAuth = 'oauth' | 'appkey' | 'token';

export interface RouteDef {
  method: 'GET' | 'POST';
  path: string;
  auth: RouteAuth;
  /** accepted tr_id values per flavor; absent = no tr_id header needed; [] = not offered on that server */
  trIds?: { real: readonly string[]; paper: readonly string[] };
  handler(ctx: RestContext): RestResult | Promise<RestResult>;
}

/** A KIS REST error body. */
export function kisError(msgCd: string, msg1: string, rtCd = '1'): { rt_cd: string; msg_cd: string; msg1: string } {
  return { rt_cd: rtCd, msg_cd: msgCd, msg1 };
}

/** Reads a GET param (either case) or a POST body field (UPPERCASE key, string value). */
export function param(ctx: RestContext, name: string): string {
  if (ctx.method === 'GET') return ctx.query.get(name) ?? '';
  const v = ctx.body[name];
  return typeof v === 'string' ? v : '';
}

/** True when a POST body field is present but not a string (KIS wants every value as a string). */
export function nonStringField(ctx: RestContext, names: readonly string[]): string | undefined {
  if (ctx.method !== 'POST') return undefined;
  return names.find((n) => ctx.body[n] !== undefined && typeof ctx.body[n] !== 'string');
}
