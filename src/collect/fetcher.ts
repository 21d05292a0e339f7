// The Fetcher port (seed 002 §3.5 BaseFetcher standard interface): every collector source answers
// fetch({ targetCodes }) with the rows it got and, per symbol, the error it could not get past.

export interface FetchRequest {
  /** Symbols to fetch (6-digit KRX codes, or overseas tickers). */
  targetCodes: readonly string[];
  /** Aborts in-flight requests (shutdown, deadline). */
  signal?: AbortSignal;
  /** Fetcher-specific parameters (e.g. date range), stored in recovery_queue.params_json on failure. */
  params?: Readonly<Record<string, unknown>>;
}

export interface FetchFailure {
  code: string;
  error: unknown;
  /** Attempts spent on this code before giving up (1 when the fetcher does not retry). */
  attempts?: number;
}

export interface FetchResult<Row> {
  ok: Row[];
  failed: FetchFailure[];
  /** Upstream requests made, retries included (for requests/s); defaults to targetCodes.length. */
  requests?: number;
}

export interface Fetcher<Row> {
  /** Stable name stored in recovery_queue.fetcher_name, e.g. 'kis-daily-bars'. */
  readonly name: string;
  /**
   * Fetches every code; a failure for one code never throws, it lands in `failed`.
   * Rejects only when aborted or on a bug.
   */
  fetch(request: FetchRequest): Promise<FetchResult<Row>>;
}
