// BaseFetcher (seed 002 §12 fetch_with_retry): turns a per-symbol fetch function into a Fetcher that
// retries each symbol per the error table (back-off 1, 2, 4, 8, 16 s — seed 002 §5 — with a 1-minute
// floor after a rate limit and one token renewal after an auth error) and reports what still failed.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AbortedError, errorMessage } from '../core/errors.js';
import { retry, type RetryPolicy } from '../core/retry.js';
import { classifyFetchError, type FetchErrorPolicy } from './fetch-errors.js';
import type { FetchFailure, Fetcher, FetchRequest, FetchResult } from './fetcher.js';

export interface FetchOneContext {
  signal?: AbortSignal;
  /** 1 for the first try; a fetcher may lengthen its timeout with it (seed 002 §7 TimeoutError). */
  attempt: number;
  params?: Readonly<Record<string, unknown>>;
}

/** Raw retry options of a fetcher. */
export interface FetchRetryOptions {
  /** Retries after the first attempt. Default 5 (seed 002 §5: 1, 2, 4, 8, 16 s). */
  maxRetries: number;
  /** Default 1000 ms. */
  baseDelayMs: number;
  /** Default 16000 ms. */
  maxDelayMs: number;
}

const DEFAULT_FETCH_RETRY: FetchRetryOptions = { maxRetries: 5, baseDelayMs: 1_000, maxDelayMs: 16_000 };

export interface BaseFetcherOptions<Row> {
  name: string;
  fetchOne(code: string, ctx: FetchOneContext): Promise<Row[]>;
  clock: Clock;
  logger?: Logger;
  retry?: Partial<FetchRetryOptions>;
  /** Called once per symbol before retrying an auth error (e.g. invalidate + re-issue the token). */
  renewToken?: () => Promise<void>;
}

/** The error table's row for a failure; an abort we did not ask for is a timeout inside the client. */
function fetchPolicy(err: unknown): FetchErrorPolicy {
  const row = classifyFetchError(err);
  return row.kind === 'aborted' ? classifyFetchError({ name: 'TimeoutError' }) : row;
}

export function createBaseFetcher<Row>(opts: BaseFetcherOptions<Row>): Fetcher<Row> {
  const raw: FetchRetryOptions = { ...DEFAULT_FETCH_RETRY, ...opts.retry };
  const policy: RetryPolicy = { attempts: raw.maxRetries + 1, baseMs: raw.baseDelayMs, capMs: raw.maxDelayMs, jitterMs: 0 };
  const log = opts.logger?.child({ component: 'fetcher', fetcher: opts.name });

  async function fetchCode(code: string, req: FetchRequest): Promise<{ rows?: Row[]; failure?: FetchFailure; requests: number }> {
    let renewed = false;
    let attempts = 0;
    try {
      const rows = await retry(
        (attempt) => {
          attempts = attempt;
          return opts.fetchOne(code, { signal: req.signal, attempt, params: req.params });
        },
        {
          policy,
          clock: opts.clock,
          signal: req.signal,
          what: `${opts.name}: ${code}`,
          // The error table decides (seed 002 §5): retry with back-off, at least a minute after a rate limit.
          shouldRetry: (err) => {
            const row = fetchPolicy(err);
            return row.disposition === 'retry' && { minDelayMs: row.minDelayMs };
          },
          onRetry: async ({ attempt, delayMs, error }) => {
            const row = fetchPolicy(error);
            if (row.refreshToken && opts.renewToken && !renewed) {
              renewed = true;
              try {
                await opts.renewToken();
              } catch (renewErr) {
                log?.warn({ code, err: errorMessage(renewErr) }, 'token renewal failed');
              }
            }
            log?.debug({ code, attempt, kind: row.kind, delayMs, err: errorMessage(error) }, 'fetch failed; retrying');
          },
        },
      );
      return { rows, requests: attempts };
    } catch (err) {
      if (attempts === 0 && err instanceof AbortedError) throw err; // aborted before the first try
      if (req.signal?.aborted) throw new AbortedError(`${opts.name}: aborted during ${code}`);
      return { failure: { code, error: err, attempts }, requests: attempts };
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
