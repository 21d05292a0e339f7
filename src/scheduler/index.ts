// Public surface of the scheduler: phases, restart recovery, token watch, trading calendar, lifecycle.
export * from './ports.js';
export { TradingCalendar, type TradingCalendarOptions, type CalendarSource } from './trading-calendar.js';
export { PhaseRecordStore, type PhaseRecord, type PhaseRecordsFile } from './phase-records.js';
export {
  MAX_BATCH_SYMBOLS,
  batchFileSchema,
  batchDir,
  batchPath,
  inspectBatchFile,
  listBatchIds,
  scanBatches,
  writeBatchFile,
  readValidBatches,
  type BatchFile,
  type BatchState,
} from './batch-files.js';
export { JobRunner, DEFAULT_RETRY_POLICY, compileRetryPolicy, retryDelayMs, type RetryPolicy, type JobRunResult, type JobRunOptions } from './job-runner.js';
export {
  DEFAULT_PHASES,
  compileSchedulePlan,
  tokenCheckCron,
  everyHoursCron,
  type PhaseOptions,
  type SchedulePlanOptions,
  type SchedulePlan,
  type CompiledPhase,
} from './phase-plan.js';
export {
  IntegratedScheduler,
  type IntegratedSchedulerOptions,
  type IntegratedSchedulerDeps,
  type PhaseRunOutcome,
  type LastPhase,
} from './integrated-scheduler.js';
export { RecoveryManager, formatDecision, type PhaseDecision, type RecoveryDecisionKind, type RecoveryReport } from './recovery-manager.js';
export { TokenWatch, tokenCheckFromProvider, formatDuration, type TokenWatchStatus } from './token-watch.js';
export { Lifecycle, DEFAULT_STOP_DEADLINE_MS, type LifecycleComponent, type StopReport } from './lifecycle.js';
export {
  createScreeningJob,
  createSelectionJob,
  createFeedJob,
  createTradingSessionJob,
  createMarketCloseJob,
  createDailyReportJob,
  screeningPath,
  reportPath,
  type PriceSource,
  type PriceQuote,
  type FeedControl,
} from './placeholder-jobs.js';
