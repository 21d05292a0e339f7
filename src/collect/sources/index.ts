// The declared slot for data sources: every dataset kisd can collect, by name, from every source. A source is a
// folder here (kis/ today) holding fetchers over a port its adapter (src/kis, src/dart, …) fits structurally,
// plus its datasets (fetcher + save). The bulk collector, the recovery worker and the freshness checks are
// generic over CollectDataset and never see a source; the composition root passes each source its adapter.
import type { CollectDataset } from '../bulk-collector.js';
import { createKisDatasets, KIS_DATASET_NAMES, type KisDatasetsOptions } from './kis/index.js';

/** Every collectable dataset, in the order `kisd collect --help` lists them. */
export const DATASET_NAMES = [...KIS_DATASET_NAMES] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

export interface DataSourcesOptions {
  kis: KisDatasetsOptions;
}

/** Every dataset of every source, by name. */
export function createDatasets(o: DataSourcesOptions): Record<DatasetName, CollectDataset<unknown>> {
  return { ...createKisDatasets(o.kis) };
}
