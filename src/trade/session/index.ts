// Trading session and market close phase jobs, and the positions snapshot they leave for the daily report.
export { createTradingSessionJob, type TradingSessionJobOptions, type KrWatchlistControl } from './trading-session-job.js';
export { createMarketCloseJob, intradayFlattenPlan, type MarketCloseJobOptions } from './market-close-job.js';
export { positionsSnapshotPath, positionsSnapshotSchema, type PositionsSnapshot } from './positions-snapshot.js';
