// The declared slot for data sources: every dataset kisd can collect, by name, from every source. A source is a
// folder here (kis/ today) holding fetchers over a port its adapter (src/kis, src/dart, …) fits structurally,
// plus its datasets (fetcher + save). The bulk collector, the recovery worker and the freshness checks are
// generic over CollectDataset and never see a source; the composition root passes each source its adapter.
import type { CollectDataset } from '../bulk-collector.js';
import { createDartDatasets, DART_DATASET_NAMES, type DartDatasetName, type DartDatasetsOptions } from './dart/index.js';
import { createKisDatasets, KIS_DATASET_NAMES, type KisDatasetName, type KisDatasetsOptions } from './kis/index.js';

/** Every collectable dataset, in the order `kisd collect --help` lists them. */
export const DATASET_NAMES = [...KIS_DATASET_NAMES, ...DART_DATASET_NAMES] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** Whether a dataset comes from OpenDART (needs dart.enabled, not the KIS broker). */
export function isDartDataset(name: DatasetName): name is DartDatasetName {
  return (DART_DATASET_NAMES as readonly string[]).includes(name);
}

export interface DataSourcesOptions {
  kis: KisDatasetsOptions;
  /** Absent when dart.enabled is false: its datasets are then missing. */
  dart?: DartDatasetsOptions;
}

export type Datasets = Record<KisDatasetName, CollectDataset<unknown>> & Partial<Record<DartDatasetName, CollectDataset<unknown>>>;

/** Every dataset of every configured source, by name. */
export function createDatasets(o: DataSourcesOptions): Datasets {
  return { ...createKisDatasets(o.kis), ...(o.dart ? createDartDatasets(o.dart) : {}) };
}
