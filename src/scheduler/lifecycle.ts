// Daemon lifecycle: ordered start-up of registered components and a graceful stop within a deadline — the
// scheduler (registered last) stops first: no new jobs, in-flight work awaited or checkpointed; then every other
// component in reverse order. The composition root wires SIGTERM/SIGINT to stopAll and exits non-zero when late.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AbortedError, errorMessage } from '../core/errors.js';

export interface LifecycleComponent {
  name: string;
  start?(signal: AbortSignal): Promise<void> | void;
  /** `deadline` aborts when the overall stop deadline passes; finish (or checkpoint) before that. */
  stop?(deadline: AbortSignal): Promise<unknown> | unknown;
}

export interface StopReport {
  /** Every component stopped before the deadline. */
  inTime: boolean;
  elapsedMs: number;
  /** Components still stopping when the deadline passed, or reached after it. */
  timedOut: string[];
  failed: { name: string; error: string }[];
}

/** systemd's TimeoutStopSec must exceed this plus the log flush (deploy/kisd.service uses 30 s). */
export const DEFAULT_STOP_DEADLINE_MS = 20_000;

export class Lifecycle {
  private readonly components: LifecycleComponent[] = [];
  private readonly started: LifecycleComponent[] = [];
  private readonly startAbort = new AbortController();
  private stopping: Promise<StopReport> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  register(component: LifecycleComponent): this {
    if (this.components.some((c) => c.name === component.name)) throw new Error(`component ${component.name} registered twice`);
    this.components.push(component);
    return this;
  }

  /** Starts components in registration order; on a failure stops the started ones (reverse) and rethrows. */
  async startAll(): Promise<void> {
    for (const c of this.components) {
      if (this.startAbort.signal.aborted) throw new AbortedError('start-up interrupted by stop');
      const t0 = this.clock.monotonicMs();
      try {
        await c.start?.(this.startAbort.signal);
      } catch (err) {
        this.logger.error({ stage: c.name, err: errorMessage(err) }, `component ${c.name} failed to start`);
        await this.stopAll();
        throw err;
      }
      this.started.push(c);
      this.logger.info({ stage: c.name, durationMs: this.clock.monotonicMs() - t0 }, `component ${c.name} started`);
    }
  }

  /** Idempotent: a second call (second signal) returns the same report. */
  stopAll(deadlineMs: number = DEFAULT_STOP_DEADLINE_MS): Promise<StopReport> {
    this.stopping ??= this.doStop(deadlineMs);
    return this.stopping;
  }

  private async doStop(deadlineMs: number): Promise<StopReport> {
    this.startAbort.abort(new AbortedError('stopping'));
    const t0 = this.clock.monotonicMs();
    const deadline = new AbortController();
    const timer = this.clock.setTimeout(() => deadline.abort(new AbortedError(`stop deadline ${deadlineMs} ms passed`)), deadlineMs);
    const deadlinePassed = new Promise<'deadline'>((resolve) => {
      if (deadline.signal.aborted) resolve('deadline');
      deadline.signal.addEventListener('abort', () => resolve('deadline'), { once: true });
    });
    const timedOut: string[] = [];
    const failed: { name: string; error: string }[] = [];
    this.logger.info({ deadlineMs, components: this.started.map((c) => c.name).reverse() }, 'stopping');
    try {
      for (const c of this.started.splice(0).reverse()) {
        // Past the deadline each remaining component still gets its (already aborted) signal, but no wait.
        const stopping = Promise.resolve()
          .then(() => c.stop?.(deadline.signal))
          .then(
            () => 'ok' as const,
            (err: unknown) => {
              failed.push({ name: c.name, error: errorMessage(err) });
              this.logger.error({ stage: c.name, err: errorMessage(err) }, `component ${c.name} failed to stop cleanly`);
              return 'failed' as const;
            },
          );
        const result = deadline.signal.aborted ? await Promise.race([stopping, Promise.resolve('deadline' as const)]) : await Promise.race([stopping, deadlinePassed]);
        if (result === 'deadline') {
          timedOut.push(c.name);
          this.logger.warn({ stage: c.name }, `component ${c.name} did not stop before the deadline`);
        }
      }
    } finally {
      this.clock.clearTimeout(timer);
    }
    const elapsedMs = this.clock.monotonicMs() - t0;
    const report: StopReport = { inTime: timedOut.length === 0, elapsedMs, timedOut, failed };
    this.logger[report.inTime ? 'info' : 'warn']({ ...report }, report.inTime ? 'stopped' : 'stop deadline passed');
    return report;
  }
}
