// Current price with fallbacks (seed 003 §2): fresh cache → KIS REST → last collected close from SQLite
// (marked stale) → none, each step's reason logged. A token error on the way triggers the token recovery
// once and retries REST once — shared by concurrent callers and held off by a cooldown, so never a loop.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { classifyFetchError } from './fetch-errors.js';

export interface PricePoint {
  price: number;
  /** When the price was observed, epoch ms. */
  asOfMs: number;
}

export type CurrentPrice =
  | { symbol: string; price: number; source: 'cache' | 'rest'; stale: false; asOfMs: number }
  | { symbol: string; price: number; source: 'last-close'; stale: true; date: string; reason: string }
  | { symbol: string; price: undefined; source: 'none'; stale: true; reason: string };

export interface CurrentPriceOptions {
  clock: Clock;
  logger: Logger;
  /** E.g. the realtime feed's quote cache. */
  cache?: { get(symbol: string): PricePoint | undefined };
  /** E.g. inquire-price through the REST client. */
  rest?: { fetchPrice(symbol: string, signal?: AbortSignal): Promise<PricePoint> };
  /** E.g. `(s) => dailyBars.latest(s)`. */
  lastClose?: (symbol: string) => { close: number; date: string } | undefined;
  /** Re-issues the token / re-initialises the broker (seed 003 §1). */
  tokenRecovery?: { recover(signal?: AbortSignal): Promise<void> };
  /** Default: the fetch-error table's auth row, or seed 003's keywords (token, auth, 접근토큰, 인증). */
  isTokenError?: (err: unknown) => boolean;
  /** A cached price older than this is not "fresh". Default 30000 ms. */
  cacheMaxAgeMs?: number;
  /** No second token recovery within this window. Default 60000 ms. */
  tokenRecoveryCooldownMs?: number;
}

const TOKEN_WORDS = /token|auth|접근토큰|인증/i;

export function defaultIsTokenError(err: unknown): boolean {
  return classifyFetchError(err).kind === 'auth' || TOKEN_WORDS.test(errorMessage(err));
}

export interface CurrentPriceService {
  /** Never rejects; `source: 'none'` with a reason when nothing is known. */
  getCurrentPrice(symbol: string, signal?: AbortSignal): Promise<CurrentPrice>;
}

export function createCurrentPriceService(opts: CurrentPriceOptions): CurrentPriceService {
  const { clock } = opts;
  const log = opts.logger.child({ component: 'current-price' });
  const maxAge = opts.cacheMaxAgeMs ?? 30_000;
  const cooldown = opts.tokenRecoveryCooldownMs ?? 60_000;
  const isTokenError = opts.isTokenError ?? defaultIsTokenError;
  let recovering: Promise<boolean> | undefined;
  let lastRecoveryMono: number | undefined;

  /** True when a recovery ran (now or concurrently); false when held off by the cooldown or it failed. */
  function recoverToken(signal?: AbortSignal): Promise<boolean> {
    if (!opts.tokenRecovery) return Promise.resolve(false);
    if (recovering) return recovering;
    const now = clock.monotonicMs();
    if (lastRecoveryMono !== undefined && now - lastRecoveryMono < cooldown) return Promise.resolve(false);
    lastRecoveryMono = now;
    const recovery = opts.tokenRecovery;
    recovering = (async () => {
      try {
        log.warn('token error on a price request; running token recovery');
        await recovery.recover(signal);
        return true;
      } catch (err) {
        log.error({ err: errorMessage(err) }, 'token recovery failed');
        return false;
      } finally {
        recovering = undefined;
      }
    })();
    return recovering;
  }

  async function fromRest(symbol: string, signal?: AbortSignal): Promise<{ point?: PricePoint; reason?: string }> {
    if (!opts.rest) return { reason: 'no REST source configured' };
    try {
      return { point: await opts.rest.fetchPrice(symbol, signal) };
    } catch (err) {
      if (!isTokenError(err) || signal?.aborted) return { reason: `REST failed: ${errorMessage(err)}` };
      if (!(await recoverToken(signal))) return { reason: `REST token error, recovery not available now: ${errorMessage(err)}` };
      try {
        // Exactly one retry after a recovery; a second token error falls through to the stale price.
        return { point: await opts.rest.fetchPrice(symbol, signal) };
      } catch (retryErr) {
        return { reason: `REST failed after token recovery: ${errorMessage(retryErr)}` };
      }
    }
  }

  return {
    async getCurrentPrice(symbol, signal) {
      const reasons: string[] = [];
      const cached = opts.cache?.get(symbol);
      const now = clock.nowMs();
      if (cached && Number.isFinite(cached.price) && now - cached.asOfMs <= maxAge) {
        return { symbol, price: cached.price, source: 'cache', stale: false, asOfMs: cached.asOfMs };
      }
      reasons.push(cached ? `cache ${Math.round((now - cached.asOfMs) / 1000)} s old` : 'not in cache');
      const rest = await fromRest(symbol, signal);
      if (rest.point && Number.isFinite(rest.point.price)) {
        return { symbol, price: rest.point.price, source: 'rest', stale: false, asOfMs: rest.point.asOfMs };
      }
      reasons.push(rest.reason ?? 'REST returned no price');
      let last: { close: number; date: string } | undefined;
      try {
        last = opts.lastClose?.(symbol);
      } catch (err) {
        reasons.push(`last close unavailable: ${errorMessage(err)}`);
      }
      if (last && Number.isFinite(last.close)) {
        const reason = reasons.join('; ');
        log.warn({ symbol, date: last.date, reason }, 'using the last collected close (stale)');
        return { symbol, price: last.close, source: 'last-close', stale: true, date: last.date, reason };
      }
      reasons.push('no collected close');
      const reason = reasons.join('; ');
      log.error({ symbol, reason }, 'no price for symbol');
      return { symbol, price: undefined, source: 'none', stale: true, reason };
    },
  };
}
