// Public surface of reconciliation (the order manager runs it; exported for tools and tests).
export { reconcileOnce, type ReconcileDeps } from './reconciler.js';
export { matchesIntent, executionTimeMs, sameSymbol } from './match.js';
export { checkPositions } from './positions-check.js';
export type { ReconcileReport, ReconcileDifference } from '../orders/types.js';
