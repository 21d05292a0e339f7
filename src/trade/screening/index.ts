// Screening (phase 1) and selection (phase 2) as scheduler PhaseJobs, the rule set, and the KR watchlist.
export { compileScreeningRules, screenSymbol, rankUniverse, type ScreeningRulesOptions, type CompiledScreeningRules, type SymbolHistory, type ScoredSymbol, type Screened, type RuleContributions } from './screening-rules.js';
export { sqliteScreeningData, type ScreeningData } from './screening-data.js';
export { screeningFilePath, screeningFileSchema, type ScreeningFile } from './screening-file.js';
export { createRankingScreeningJob, computeScreening, StaleDataError, type ScreeningJobOptions } from './screening-job.js';
export { createSelectionBatchJob, NoScreeningError, type SelectionJobOptions } from './selection-job.js';
export { writeScoredBatchFile, scoredBatchFileSchema, type ScoredBatchFile } from './scored-batch.js';
export { krWatchlistCapacity, krWatchlistFromBatches, todayKrWatchlist, type WatchlistBudget } from './watchlist.js';
