// Pre-trade risk: limits, the gate, the persistent kill switch and the fill ledger behind daily P&L.
export { compileRiskLimits, DEFAULT_RISK_LIMITS, type CompiledRiskLimits, type RiskLimitsOptions } from './risk-limits.js';
export { formatKrw, type RiskApproval, type RiskDecision, type RiskRejectCode, type RiskRejection, type RiskRequest, type RiskView } from './risk-types.js';
export { KillSwitch, killSwitchPath, type KillSwitchOptions, type KillSwitchState } from './kill-switch.js';
export { fileKillSwitchStore, parseKillSwitchState, type KillSwitchRead, type KillSwitchStore } from './kill-switch-store.js';
export { RiskGate, dailyPnl, type DailyPnl, type RiskGateOptions } from './risk-gate.js';
export { PositionLedger, estimateKrFees, type LedgerFill, type LedgerPosition, type RoundTrip } from './pnl-ledger.js';
export { orderBookRiskView, fillsFromOrders, ownDayLedger, type MarkSource, type PrevCloseSource } from './order-book-view.js';
