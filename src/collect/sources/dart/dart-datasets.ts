// The datasets kisd collects from OpenDART, each a fetcher (over the structural DartDataPort) plus its SQLite
// save. One source of src/collect/sources/index.ts.
import type { Store, DisclosureRow, KeyAccountRow } from '../../../store/index.js';
import type { CollectDataset } from '../../bulk-collector.js';
import { createDartDisclosuresFetcher, createDartFinancialsFetcher, type DartFetcherOptions } from './dart-fetchers.js';

/** The datasets this source offers, by the name `kisd collect` uses. */
export const DART_DATASET_NAMES = ['disclosures', 'financials'] as const;
export type DartDatasetName = (typeof DART_DATASET_NAMES)[number];

export interface DartDatasetsOptions extends DartFetcherOptions {
  store: Store;
}

/** Every OpenDART dataset by name. */
export function createDartDatasets(o: DartDatasetsOptions): Record<DartDatasetName, CollectDataset<unknown>> {
  const now = (): number => o.clock.nowMs();
  const disclosures: CollectDataset<DisclosureRow> = {
    name: 'dart_disclosures',
    taskType: 'dart_disclosures',
    fetcher: createDartDisclosuresFetcher(o),
    save: (rows) => void o.store.dart.upsertDisclosures(rows, now()),
  };
  const financials: CollectDataset<KeyAccountRow> = {
    name: 'dart_financials',
    taskType: 'dart_financials',
    fetcher: createDartFinancialsFetcher(o),
    save: (rows) => o.store.dart.upsertKeyAccounts(rows, now()),
  };
  return { disclosures, financials } as unknown as Record<DartDatasetName, CollectDataset<unknown>>;
}
