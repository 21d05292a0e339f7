// Public surface of the order path: types, the SQLite-journaled order manager, its options and errors.
export * from './types.js';
export * from './errors.js';
export { createOrderManager, type RunningOrderManager, type NoticeSource } from './order-manager.js';
export { compileOrderManagerOptions, type OrderManagerOptions, type CompiledOrderManagerOptions, type CrashPoint } from './options.js';
export type { OrderBroker } from './broker-port.js';
export { OrderJournal, toOrder, type LegProgress } from './journal.js';
export { NoticeHandler, type NoticeHandlerStats } from './notice-handler.js';
export { validateIntent } from './intent.js';
export { newClientOrderId, normalizeOrderNo } from './ids.js';
