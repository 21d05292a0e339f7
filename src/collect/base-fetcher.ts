// BaseFetcher (seed 002 §12 fetch_with_retry): turns a per-symbol fetch function into a Fetcher that
// retries each symbol per the error table (back-off 1, 2, 4, 8, 16 s — seed 002 §5 — with a 1-minute
// floor after a rate limit and one token renewal after an auth error) and reports what still failed.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AbortedError, errorMessage } from '../core/errors.js';
import { classifyFetchError } from './fetch-errors.js';
import type { FetchFailure, Fetcher, FetchRequest, FetchResult } from './fetcher.js';

export interface FetchOneContext {
  signal?: AbortSignal;
  /** 1 for the first try; a fetcher may lengthen its timeout with it (seed 002 §7 TimeoutError). */
  attempt: number;
  params?: Readonly<Record<string, unknown>>;
}

export interface RetryPolicy {
  /** Retries after the first attempt. Default 5 (seed 002 §5: 1, 2, 4, 8, 16 s). */
  maxRetries: number;
  /** Default 1000 ms. */
  baseDelayMs: number;
  /** Default 16000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_FETCH_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 1_000, maxDelayMs: 16_000 };

export interface BaseFetcherOptions<Row> {
  name: string;
  fetchOne(code: string, ctx: FetchOneContext): Promise<Row[]>;
  clock: Clock;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Called once per symbol before retrying an auth error (e.g. invalidate + re-issue the token). */
  renewToken?: () => Promise<void>;
}

/** Delay before retry number `retry` (1-based): base × 2^(retry-1), capped, floored by the error's minimum. */
export function fetchRetryDelayMs(retry: number, policy: RetryPolicy, minDelayMs = 0): number {
  return Math.max(minDelayMs, Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1)));
}

export function createBaseFetcher<Row>(opts: BaseFetcherOptions<Row>): Fetcher<Row> {
  const policy: RetryPolicy = { ...DEFAULT_FETCH_RETRY, ...opts.retry };
  const log = opts.logger?.child({ component: 'fetcher', fetcher: opts.name });

  async function fetchCode(code: string, req: FetchRequest): Promise<{ rows?: Row[]; failure?: FetchFailure; requests: number }> {
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw new AbortedError(`${opts.name}: aborted before ${code}`);
      try {
        const rows = await opts.fetchOne(code, { signal: req.signal, attempt, params: req.params });
        return { rows, requests: attempt };
      } catch (err) {
        if (req.signal?.aborted) throw new AbortedError(`${opts.name}: aborted during ${code}`);
        let policyRow = classifyFetchError(err);
        // An abort we did not ask for is a timeout inside the client.
        if (policyRow.disposition === 'abort') policyRow = classifyFetchError({ name: 'TimeoutError' });
        if (policyRow.disposition !== 'retry' || attempt > policy.maxRetries) {
          return { failure: { code, error: err, attempts: attempt }, requests: attempt };
        }
        if (policyRow.refreshToken && opts.renewToken && !renewed) {
          renewed = true;
          try {
            await opts.renewToken();
          } catch (renewErr) {
            log?.warn({ code, err: errorMessage(renewErr) }, 'token renewal failed');
          }
        }
        const delayMs = fetchRetryDelayMs(attempt, policy, policyRow.minDelayMs);
        log?.debug({ code, attempt, kind: policyRow.kind, delayMs, err: errorMessage(err) }, 'fetch failed; retrying');
        await opts.clock.sleep(delayMs, req.signal).catch(() => {
          throw new AbortedError(`${opts.name}: aborted while backing off on ${code}`);
        });
      }
    }
  }

  return {
    name: opts.name,
    async fetch(req: FetchRequest): Promise<FetchResult<Row>> {
      const result: FetchResult<Row> = { ok: [], failed: [], requests: 0 };
      for (const code of req.targetCodes) {
        const one = await fetchCode(code, req);
        result.requests = (result.requests ?? 0) + one.requests;
        if (one.rows) result.ok.push(...one.rows);
        if (one.failure) result.failed.push(one.failure);
      }
      return result;
    },
  };
}
