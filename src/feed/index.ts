// Public surface of the realtime feed service: event bus, dual market feed, quote cache, session port.
export { EventBus, type BusSubscriberOptions, type BusSubscriberStats, type BusSubscription, type DropPolicy, type EventBusOptions } from './bus.js';
export {
  compileMarketSchedule, isKrTradingDay, isUsSessionDay, marketAt, nextSwitchMs,
  type Market, type MarketOrNone, type MarketSchedule, type MarketScheduleOptions,
} from './market-schedule.js';
export { createWsFeedSessionFactory, type FeedConnectionEvent, type FeedSession, type FeedSessionFactory, type FeedSessionStatus, type WsFeedSessionFactoryOptions } from './feed-session.js';
export { DualMarketFeed, type DualMarketFeedOptions, type DualMarketFeedStatus } from './dual-market-feed.js';
export { QuoteCache } from './quote-cache.js';
export { FeedGapTracker, clipToKrSession, type FeedGap, type FeedGapTrackerOptions, type FeedHeartbeatStore } from './gap-tracker.js';
export { GapFiller, type BackfilledBar, type GapFillerOptions, type MinuteBarLike, type MinuteChartPort } from './gap-filler.js';
export { createGapFill, type GapFill, type GapFillOptions } from './gap-fill.js';
