// Runs one named job under the scheduler's rules: never two runs of the same job at once (skip and log), a
// failed attempt retried per the policy with backoff (core/retry.ts), a final failure logged and alerted (never
// dropped), and every run counted in the job metrics. The policy is data (STYLE rule 6).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { retry, type RetryPolicy } from '../core/retry.js';
import type { AlertPort } from '../core/alert.js';
import type { JobMetrics } from '../core/phases.js';

/** Job retries: 3 attempts, 30 s then 60 s apart (capped at 5 min), no jitter: one process, one job. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ attempts: 3, baseMs: 30_000, capMs: 300_000, jitterMs: 0 });

export function compileRetryPolicy(raw: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...raw };
  if (!Number.isInteger(p.attempts) || p.attempts < 1) throw new RangeError(`retry.attempts must be an integer >= 1 (got ${p.attempts})`);
  if (p.baseMs < 0 || p.capMs < p.baseMs || p.jitterMs < 0) throw new RangeError('retry delays must satisfy 0 <= baseMs <= capMs and jitterMs >= 0');
  return Object.freeze(p);
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
    let attempts = 0;
    try {
      const value = await retry(
        (n) => {
          attempts = n;
          this.logger.info({ ...fields, attempt: n }, `job ${name} started`);
          return attempt(n);
        },
        {
          policy: opts.retry,
          clock: this.clock,
          signal: opts.signal,
          what: `job ${name}`,
          ...(opts.retryUntilEpochMs !== undefined ? { retryUntilEpochMs: opts.retryUntilEpochMs } : {}),
          onRetry: ({ attempt: n, delayMs, error }) => {
            this.logger.warn({ ...fields, attempt: n, err: errorMessage(error), retryInMs: delayMs }, `job ${name} failed; retrying`);
            this.metrics?.observeJob(name, 'retry');
          },
        },
      );
      const durationMs = this.clock.monotonicMs() - started;
      this.logger.info({ ...fields, attempt: attempts, durationMs }, `job ${name} finished`);
      this.metrics?.observeJob(name, 'ok', durationMs / 1000);
      return { outcome: 'ok', value, attempts, durationMs };
    } catch (error) {
      if (opts.signal.aborted) return this.interrupted(name, attempts, started, fields);
      const durationMs = this.clock.monotonicMs() - started;
      this.logger.error({ ...fields, attempts, err: errorMessage(error) }, `job ${name} failed after ${attempts} attempt(s)`);
      this.metrics?.observeJob(name, 'failed', durationMs / 1000);
      await this.alert(name, attempts, error);
      return { outcome: 'failed', error, attempts, durationMs };
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
