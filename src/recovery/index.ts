// Recovery queue + worker (seed 002 §6, §13).
export * from './recovery-queue.js';
export * from './recovery-worker.js';
export type { RecoveryTask, RecoveryStatus, EnqueueInput, FailureOutcome } from '../store/recovery-queue-repo.js';
