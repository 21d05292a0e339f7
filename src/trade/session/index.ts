// Trading session and market close phase jobs (the positions snapshot market close leaves is in src/store).
export { createTradingSessionJob, type TradingSessionJobOptions, type KrWatchlistControl } from './trading-session-job.js';
export { createMarketCloseJob, intradayFlattenPlan, type MarketCloseJobOptions } from './market-close-job.js';
