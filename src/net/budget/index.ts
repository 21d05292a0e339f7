// Public surface of the cross-process rate budget.
export { openKeyBudget, BUDGET_FILE, type OpenBudgetOptions } from './open-budget.js';
export { compileWindows } from '../rate-windows.js';
export { appKeyFingerprint, type BudgetLedger, type GrantAnswer, type LedgerUsage } from './ledger.js';
export { readBudgetReports, type BudgetReport } from './budget-report.js';
export { readRedisBudgetReports } from './redis-ledger.js';
