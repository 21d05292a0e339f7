// Daily performance analysis: pure metrics, the report model, its HTML rendering and the 17:00 phase job.
export { maxDrawdown, winRate, sharpeRatio, type EquityPoint, type Drawdown, type SharpeResult } from './performance-metrics.js';
export { computeDailyReport, type DailyReport, type DailyReportInput } from './daily-report.js';
export { renderDailyReportHtml, equityCurveSvg, escapeHtml } from './html-report.js';
export { createDailyReportJob, dailyReportPaths, readPreviousReturns, type DailyReportJobOptions } from './daily-report-job.js';
