// SQL for the recovery_queue table (seed 002 §6). Pure storage: the back-off rule and the clock come from
// src/recovery, which passes `nowMs` and a delay function in. Every state change is one transaction.
import type { SqliteDatabase } from './database.js';

export type RecoveryStatus = 'pending' | 'processing' | 'completed' | 'failed';
export const RECOVERY_STATUSES: readonly RecoveryStatus[] = ['pending', 'processing', 'completed', 'failed'];

export interface RecoveryTask {
  id: number;
  fetcherName: string;
  targetCode: string;
  taskType: string;
  /** Parsed params_json; undefined when absent or unparsable (the raw text stays in the row). */
  params: Record<string, unknown> | undefined;
  errorMessage: string | null;
  retryCount: number;
  maxRetries: number;
  status: RecoveryStatus;
  createdAtMs: number;
  updatedAtMs: number;
  nextRetryAtMs: number | null;
}

export interface EnqueueInput {
  fetcherName: string;
  targetCode: string;
  taskType: string;
  params?: Record<string, unknown>;
  errorMessage?: string;
  /** Default 5 (seed 002 §6). */
  maxRetries?: number;
  /** When the worker may first try it; default now. */
  nextRetryAtMs?: number;
}

export interface FailureOutcome {
  status: 'pending' | 'failed';
  retryCount: number;
  nextRetryAtMs: number | null;
}

export interface RecoveryQueueRepo {
  /** Adds a task, or refreshes the error of the open (pending/processing) task for the same target. */
  enqueue(input: EnqueueInput, nowMs: number): { id: number; created: boolean };
  /** Atomically moves up to `limit` due pending tasks (oldest due first) to processing and returns them. */
  claimDue(nowMs: number, limit: number): RecoveryTask[];
  /** Marks a task completed. False when it does not exist or already finished. */
  complete(id: number, nowMs: number): boolean;
  /**
   * Records a failed attempt: retry_count + 1; at max_retries the task becomes failed, otherwise pending
   * again at now + backoffMs(retryCountBefore). Undefined when the task does not exist.
   */
  recordFailure(id: number, errorMessage: string, nowMs: number, backoffMs: (retryCountBefore: number) => number): FailureOutcome | undefined;
  /** Completes the open task for a target (a later bulk pass got the data). Returns rows changed. */
  completeOpen(fetcherName: string, targetCode: string, taskType: string, nowMs: number): number;
  /** processing → pending, due now: the previous process died mid-task. Returns rows changed. */
  resetOrphans(nowMs: number): number;
  /** Makes a task pending and due now (CLI `queue retry <id>`). False when it is processing or missing. */
  retryNow(id: number, nowMs: number): boolean;
  /** Deletes finished tasks with the given statuses, optionally only those last updated before a time. */
  purge(statuses: readonly ('completed' | 'failed')[], updatedBeforeMs?: number): number;
  list(filter?: { status?: RecoveryStatus; limit?: number }): RecoveryTask[];
  get(id: number): RecoveryTask | undefined;
  counts(): Record<RecoveryStatus, number>;
}

interface TaskDbRow {
  id: number;
  fetcher_name: string;
  target_code: string;
  task_type: string;
  params_json: string | null;
  error_message: string | null;
  retry_count: number;
  max_retries: number;
  status: RecoveryStatus;
  created_at: number;
  updated_at: number;
  next_retry_at: number | null;
}

