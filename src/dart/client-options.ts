// Options of the OpenDART client as raw (what callers pass) → compiled (defaults filled, ranges checked), the
// shape STYLE asks for. Defaults follow the documented limits (docs/data-sources.md): ~1,000 requests a minute
// and ~20,000 a day per key, kept a margin below both.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { RateLimiter } from '../kis/rest/rate-limiter.js';
import type { DailyQuota } from './daily-quota.js';
import type { DartTransport } from './transport.js';

export interface DartClientOptions {
  /** The 40-character crtfc_key (from KISD_DART_API_KEY; see credentials.ts). */
  apiKey: string;
  /** Default https://opendart.fss.or.kr; the DART simulator's URL in sim mode and tests. */
  baseUrl?: string;
  clock: Clock;
  log: Logger;
  /** Requests per rolling minute, default 900 (documented ~1,000). */
  perMinute?: number;
  /** Requests per rolling second, default 20: spreads a minute's budget instead of bursting it. */
  perSecond?: number;
  /** Requests per KST day, default 19,000 (documented 20,000). */
  perDay?: number;
  /** Injected limiter/quota (tests, or sharing one key between clients); default built from the numbers above. */
  limiter?: RateLimiter;
  dailyQuota?: DailyQuota;
  transport?: DartTransport;
  /** Default 30000 ms. */
  readTimeoutMs?: number;
  /** Retries after the first attempt for network/5xx/900/malformed replies, default 4. */
  maxRetries?: number;
  /** Back-off: base 1000 ms, cap 30000 ms, jitter 500 ms (seed 002 §5: 1, 2, 4, 8, 16 s). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  backoffJitterMs?: number;
  /** Wait after status 020 before retrying, default 60000 (seed 002: 429 → 1분 대기 후 재시도). */
  rateLimitedWaitMs?: number;
  /** Retries after 020, default 2; then DartApiError DART_RATE_LIMITED (the recovery queue retries later). */
  maxRateLimitedRetries?: number;
  /** Wait after status 800 (maintenance) before retrying, default 300000. */
  maintenanceWaitMs?: number;
  /** Retries after 800, default 1. */
  maxMaintenanceRetries?: number;
  /** [0,1) source for back-off jitter; default Math.random. */
  random?: () => number;
}

export interface CompiledDartClientOptions {
  baseUrl: string;
  perMinute: number;
  perSecond: number;
  perDay: number;
  readTimeoutMs: number;
  maxRetries: number;
  backoff: { baseMs: number; capMs: number; jitterMs: number };
  rateLimitedWaitMs: number;
  maxRateLimitedRetries: number;
  maintenanceWaitMs: number;
  maxMaintenanceRetries: number;
}

function int(name: string, v: number | undefined, dflt: number, min: number, max: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min || x > max) throw new RangeError(`DART client option ${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  return x;
}

/** Throws RangeError naming the option and its accepted range. */
export function compileDartClientOptions(o: DartClientOptions): CompiledDartClientOptions {
  if (!/^[0-9A-Za-z]{40}$/.test(o.apiKey)) throw new RangeError('DART API key must be the 40-character key OpenDART issued (letters and digits; value not shown)');
  const baseUrl = o.baseUrl ?? 'https://opendart.fss.or.kr';
  try {
    new URL(baseUrl);
  } catch {
    throw new RangeError(`DART client option baseUrl must be an absolute URL, got ${JSON.stringify(baseUrl)}`);
  }
  return {
    baseUrl,
    perMinute: int('perMinute', o.perMinute, 900, 1, 1_000),
    perSecond: int('perSecond', o.perSecond, 20, 1, 1_000),
    perDay: int('perDay', o.perDay, 19_000, 1, 20_000),
    readTimeoutMs: int('readTimeoutMs', o.readTimeoutMs, 30_000, 100, 600_000),
    maxRetries: int('maxRetries', o.maxRetries, 4, 0, 10),
    backoff: {
      baseMs: int('backoffBaseMs', o.backoffBaseMs, 1_000, 0, 600_000),
      capMs: int('backoffCapMs', o.backoffCapMs, 30_000, 0, 600_000),
      jitterMs: int('backoffJitterMs', o.backoffJitterMs, 500, 0, 60_000),
    },
    rateLimitedWaitMs: int('rateLimitedWaitMs', o.rateLimitedWaitMs, 60_000, 0, 3_600_000),
    maxRateLimitedRetries: int('maxRateLimitedRetries', o.maxRateLimitedRetries, 2, 0, 10),
    maintenanceWaitMs: int('maintenanceWaitMs', o.maintenanceWaitMs, 300_000, 0, 3_600_000),
    maxMaintenanceRetries: int('maxMaintenanceRetries', o.maxMaintenanceRetries, 1, 0, 10),
  };
}
