// RecoveryWorker (seed 002 §13): every 10 minutes, claims due pending tasks, re-runs each through the
// runner registered for its fetcher, completes it or backs it off; a task past max_retries is marked
// failed and one CRITICAL alert lists what was given up. Crash-only: start() first returns tasks a dead
// process left `processing` to the queue.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { AbortedError, errorMessage } from '../core/errors.js';
import type { RecoveryTask } from '../store/recovery-queue-repo.js';
import type { Alert, AlertPort } from '../core/alert.js';
import type { RecoveryQueue } from './recovery-queue.js';

/** Re-runs one task (fetch the target and save it). Throws when it still fails. */
export interface RecoveryTaskRunner {
  run(task: RecoveryTask, signal: AbortSignal): Promise<void>;
}

export interface RecoveryWorkerOptions {
  queue: RecoveryQueue;
  /** Keyed by the task's fetcher_name. A task whose fetcher has no runner counts as a failed attempt. */
  runners: ReadonlyMap<string, RecoveryTaskRunner> | Readonly<Record<string, RecoveryTaskRunner>>;
  clock: Clock;
  logger: Logger;
  alerts?: AlertPort;
  /** Default 600000 ms (10 min, seed 002 §8). */
  intervalMs?: number;
  /** Tasks claimed per run. Default 100. */
  batchSize?: number;
  /** Deadline for one task's runner. Default 120000 ms. */
  taskTimeoutMs?: number;
}

export interface RecoveryRunSummary {
  claimed: number;
  completed: number;
  retryLater: number;
  failed: number;
  /** True when runOnce was skipped because a run was already going. */
  skipped: boolean;
}

export interface RecoveryWorker {
  /** Recovers orphans, then runs every intervalMs. Idempotent. */
  start(): void;
  /** Stops the timer, aborts the current run and waits for it up to timeoutMs (default 10000). */
  stop(timeoutMs?: number): Promise<void>;
  /** One pass over due tasks; never rejects. Concurrent calls are skipped, not queued. */
  runOnce(): Promise<RecoveryRunSummary>;
  /** processing → pending; also called by start(). */
  recoverOrphans(): number;
}

