// Strategies: the interface, the context (orders only through risk), the registry, the runner and the
// reference opening-range breakout.
export type { Strategy, StrategyContext, StrategyBar, StrategyMode, StrategyState, StrategyFactory, OrderRequest, PlaceOrderResult } from './types.js';
export { BarBuilder } from './bar-builder.js';
export { FileStrategyState, MemoryStrategyState, strategyStatePath } from './state-store.js';
export { createStrategyContext, prevCloseOf, strategyPosition, touchPrice, type StrategyContextDeps } from './strategy-context.js';
export { StrategyRegistry, defaultStrategyRegistry, type StrategyConfig } from './registry.js';
export { StrategyRunner, type StrategyRunnerOptions, type StrategyRunnerStats } from './strategy-runner.js';
export { createOpeningRangeBreakout, compileOrbParams, OPENING_RANGE_BREAKOUT, INTRADAY_TAG, type OrbState } from './opening-range-breakout.js';
