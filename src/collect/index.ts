// Bulk collection framework: the Fetcher port and error table, BaseFetcher retry, resumable bulk
// collector, recovery-runner adapter, freshness checks and current price with fallbacks — generic over
// sources; each source (sources/kis/, …) brings its fetchers and datasets.
export * from './fetcher.js';
export * from './fetch-errors.js';
export * from './base-fetcher.js';
export * from './checkpoint.js';
export * from './failed-codes-csv.js';
export * from './progress.js';
export * from './bulk-collector.js';
export * from './recovery-runner.js';
export * from './freshness.js';
export * from './current-price.js';
export * from './disclosure-watch.js';
export * from './sources/kis/index.js';
export * from './sources/dart/index.js';
export * from './sources/index.js';