export function createRecoveryWorker(opts: RecoveryWorkerOptions): RecoveryWorker {
  const { queue, clock } = opts;
  const log = opts.logger.child({ component: 'recovery-worker' });
  const intervalMs = opts.intervalMs ?? 600_000;
  const batchSize = opts.batchSize ?? 100;
  const taskTimeoutMs = opts.taskTimeoutMs ?? 120_000;
  const runners = opts.runners instanceof Map ? opts.runners : new Map(Object.entries(opts.runners as Record<string, RecoveryTaskRunner>));
  let interval: TimerHandle | undefined;
  let running: Promise<RecoveryRunSummary> | undefined;
  let stopController = new AbortController();

  async function runTask(task: RecoveryTask): Promise<void> {
    const runner = runners.get(task.fetcherName);
    if (!runner) throw new Error(`no recovery runner registered for fetcher "${task.fetcherName}"`);
    const controller = new AbortController();
    const onStop = (): void => controller.abort(new AbortedError('recovery worker stopping'));
    stopController.signal.addEventListener('abort', onStop, { once: true });
    let timer: TimerHandle | undefined;
    try {
      await Promise.race([
        runner.run(task, controller.signal),
        new Promise<never>((_, reject) => {
          timer = clock.setTimeout(() => {
            const err = new Error(`recovery task timed out after ${taskTimeoutMs} ms`);
            controller.abort(err);
            reject(err);
          }, taskTimeoutMs);
        }),
      ]);
    } finally {
      clock.clearTimeout(timer);
      stopController.signal.removeEventListener('abort', onStop);
    }
  }

  function alertGaveUp(tasks: { task: RecoveryTask; error: string }[]): void {
    if (!opts.alerts || tasks.length === 0) return;
    const first = tasks.slice(0, 10);
    const ids = tasks.map((t) => t.task.id);
    const kinds = [...new Set(tasks.map((t) => `${t.task.fetcherName}/${t.task.taskType}`))].join(', ');
    const alert: Alert = {
      key: `recovery-failed:${Math.min(...ids)}-${Math.max(...ids)}`,
      level: 'CRITICAL',
      title: `Recovery gave up on ${tasks.length} collection task(s) (${kinds})`,
      what: `These tasks kept failing and reached their retry limit; the data they fetch is missing from kisd.sqlite.`,
      symbols: tasks.map((t) => t.task.targetCode),
      tried: `Each was retried by the recovery worker every ${Math.round(intervalMs / 60_000)} minutes with back-off 60 s × 2^n, ${first[0]?.task.maxRetries ?? '?'} times.`,
      nextSteps:
        `Read the errors below. Once the cause is fixed (token, network, KIS outage), run \`kisd queue retry <id>\` ` +
        `for task ids ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}, or re-run the collection.`,
      details: Object.fromEntries(first.map((t) => [`task ${t.task.id} (${t.task.targetCode})`, t.error.slice(0, 300)])),
    };
    void opts.alerts.send(alert).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not send recovery alert'));
  }

  async function run(): Promise<RecoveryRunSummary> {
    const summary: RecoveryRunSummary = { claimed: 0, completed: 0, retryLater: 0, failed: 0, skipped: false };
    if (stopController.signal.aborted) return { ...summary, skipped: true };
    let tasks: RecoveryTask[];
    try {
      tasks = queue.claimDue(batchSize);
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'could not read the recovery queue');
      return summary;
    }
    summary.claimed = tasks.length;
    const gaveUp: { task: RecoveryTask; error: string }[] = [];
    for (const task of tasks) {
      if (stopController.signal.aborted) {
        // Not attempted: hand it back untouched (no retry consumed).
        queue.recoverOrphans();
        break;
      }
      try {
        await runTask(task);
        queue.complete(task.id);
        summary.completed++;
        log.info({ taskId: task.id, fetcher: task.fetcherName, target: task.targetCode, taskType: task.taskType }, 'recovery task completed');
      } catch (err) {
        if (stopController.signal.aborted) {
          queue.recoverOrphans();
          break;
        }
        const message = errorMessage(err);
        const outcome = queue.fail(task.id, err);
        if (outcome?.status === 'failed') {
          summary.failed++;
          gaveUp.push({ task, error: message });
          log.error({ taskId: task.id, target: task.targetCode, retryCount: outcome.retryCount, err: message }, 'recovery task failed for good');
        } else {
          summary.retryLater++;
          log.warn({ taskId: task.id, target: task.targetCode, retryCount: outcome?.retryCount, nextRetryAtMs: outcome?.nextRetryAtMs, err: message }, 'recovery task failed; will retry');
        }
      }
    }
    alertGaveUp(gaveUp);
    if (summary.claimed > 0) log.info(summary, 'recovery pass done');
    return summary;
  }

  const worker: RecoveryWorker = {
    recoverOrphans() {
      const n = queue.recoverOrphans();
      if (n > 0) log.warn({ tasks: n }, 'returned tasks left processing by a previous process to the queue');
      return n;
    },
    start() {
      if (interval !== undefined) return;
      stopController = new AbortController();
      worker.recoverOrphans();
      interval = clock.setInterval(() => void worker.runOnce(), intervalMs);
    },
    async stop(timeoutMs = 10_000) {
      clock.clearInterval(interval);
      interval = undefined;
      stopController.abort(new AbortedError('recovery worker stopping'));
      if (running) {
        let timer: TimerHandle | undefined;
        await Promise.race([running, new Promise<void>((r) => (timer = clock.setTimeout(r, timeoutMs)))]);
        clock.clearTimeout(timer);
      }
    },
    runOnce() {
      if (running) return Promise.resolve({ claimed: 0, completed: 0, retryLater: 0, failed: 0, skipped: true });
      const p = run()
        .catch((err: unknown) => {
          log.error({ err: errorMessage(err) }, 'recovery pass crashed');
          return { claimed: 0, completed: 0, retryLater: 0, failed: 0, skipped: false };
        })
        .finally(() => {
          running = undefined;
        });
      running = p;
      return p;
    },
  };
  return worker;
}
