// The datasets kisd collects from KIS, each a fetcher plus its SQLite save: used by `kisd collect`, the
// scheduled collection jobs and the recovery worker (so a queued task is retried by the same code).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store, QuoteRow, DailyBarRow, InvestorFlowRow } from '../store/index.js';
import type { CollectDataset } from './bulk-collector.js';
import {
  createKisDailyBarsFetcher,
  createKisInvestorFlowsFetcher,
  createKisQuotesFetcher,
  createKisOverseasQuotesFetcher,
  type KisFetcherOptions,
} from './fetchers/index.js';

export const DATASET_NAMES = ['quotes', 'daily-bars', 'investor-flows', 'us-quotes'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface KisDatasetsOptions {
  api: KisFetcherOptions['api'];
  store: Store;
  clock: Clock;
  logger?: Logger;
  retry?: KisFetcherOptions['retry'];
  renewToken?: () => Promise<void>;
}

/** Every KIS dataset by name. */
export function createKisDatasets(o: KisDatasetsOptions): Record<DatasetName, CollectDataset<unknown>> {
  const f: KisFetcherOptions = { api: o.api, clock: o.clock, logger: o.logger, retry: o.retry, renewToken: o.renewToken };
  const now = (): number => o.clock.nowMs();
  const quotes: CollectDataset<QuoteRow> = { name: 'quotes', taskType: 'quotes', fetcher: createKisQuotesFetcher(f), save: (rows) => o.store.quotes.upsert(rows, now()) };
  const dailyBars: CollectDataset<DailyBarRow> = { name: 'daily_bars', taskType: 'daily_bars', fetcher: createKisDailyBarsFetcher(f), save: (rows) => o.store.dailyBars.upsert(rows, now()) };
  const flows: CollectDataset<InvestorFlowRow> = { name: 'investor_flows', taskType: 'investor_flows', fetcher: createKisInvestorFlowsFetcher(f), save: (rows) => o.store.investorFlows.upsert(rows, now()) };
  const usQuotes: CollectDataset<QuoteRow> = { name: 'us_quotes', taskType: 'us_quotes', fetcher: createKisOverseasQuotesFetcher(f), save: (rows) => o.store.quotes.upsert(rows, now()) };
  // The collector and the recovery worker treat rows opaquely; each dataset's fetcher and save agree on the row type above.
  return { quotes, 'daily-bars': dailyBars, 'investor-flows': flows, 'us-quotes': usQuotes } as unknown as Record<DatasetName, CollectDataset<unknown>>;
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
