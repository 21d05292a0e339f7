// Public surface of the scheduler: the phase plan, restart recovery, token watch, the KIS holiday calendar.
// The phase table and job ports it runs are in src/core/phases.ts; batch files in src/store/batch-files.ts.
export * from './ports.js';
export { HolidayCalendar, type HolidayCalendarOptions, type CalendarSource } from './holiday-calendar.js';
export { PhaseRecordStore, type PhaseRecord, type PhaseRecordsFile } from './phase-records.js';
export { JobRunner, DEFAULT_RETRY_POLICY, compileRetryPolicy, type JobRunResult, type JobRunOptions } from './job-runner.js';
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
