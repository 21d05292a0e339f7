// Runs one named job under the scheduler's rules: never two runs of the same job at once (skip and log), a
// failed attempt retried per the policy with backoff, a final failure logged and alerted (never dropped), and
// every run counted in the job metrics. The policy is data (STYLE rule 6).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { AlertPort } from '../core/alert.js';
import type { JobMetrics } from '../core/phases.js';

export interface RetryPolicy {
  /** Total attempts including the first; default 3. */
  attempts: number;
  /** Delay before the 2nd attempt, doubled each time; default 30 000 ms. */
  baseDelayMs: number;
  /** Cap on one delay; default 300 000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ attempts: 3, baseDelayMs: 30_000, maxDelayMs: 300_000 });

export function compileRetryPolicy(raw: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...raw };
  if (!Number.isInteger(p.attempts) || p.attempts < 1) throw new RangeError(`retry.attempts must be an integer >= 1 (got ${p.attempts})`);
  if (p.baseDelayMs < 0 || p.maxDelayMs < p.baseDelayMs) throw new RangeError('retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs');
  return Object.freeze(p);
}

/** Delay after failed attempt `attempt` (1-based): base·2^(attempt-1), capped. No jitter: one process, one job. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

export type JobRunResult<T> =
  | { outcome: 'ok'; value: T; attempts: number; durationMs: number }
  | { outcome: 'failed'; error: unknown; attempts: number; durationMs: number }
  | { outcome: 'overlap' }
  | { outcome: 'interrupted'; attempts: number };

export interface JobRunOptions {
  /** Aborting it (daemon stop) interrupts the job: no retry, no alert. */
  signal: AbortSignal;
  retry: RetryPolicy;
  /** No new attempt starts at or after this instant (e.g. a session's end), epoch ms. */
  retryUntilEpochMs?: number;
  /** Extra fields for every log line of this run. */
  logFields?: Record<string, unknown>;
}

export class JobRunner {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly alerts?: AlertPort,
    private readonly metrics?: JobMetrics,
  ) {}

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Names of the jobs in flight. */
  inFlight(): string[] {
    return [...this.running.keys()];
  }

  /** Resolves when every job in flight has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  run<T>(name: string, attempt: (n: number) => Promise<T>, opts: JobRunOptions): Promise<JobRunResult<T>> {
    if (this.running.has(name)) {
      this.logger.warn({ job: name, ...opts.logFields }, `job ${name} still running; this trigger is skipped`);
      this.metrics?.observeJob(name, 'overlap');
      return Promise.resolve({ outcome: 'overlap' });
    }
    const promise = this.loop(name, attempt, opts).finally(() => this.running.delete(name));
    this.running.set(name, promise);
    return promise;
  }

  private async loop<T>(name: string, attempt: (n: number) => Promise<T>, opts: JobRunOptions): Promise<JobRunResult<T>> {
    const started = this.clock.monotonicMs();
    const fields = { job: name, ...opts.logFields };
    for (let n = 1; ; n++) {
      if (opts.signal.aborted) return this.interrupted(name, n - 1, started, fields);
      try {
        this.logger.info({ ...fields, attempt: n }, `job ${name} started`);
        const value = await attempt(n);
        const durationMs = this.clock.monotonicMs() - started;
        this.logger.info({ ...fields, attempt: n, durationMs }, `job ${name} finished`);
        this.metrics?.observeJob(name, 'ok', durationMs / 1000);
        return { outcome: 'ok', value, attempts: n, durationMs };
      } catch (error) {
        if (opts.signal.aborted) return this.interrupted(name, n, started, fields);
        const delayMs = retryDelayMs(opts.retry, n);
        const nextAt = this.clock.nowMs() + delayMs;
        const canRetry = n < opts.retry.attempts && (opts.retryUntilEpochMs === undefined || nextAt < opts.retryUntilEpochMs);
        if (canRetry) {
          this.logger.warn({ ...fields, attempt: n, err: errorMessage(error), retryInMs: delayMs }, `job ${name} failed; retrying`);
          this.metrics?.observeJob(name, 'retry');
          try {
            await this.clock.sleep(delayMs, opts.signal);
          } catch {
            return this.interrupted(name, n, started, fields);
          }
          continue;
        }
        const durationMs = this.clock.monotonicMs() - started;
        this.logger.error({ ...fields, attempts: n, err: errorMessage(error) }, `job ${name} failed after ${n} attempt(s)`);
        this.metrics?.observeJob(name, 'failed', durationMs / 1000);
        await this.alert(name, n, error);
        return { outcome: 'failed', error, attempts: n, durationMs };
      }
    }
  }

  private interrupted<T>(name: string, attempts: number, started: number, fields: Record<string, unknown>): JobRunResult<T> {
    this.logger.warn({ ...fields, attempts, durationMs: this.clock.monotonicMs() - started }, `job ${name} interrupted by shutdown`);
    this.metrics?.observeJob(name, 'interrupted');
    return { outcome: 'interrupted', attempts };
  }

  private async alert(name: string, attempts: number, error: unknown): Promise<void> {
    if (!this.alerts) return;
    try {
      await this.alerts.send({
        level: 'ERROR',
        key: `scheduler.job-failed.${name}`,
        title: `kisd job ${name} failed`,
        what: `${name} failed after ${attempts} attempt(s): ${errorMessage(error)}`,
      });
    } catch (err) {
      // A failing alert sink must not take the scheduler down; the error line above is already logged.
      this.logger.error({ job: name, err: errorMessage(err) }, 'alert sink failed');
    }
  }
}
