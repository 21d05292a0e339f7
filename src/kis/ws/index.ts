// Public surface of the KIS realtime WebSocket client: wire tables, the pure frame parser and the session.
export * from './wire.js';
export * from './events.js';
export { createParseStats, parseFrame, type ParseOptions, type ParseStats } from './parse.js';
export { decryptNoticePayload, encryptNoticePayload, type NoticeCipherKey, type DecryptOutcome } from './cipher.js';
export { classifyControl, safeMsg1, type ControlAction } from './control-codes.js';
export { SubscriptionTable, SubscriptionCapError, keyOf, type SubscriptionKey, type ServerState, type PendingAction } from './subscription-table.js';
export { compileWsSessionOptions, noticesFirst, type WsSessionOptions, type CompiledWsSessionOptions } from './session-options.js';
export type { SessionState, ConnectionEndReason, SessionLifecycleEvent, WsSessionCounters, WsSessionStatus } from './session-events.js';
export { WsSession } from './session.js';
