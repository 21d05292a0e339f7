// Options of the KIS REST client: raw (what the lead maps from YAML) → compiled (defaults applied,
// ranges checked, frozen). Defaults are seed 000 §3's recommended values.
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import type { KisCredentials, KisMode, TokenProvider } from '../auth/types.js';
import type { RateLimiter } from '../../net/rate-limiter.js';
import type { KisClockOffset } from './clock-offset.js';
import type { HttpTransport } from './transport.js';

export interface KisRestClientOptions {
  /** REST origin: real https://openapi.koreainvestment.com:9443, paper https://openapivts.koreainvestment.com:29443, or the simulator. */
  baseUrl: string;
  mode: KisMode;
  credentials: KisCredentials;
  tokens: TokenProvider;
  clock: Clock;
  log: Logger;
  /** The app key's one limiter, shared by every client on the key (built from config.resolved.rateLimit). */
  limiter: RateLimiter;
  /** Default: an undici Pool transport built from baseUrl and the timeouts below. */
  transport?: HttpTransport;
  /** Default 5000 (seed: timeout_connect_sec 5). */
  connectTimeoutMs?: number;
  /** Default 20000 (seed: timeout_read_sec 20). */
  readTimeoutMs?: number;
  /** Retries after the first attempt, default 8 (seed: max_retries 8). */
  maxRetries?: number;
  /** Default 2000 (seed: backoff_base_sec 2). */
  backoffBaseMs?: number;
  /** Default 60000 (seed: backoff_cap_sec 60). */
  backoffCapMs?: number;
  /** Default 500 (seed: backoff_jitter_sec 0.5). */
  backoffJitterMs?: number;
  /** Replace the connection pool before this attempt number (1-based) after a failure; default 3, 0 = never. */
  sessionResetAtAttempt?: number;
  /** Retryable errors in a row, across all callers, that start a cooldown; default 10 (seed). 0 = never. */
  cooldownAfterConsecutiveErrors?: number;
  /** Cooldown length, default 180 (seed: consecutive_error_cooldown_sec 180). */
  cooldownSec?: number;
  /**
   * Pause of the key's limiter after EGW00201/EGW00215, default 1000: one full 1 s window. (PK retries after
   * 100 ms; OTA's backtester waits 61 s — neither is documented as the server's window.)
   */
  rateLimitedWaitMs?: number;
  /** 'P' individual (default) or 'B' corporate. */
  custtype?: 'P' | 'B';
  /** [0, 1) source for backoff jitter; default Math.random. */
  random?: () => number;
  /** Upper bound for requestAllPages, default 50. */
  maxPages?: number;
  /** Where the replies' Date headers go; default a new estimator (client.clockOffset). */
  clockOffset?: KisClockOffset;
}

export interface CompiledKisRestClientOptions {
  readonly baseUrl: string;
  readonly mode: KisMode;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly maxRetries: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly backoffJitterMs: number;
  readonly sessionResetAtAttempt: number;
  readonly cooldownAfterConsecutiveErrors: number;
  readonly cooldownSec: number;
  readonly rateLimitedWaitMs: number;
  readonly custtype: 'P' | 'B';
  readonly maxPages: number;
}

function int(name: string, value: number | undefined, dflt: number, min: number, max: number): number {
  const v = value ?? dflt;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`KIS REST client option ${name} must be an integer in [${min}, ${max}], got ${String(value)}`, { field: name });
  }
  return v;
}

export function compileKisRestClientOptions(raw: KisRestClientOptions): CompiledKisRestClientOptions {
  let url: URL;
  try {
    url = new URL(raw.baseUrl);
  } catch {
    throw new ConfigError(`KIS REST baseUrl is not a URL: ${JSON.stringify(raw.baseUrl)}`, { field: 'baseUrl' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`KIS REST baseUrl must be http(s), got ${url.protocol}`, { field: 'baseUrl' });
  }
  if (raw.mode !== 'real' && raw.mode !== 'paper') throw new ConfigError(`mode must be 'real' or 'paper'`, { field: 'mode' });
  const compiled: CompiledKisRestClientOptions = {
    baseUrl: raw.baseUrl,
    mode: raw.mode,
    connectTimeoutMs: int('connectTimeoutMs', raw.connectTimeoutMs, 5_000, 100, 120_000),
    readTimeoutMs: int('readTimeoutMs', raw.readTimeoutMs, 20_000, 100, 300_000),
    maxRetries: int('maxRetries', raw.maxRetries, 8, 0, 50),
    backoffBaseMs: int('backoffBaseMs', raw.backoffBaseMs, 2_000, 0, 600_000),
    backoffCapMs: int('backoffCapMs', raw.backoffCapMs, 60_000, 0, 3_600_000),
    backoffJitterMs: int('backoffJitterMs', raw.backoffJitterMs, 500, 0, 60_000),
    sessionResetAtAttempt: int('sessionResetAtAttempt', raw.sessionResetAtAttempt, 3, 0, 51),
    cooldownAfterConsecutiveErrors: int('cooldownAfterConsecutiveErrors', raw.cooldownAfterConsecutiveErrors, 10, 0, 10_000),
    cooldownSec: int('cooldownSec', raw.cooldownSec, 180, 0, 86_400),
    rateLimitedWaitMs: int('rateLimitedWaitMs', raw.rateLimitedWaitMs, 1_000, 0, 600_000),
    custtype: raw.custtype ?? 'P',
    maxPages: int('maxPages', raw.maxPages, 50, 1, 10_000),
  };
  if (compiled.custtype !== 'P' && compiled.custtype !== 'B') throw new ConfigError(`custtype must be 'P' or 'B'`, { field: 'custtype' });
  return Object.freeze(compiled);
}
