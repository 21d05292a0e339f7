// The datasets kisd collects from KIS, each a fetcher (over the structural KisMarketDataPort) plus its SQLite
// save. One source of src/collect/sources/index.ts, which `kisd collect`, the jobs and the recovery worker read.
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import type { Store, QuoteRow, DailyBarRow, InvestorFlowRow, NewsRow, OpinionRow, EstimateRow } from '../../../store/index.js';
import type { CollectDataset } from '../../bulk-collector.js';
import { createKisDailyBarsFetcher, type KisFetcherOptions } from './kis-daily-bars.js';
import { createKisInvestorFlowsFetcher } from './kis-investor-flows.js';
import type { KisResearchPort } from './kis-ports.js';
import { createKisOverseasQuotesFetcher, createKisQuotesFetcher } from './kis-quotes.js';
import { createKisEstimatesFetcher, createKisNewsFetcher, createKisOpinionsFetcher } from './kis-research.js';

/** The datasets this source offers, by the name `kisd collect` and the jobs use. */
export const KIS_DATASET_NAMES = ['quotes', 'daily-bars', 'investor-flows', 'us-quotes', 'news', 'opinions', 'estimates'] as const;
export type KisDatasetName = (typeof KIS_DATASET_NAMES)[number];

export interface KisDatasetsOptions {
  api: KisFetcherOptions['api'] & KisResearchPort;
  store: Store;
  clock: Clock;
  logger?: Logger;
  retry?: KisFetcherOptions['retry'];
  renewToken?: () => Promise<void>;
}

/** Every KIS dataset by name. */
export function createKisDatasets(o: KisDatasetsOptions): Record<KisDatasetName, CollectDataset<unknown>> {
  const f: KisFetcherOptions = { api: o.api, clock: o.clock, logger: o.logger, retry: o.retry, renewToken: o.renewToken };
  const now = (): number => o.clock.nowMs();
  const quotes: CollectDataset<QuoteRow> = { name: 'quotes', taskType: 'quotes', fetcher: createKisQuotesFetcher(f), save: (rows) => o.store.quotes.upsert(rows, now()) };
  const dailyBars: CollectDataset<DailyBarRow> = { name: 'daily_bars', taskType: 'daily_bars', fetcher: createKisDailyBarsFetcher(f), save: (rows) => o.store.dailyBars.upsert(rows, now()) };
  const flows: CollectDataset<InvestorFlowRow> = { name: 'investor_flows', taskType: 'investor_flows', fetcher: createKisInvestorFlowsFetcher(f), save: (rows) => o.store.investorFlows.upsert(rows, now()) };
  const usQuotes: CollectDataset<QuoteRow> = { name: 'us_quotes', taskType: 'us_quotes', fetcher: createKisOverseasQuotesFetcher(f), save: (rows) => o.store.quotes.upsert(rows, now()) };
  const r = { ...f, api: o.api };
  const news: CollectDataset<NewsRow> = { name: 'news', taskType: 'news', fetcher: createKisNewsFetcher(r), save: (rows) => o.store.research.upsertNews(rows, now()) };
  const opinions: CollectDataset<OpinionRow> = { name: 'opinions', taskType: 'opinions', fetcher: createKisOpinionsFetcher(r), save: (rows) => o.store.research.upsertOpinions(rows, now()) };
  const estimates: CollectDataset<EstimateRow> = { name: 'estimates', taskType: 'estimates', fetcher: createKisEstimatesFetcher(r), save: (rows) => o.store.research.upsertEstimates(rows, now()) };
  // The collector and the recovery worker treat rows opaquely; each dataset's fetcher and save agree on the row type above.
  return { quotes, 'daily-bars': dailyBars, 'investor-flows': flows, 'us-quotes': usQuotes, news, opinions, estimates } as unknown as Record<KisDatasetName, CollectDataset<unknown>>;
}
