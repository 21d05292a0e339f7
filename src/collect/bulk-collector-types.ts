// What the bulk collector works on and reports: a dataset (fetcher + save), its options, the run summary.
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { EnqueueInput } from '../store/recovery-queue-repo.js';
import type { Fetcher } from './fetcher.js';
import type { CollectProgress } from './progress.js';

/** A dataset: where rows come from and how they are stored. */
export interface CollectDataset<Row> {
  /** Names the checkpoint and failed-codes files: `progress/<name>.json`, `csv/failed_codes_<name>.csv`. */
  name: string;
  /** recovery_queue.task_type, e.g. 'daily_bars'. */
  taskType: string;
  fetcher: Fetcher<Row>;
  /** Saves rows atomically (one SQLite transaction) and idempotently (UPSERT on the natural key). */
  save(rows: readonly Row[]): void | Promise<void>;
  /** Passed to every fetch and stored with queued tasks (e.g. a date range). */
  params?: Readonly<Record<string, unknown>>;
}

/** The slice of the recovery queue the collector uses. */
export interface CollectorQueuePort {
  enqueue(input: EnqueueInput): unknown;
  completeOpen(fetcherName: string, targetCode: string, taskType: string): unknown;
}

export interface BulkCollectorOptions {
  /** Checkpoints go to `<dataDir>/progress`, failed codes to `<dataDir>/csv`. */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  queue?: CollectorQueuePort;
  /** Symbols in flight at once. Default 2 (pacing is the REST limiter's job). */
  concurrency?: number;
  /** Save + checkpoint every N symbols. Default 20. */
  checkpointEvery?: number;
  /** Pause before the final pass over failed symbols. Default 30000 ms. */
  finalPassDelayMs?: number;
  /** max_retries of queued tasks. Default 5. */
  queueMaxRetries?: number;
  /** Attempts to save a chunk before giving up the run. Default 3. */
  saveAttempts?: number;
  onProgress?: (progress: CollectProgress) => void;
  /**
   * Total HTTP requests the client has sent so far (its own retries included). When given, progress and the
   * summary count these, which is what the server sees; otherwise one per symbol attempt.
   */
  requestCounter?: () => number;
  /** Gets one alert per finished run with symbols still missing: WARNING when some failed, ERROR when all did (seed 002 §10). */
  alerts?: AlertPort;
}

export interface CollectSummary {
  dataset: string;
  /** KST date of the run "YYYY-MM-DD". */
  date: string;
  total: number;
  /** Symbols whose data was saved in the main pass (across resumes). */
  collected: number;
  /** Symbols the source has no data for (not an error, not queued). */
  notFound: number;
  /** Symbols that failed after their retries in the main pass (CSV + queue). */
  skipped: number;
  /** Of the skipped, those the final pass got. */
  recovered: number;
  /** Still missing at the end; they wait in the recovery queue. */
  stillFailed: string[];
  /** Refused by KIS as invalid input in this run (in the failed-codes CSV; never retried or queued). */
  rejected: string[];
  rows: number;
  /** Index the run resumed from (0 for a fresh run). */
  resumedFromIndex: number;
  elapsedMs: number;
  requests: number;
  requestsPerSec: number;
  aborted: boolean;
  /** The checkpoint said this dataset was already finished today; nothing was fetched. */
  alreadyComplete: boolean;
  /** Why the run stopped early without a shutdown (a refused API key): fix it and run again to resume. */
  stoppedBy?: string;
}
