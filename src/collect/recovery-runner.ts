// Adapts a collection dataset to the recovery worker: a queued task re-fetches its one symbol through
// the dataset's fetcher and saves the rows. "No data" completes the task (seed 002 §7: not-found → skip).
import type { RecoveryTaskRunner } from '../recovery/recovery-worker.js';
import { classifyFetchError } from './fetch-errors.js';
import type { CollectDataset } from './bulk-collector.js';

export function createDatasetRecoveryRunner<Row>(dataset: CollectDataset<Row>): RecoveryTaskRunner {
  return {
    async run(task, signal) {
      const params = task.params ?? dataset.params;
      const res = await dataset.fetcher.fetch({ targetCodes: [task.targetCode], signal, params });
      const failure = res.failed[0];
      if (failure !== undefined && classifyFetchError(failure.error).disposition !== 'skip') throw failure.error;
      if (res.ok.length > 0) await dataset.save(res.ok);
    },
  };
}

/** Registry for the worker: fetcher name → runner, one entry per dataset. */
export function recoveryRunnersFor(datasets: readonly CollectDataset<unknown>[]): Map<string, RecoveryTaskRunner> {
  const map = new Map<string, RecoveryTaskRunner>();
  for (const d of datasets) map.set(d.fetcher.name, createDatasetRecoveryRunner(d));
  return map;
}
