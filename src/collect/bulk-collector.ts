// Bulk collection over a long symbol list (seed 000 §4): symbols go through a Fetcher a few at a time
// (the REST client's shared limiter does the pacing); every `checkpointEvery` symbols the rows are saved
// in one transaction and only THEN the checkpoint advances, so a crash at any instant resumes without
// losing or skipping a symbol. Symbols still failing after their retries are skipped, written to
// failed_codes_<dataset>.csv and the recovery queue, and re-collected in a final pass (collection-run.ts).
import type { BulkCollectorOptions, CollectDataset, CollectSummary } from './bulk-collector-types.js';
import { CollectionRun, type CompiledCollectorOptions } from './collection-run.js';

export type { BulkCollectorOptions, CollectDataset, CollectorQueuePort, CollectSummary } from './bulk-collector-types.js';

export interface BulkCollector {
  /**
   * Collects `symbols` into the dataset, resuming today's checkpoint if one matches.
   * Resolves with a summary (also when aborted). Rejects with KISD_COLLECT_STORAGE when rows cannot be saved.
   */
  run<Row>(dataset: CollectDataset<Row>, symbols: readonly string[], opts?: { signal?: AbortSignal }): Promise<CollectSummary>;
}

export function createBulkCollector(opts: BulkCollectorOptions): BulkCollector {
  const compiled: CompiledCollectorOptions = {
    ...opts,
    concurrency: Math.max(1, Math.trunc(opts.concurrency ?? 2)),
    checkpointEvery: Math.max(1, Math.trunc(opts.checkpointEvery ?? 20)),
    finalPassDelayMs: opts.finalPassDelayMs ?? 30_000,
    saveAttempts: Math.max(1, opts.saveAttempts ?? 3),
  };
  return {
    async run<Row>(dataset: CollectDataset<Row>, symbols: readonly string[], runOpts: { signal?: AbortSignal } = {}): Promise<CollectSummary> {
      const run = await CollectionRun.open(compiled, dataset, symbols, runOpts.signal);
      return run.execute();
    },
  };
}