function parseParams(json: string | null): Record<string, unknown> | undefined {
  if (json === null) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toTask(r: TaskDbRow): RecoveryTask {
  return {
    id: r.id,
    fetcherName: r.fetcher_name,
    targetCode: r.target_code,
    taskType: r.task_type,
    params: parseParams(r.params_json),
    errorMessage: r.error_message,
    retryCount: r.retry_count,
    maxRetries: r.max_retries,
    status: r.status,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
    nextRetryAtMs: r.next_retry_at,
  };
}

export function createRecoveryQueueRepo(db: SqliteDatabase): RecoveryQueueRepo {
  const findOpen = db.prepare(`SELECT id FROM recovery_queue
    WHERE fetcher_name = ? AND target_code = ? AND task_type = ? AND status IN ('pending', 'processing')`);
  const insert = db.prepare(`INSERT INTO recovery_queue
    (fetcher_name, target_code, task_type, params_json, error_message, retry_count, max_retries, status, created_at, updated_at, next_retry_at)
    VALUES (?, ?, ?, ?, ?, 0, ?, 'pending', ?, ?, ?)`);
  const refresh = db.prepare('UPDATE recovery_queue SET error_message = ?, params_json = COALESCE(?, params_json), updated_at = ? WHERE id = ?');
  const selectDue = db.prepare(`SELECT * FROM recovery_queue WHERE status = 'pending' AND next_retry_at <= ?
    ORDER BY next_retry_at, id LIMIT ?`);
  const markProcessing = db.prepare(`UPDATE recovery_queue SET status = 'processing', updated_at = ? WHERE id = ? AND status = 'pending'`);
  const getStmt = db.prepare('SELECT * FROM recovery_queue WHERE id = ?');
  const completeStmt = db.prepare(`UPDATE recovery_queue SET status = 'completed', updated_at = ?, next_retry_at = NULL
    WHERE id = ? AND status IN ('pending', 'processing')`);
  const failStmt = db.prepare(`UPDATE recovery_queue SET status = ?, retry_count = ?, error_message = ?, updated_at = ?, next_retry_at = ?
    WHERE id = ?`);
  const completeOpenStmt = db.prepare(`UPDATE recovery_queue SET status = 'completed', updated_at = ?, next_retry_at = NULL
    WHERE fetcher_name = ? AND target_code = ? AND task_type = ? AND status IN ('pending', 'processing')`);
  const orphans = db.prepare(`UPDATE recovery_queue SET status = 'pending', updated_at = ?, next_retry_at = ? WHERE status = 'processing'`);
  const retryStmt = db.prepare(`UPDATE recovery_queue SET status = 'pending', updated_at = ?, next_retry_at = ?
    WHERE id = ? AND status IN ('pending', 'completed', 'failed')`);
  const countsStmt = db.prepare('SELECT status, COUNT(*) AS n FROM recovery_queue GROUP BY status');

  const enqueue = db.transaction((input: EnqueueInput, nowMs: number) => {
    const paramsJson = input.params === undefined ? null : JSON.stringify(input.params);
    const open = findOpen.get(input.fetcherName, input.targetCode, input.taskType) as { id: number } | undefined;
    if (open) {
      refresh.run(input.errorMessage ?? null, paramsJson, nowMs, open.id);
      return { id: open.id, created: false };
    }
    const info = insert.run(input.fetcherName, input.targetCode, input.taskType, paramsJson, input.errorMessage ?? null,
      input.maxRetries ?? 5, nowMs, nowMs, input.nextRetryAtMs ?? nowMs);
    return { id: Number(info.lastInsertRowid), created: true };
  });
  const claim = db.transaction((nowMs: number, limit: number) => {
    const rows = selectDue.all(nowMs, Math.max(0, Math.trunc(limit))) as TaskDbRow[];
    const claimed: RecoveryTask[] = [];
    for (const r of rows) {
      if (markProcessing.run(nowMs, r.id).changes === 1) claimed.push(toTask({ ...r, status: 'processing', updated_at: nowMs }));
    }
    return claimed;
  });
  const fail = db.transaction((id: number, message: string, nowMs: number, backoffMs: (n: number) => number): FailureOutcome | undefined => {
    const r = getStmt.get(id) as TaskDbRow | undefined;
    if (!r) return undefined;
    const retryCount = r.retry_count + 1;
    if (retryCount >= r.max_retries) {
      failStmt.run('failed', retryCount, message, nowMs, null, id);
      return { status: 'failed', retryCount, nextRetryAtMs: null };
    }
    const next = nowMs + backoffMs(r.retry_count);
    failStmt.run('pending', retryCount, message, nowMs, next, id);
    return { status: 'pending', retryCount, nextRetryAtMs: next };
  });

  return {
    enqueue: (input, nowMs) => enqueue.immediate(input, nowMs),
    claimDue: (nowMs, limit) => claim.immediate(nowMs, limit),
    complete: (id, nowMs) => completeStmt.run(nowMs, id).changes === 1,
    recordFailure: (id, message, nowMs, backoffMs) => fail.immediate(id, message, nowMs, backoffMs),
    completeOpen: (fetcherName, targetCode, taskType, nowMs) => completeOpenStmt.run(nowMs, fetcherName, targetCode, taskType).changes,
    resetOrphans: (nowMs) => orphans.run(nowMs, nowMs).changes,
    retryNow: (id, nowMs) => retryStmt.run(nowMs, nowMs, id).changes === 1,
    purge(statuses, updatedBeforeMs) {
      const allowed = statuses.filter((s) => s === 'completed' || s === 'failed');
      if (allowed.length === 0) return 0;
      const marks = allowed.map(() => '?').join(', ');
      const sql = `DELETE FROM recovery_queue WHERE status IN (${marks})${updatedBeforeMs === undefined ? '' : ' AND updated_at < ?'}`;
      const args: (string | number)[] = [...allowed];
      if (updatedBeforeMs !== undefined) args.push(updatedBeforeMs);
      return db.prepare(sql).run(...args).changes;
    },
    list(filter = {}) {
      const limit = Math.max(1, Math.min(10_000, Math.trunc(filter.limit ?? 100)));
      const rows = (filter.status === undefined
        ? db.prepare('SELECT * FROM recovery_queue ORDER BY id DESC LIMIT ?').all(limit)
        : db.prepare('SELECT * FROM recovery_queue WHERE status = ? ORDER BY id DESC LIMIT ?').all(filter.status, limit)) as TaskDbRow[];
      return rows.map(toTask);
    },
    get(id) {
      const r = getStmt.get(id) as TaskDbRow | undefined;
      return r ? toTask(r) : undefined;
    },
    counts() {
      const out: Record<RecoveryStatus, number> = { pending: 0, processing: 0, completed: 0, failed: 0 };
      for (const r of countsStmt.all() as { status: RecoveryStatus; n: number }[]) out[r.status] = r.n;
      return out;
    },
  };
}
