// The integrated scheduler (seed 004 IntegratedScheduler): cron triggers in Asia/Seoul fire the daily phases
// on KR trading days and the token check / broker re-init / holiday check every day. Every run goes through the
// JobRunner (no overlap, retry, alert, metrics); a finished phase is recorded so it never runs twice in a day.
// The triggers run on the injected Clock (clock-cron.ts), so a shifted or scaled clock (`kisd run --at
// --speed`) and fake timers move the schedule with everything else.
import { createClockCronTask, type ClockCronTask as ScheduledTask } from './clock-cron.js';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AbortedError, errorMessage } from '../core/errors.js';
import { formatKstTimestamp, kstAt, kstYmd } from '../core/kst.js';
import { JobRunner } from './job-runner.js';
import { compileSchedulePlan, type CompiledPhase, type SchedulePlan, type SchedulePlanOptions } from './phase-plan.js';
import { PhaseRecordStore } from './phase-records.js';
import { PhaseDependencies } from './phase-dependencies.js';
import type { AlertPort } from '../core/alert.js';
import type { JobMetrics, PhaseId, PhaseJob, PhaseTrigger } from '../core/phases.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import type { TokenWatch } from './token-watch.js';

export interface IntegratedSchedulerOptions extends SchedulePlanOptions {
  /** Data root: phases/, daily_selection/, calendar/ live under it. */
  dataDir: string;
}

export interface IntegratedSchedulerDeps {
  clock: Clock;
  logger: Logger;
  calendar: TradingCalendar & { refresh(signal?: AbortSignal): Promise<unknown> };
  jobs: Partial<Record<PhaseId, PhaseJob>>;
  tokenWatch?: TokenWatch;
  alerts?: AlertPort;
  metrics?: JobMetrics;
}

export type PhaseRunOutcome = 'done' | 'already-done' | 'not-trading-day' | 'disabled' | 'no-job' | 'failed' | 'overlap' | 'interrupted' | 'deferred' | 'stopped' | 'dependency-missed';

export interface LastPhase {
  phase: PhaseId;
  ymd: string;
  outcome: PhaseRunOutcome;
  at: string;
}

/** What this process last saw of one phase (the status page's phase table; records say what finished). */
export interface PhaseActivity {
  ymd: string;
  outcome: PhaseRunOutcome | 'running' | 'waiting';
  /** While waiting: the earlier phases it waits for. */
  waitingFor?: readonly PhaseId[];
  /** KST "YYYY-MM-DD HH:MM:SS" of the outcome (or of the start, while running). */
  at: string;
  startedAt?: string;
  /** Why it failed (the last attempt's error). */
  error?: string;
}

export class IntegratedScheduler {
  readonly plan: SchedulePlan;
  readonly records: PhaseRecordStore;
  private readonly runner: JobRunner;
  private readonly tasks: ScheduledTask[] = [];
  private readonly stopController = new AbortController();
  private reinitTask: ScheduledTask | undefined;
  private tokenCheckTask: ScheduledTask | undefined;
  private recovering = false;
  private deferred: PhaseId[] = [];
  private last: LastPhase | undefined;
  private readonly activity = new Map<PhaseId, PhaseActivity>();
  private readonly dependencies: PhaseDependencies;
  /**
   * Phases from the start of their job until their outcome is recorded. The job runner forgets a job when it
   * returns, before the completion record is written: a phase waiting for it that looked in between saw it
   * neither running nor done and gave up the day's selection and trading, and a second trigger could run it twice.
   */
  private readonly active = new Set<PhaseId>();

  constructor(
    readonly opts: IntegratedSchedulerOptions,
    private readonly deps: IntegratedSchedulerDeps,
  ) {
    this.plan = compileSchedulePlan(opts);
    this.records = new PhaseRecordStore(opts.dataDir, deps.clock, deps.logger);
    this.runner = new JobRunner(deps.clock, deps.logger, deps.alerts, deps.metrics);
    deps.tokenWatch?.setNextReinitProvider(() => this.reinitTask?.getNextRun()?.getTime());
    this.dependencies = new PhaseDependencies({
      clock: deps.clock,
      logger: deps.logger,
      records: this.records,
      phase: (id) => this.phase(id),
      hasJob: (id) => deps.jobs[id] !== undefined,
      inFlight: (id) => this.active.has(id) || this.runner.isRunning(id) || this.dependencies.isWaiting(id),
      stopSignal: this.stopController.signal,
      onWaiting: (id, ymd, waitingFor) => this.activity.set(id, { ymd, outcome: 'waiting', at: formatKstTimestamp(deps.clock.nowMs()), waitingFor }),
      ...(deps.alerts ? { alerts: deps.alerts } : {}),
    });
  }

  phase(id: PhaseId): CompiledPhase {
    const p = this.plan.phases.find((x) => x.id === id);
    if (!p) throw new Error(`unknown phase ${id}`);
    return p;
  }

  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /** Creates the cron tasks (Asia/Seoul) on the clock. Recovery is run separately, before or after. */
  async start(): Promise<void> {
    const log = this.deps.logger;
    const add = (_name: string, expr: string, fn: () => void): ScheduledTask => {
      // The callback returns at once: overlap and retries are ours (JobRunner).
      const task = createClockCronTask(expr, fn, this.deps.clock);
      this.tasks.push(task);
      return task;
    };
    for (const p of this.plan.phases) {
      if (p.enabled) add(p.id, p.cron, () => this.guard(`phase ${p.id}`, this.onPhaseCron(p.id)));
    }
    const watch = this.deps.tokenWatch;
    if (watch) {
      this.tokenCheckTask = add('token-check', this.plan.tokenCheckCron, () => this.guard('token check', this.runMaintenance('token-check', (signal) => watch.check(signal))));
      this.reinitTask = add('broker-reinit', this.plan.brokerReinitCron, () => this.guard('broker re-init', this.runMaintenance('broker-reinit', () => watch.periodicReinit())));
    }
    add('holiday-check', this.plan.holidayCheckCron, () => this.guard('holiday check', this.runMaintenance('holiday-check', (signal) => this.deps.calendar.refresh(signal))));
    for (const t of this.tasks) t.start();
    log.info({ phases: this.plan.phases.filter((p) => p.enabled).map((p) => `${p.id}@${p.cron}`), tokenCheck: this.plan.tokenCheckCron, brokerReinit: this.plan.brokerReinitCron }, 'scheduler started');
  }

  /**
   * Stops new triggers, aborts in-flight jobs (they checkpoint and return) and waits for them until `deadline`
   * aborts. Returns true when everything settled in time.
   */
  async stop(deadline?: AbortSignal): Promise<boolean> {
    for (const t of this.tasks.splice(0)) t.destroy();
    this.stopController.abort(new AbortedError('scheduler stopping'));
    const settled = this.runner.settled().then(() => true);
    if (!deadline) return settled;
    if (deadline.aborted) return this.runner.inFlight().length === 0;
    return Promise.race([settled, new Promise<boolean>((resolve) => deadline.addEventListener('abort', () => resolve(false), { once: true }))]);
  }

  lastPhase(): LastPhase | undefined {
    return this.last;
  }

  /** Jobs in flight (for /healthz and the stop log). */
  inFlight(): string[] {
    return this.runner.inFlight();
  }

  /** While recovery runs, cron phase triggers are queued and replayed afterwards (a recorded phase then skips). */
  beginRecovery(): void {
    this.recovering = true;
  }

  async endRecovery(): Promise<void> {
    this.recovering = false;
    const queued = this.deferred.splice(0);
    // A phase recovery already launched (an open session) is not triggered again; a recorded one skips itself.
    for (const id of queued) if (!this.runner.isRunning(id)) await this.runPhase(id, 'scheduled');
  }

  /**
   * A cron callback's promise must never reject unhandled (that would take the daemon down and, with no
   * completion record written, make restart recovery repeat the phase): log and alert instead.
   */
  private guard(what: string, work: Promise<unknown>): void {
    work.catch((err: unknown) => {
      this.deps.logger.error({ err }, `${what} failed outside its job (state files?); it will be retried at its next trigger or restart`);
      void Promise.resolve(this.deps.alerts?.send({ level: 'ERROR', key: `scheduler-internal:${what}`, title: `kisd scheduler: ${what} failed`, what: `${errorMessage(err)}. Check the data directory (disk full, permissions).` })).catch(() => undefined);
    });
  }

  private async onPhaseCron(id: PhaseId): Promise<void> {
    if (this.recovering) {
      this.deps.logger.info({ phase: id }, `phase ${id} trigger deferred until restart recovery finishes`);
      if (!this.deferred.includes(id)) this.deferred.push(id);
      this.note(id, kstYmd(this.deps.clock.nowMs()), 'deferred');
      return;
    }
    await this.runPhase(id, 'scheduled');
  }

  /**
   * Runs one phase for today (KST): skipped on non-trading days, when already recorded, or while running.
   * Resolves when the phase finished (for a session phase: at its end).
   */
  async runPhase(id: PhaseId, trigger: PhaseTrigger): Promise<PhaseRunOutcome> {
    const p = this.phase(id);
    const nowMs = this.deps.clock.nowMs();
    const ymd = kstYmd(nowMs);
    const log = this.deps.logger.child({ phase: id, ymd, trigger });
    if (this.stopController.signal.aborted) return this.note(id, ymd, 'stopped');
    if (!p.enabled) return this.note(id, ymd, 'disabled');
    if (p.tradingDaysOnly && !this.deps.calendar.isKrTradingDay(ymd)) {
      log.info(`phase ${id} skipped: ${ymd} is not a KR trading day`);
      this.deps.metrics?.observeJob(id, 'skipped');
      return this.note(id, ymd, 'not-trading-day');
    }
    const job = this.deps.jobs[id];
    if (!job) {
      log.warn(`phase ${id} has no job configured`);
      return this.note(id, ymd, 'no-job');
    }
    const done = await this.records.get(ymd, id);
    if (done) {
      log.info({ finishedAt: done.finishedAt }, `phase ${id} already done today at ${done.finishedAt}; not run again`);
      return this.note(id, ymd, 'already-done');
    }
    if (this.dependencies.isWaiting(id)) return this.note(id, ymd, 'overlap');
    if (this.active.has(id)) {
      log.info(`phase ${id} is running or recording its outcome; this trigger is skipped`);
      this.deps.metrics?.observeJob(id, 'overlap');
      return this.note(id, ymd, 'overlap');
    }
    const gate = await this.waitForDependencies(p, ymd, log);
    if (gate !== undefined) return gate;
    return this.runJob(p, job, ymd, trigger, log);
  }

  /** Waits for the phases `p` depends on; undefined when they are done, else the outcome to report. */
  private async waitForDependencies(p: CompiledPhase, ymd: string, log: Logger): Promise<PhaseRunOutcome | undefined> {
    if (p.dependsOn.length === 0) return undefined;
    const gate = await this.dependencies.await(p, ymd, log);
    if (gate.outcome === 'ready') return undefined;
    return this.note(p.id, ymd, gate.outcome, gate.reason);
  }

  private async runJob(p: CompiledPhase, job: PhaseJob, ymd: string, trigger: PhaseTrigger, log: Logger): Promise<PhaseRunOutcome> {
    const id = p.id;
    const nowMs = this.deps.clock.nowMs();
    // A window phase started late (restart recovery after its window, e.g. selection at 09:20) runs to
    // completion: an end already in the past must not abort it before it has done anything.
    const windowEnd = p.endsAtMin === undefined ? undefined : kstAt(nowMs, p.endsAtMin);
    const endsAtEpochMs = windowEnd !== undefined && windowEnd > nowMs ? windowEnd : undefined;
    const windowEndsAtEpochMs = p.windowEndsAtMin === undefined ? undefined : kstAt(nowMs, p.windowEndsAtMin);
    const sessionEnd = new AbortController();
    const endTimer = endsAtEpochMs === undefined ? undefined : this.deps.clock.setTimeout(() => sessionEnd.abort(new AbortedError(`session ${id} ended`)), endsAtEpochMs - nowMs);
    const signal = AbortSignal.any([this.stopController.signal, sessionEnd.signal]);
    const startedAt = formatKstTimestamp(nowMs);
    this.activity.set(id, { ymd, outcome: 'running', at: startedAt, startedAt });
    this.active.add(id);
    try {
      const running = this.runner.run(
        id,
        async (attempt) => {
          try {
            const value = await job.run({ phase: id, ymd, trigger, attempt, signal, logger: log, ...(endsAtEpochMs !== undefined ? { endsAtEpochMs } : {}), ...(windowEndsAtEpochMs !== undefined ? { windowEndsAtEpochMs } : {}) });
            // A session cut short by shutdown is not finished: no record, so the next start-up joins it again.
            if (p.session && !sessionEnd.signal.aborted && this.stopController.signal.aborted) throw new AbortedError(`session ${id} interrupted`);
            return value;
          } catch (err) {
            // A session job that stops by throwing at its end has finished normally.
            if (sessionEnd.signal.aborted && !this.stopController.signal.aborted) return undefined;
            throw err;
          }
        },
        { signal: this.stopController.signal, retry: this.plan.retry, logFields: { phase: id, ymd, trigger }, ...(endsAtEpochMs !== undefined ? { retryUntilEpochMs: endsAtEpochMs } : {}) },
      );
      this.dependencies.started(id);
      const result = await running;
      if (result.outcome === 'ok') {
        const detail = result.value && typeof result.value === 'object' ? (result.value as Record<string, unknown>) : undefined;
        await this.records.markDone(ymd, id, { trigger, attempts: result.attempts, durationMs: result.durationMs, ...(detail ? { detail } : {}) });
        log.info({ detail }, `phase ${id} done for ${ymd} (recorded)`);
        this.active.delete(id);
        return this.note(id, ymd, 'done');
      }
      this.active.delete(id);
      return this.note(id, ymd, result.outcome, result.outcome === 'failed' ? errorMessage(result.error) : undefined);
    } finally {
      this.deps.clock.clearTimeout(endTimer);
      // Writing the record failed: whatever waits for this phase must look again (it is no longer in flight).
      if (this.active.delete(id)) this.dependencies.notify();
    }
  }

  private async runMaintenance(name: string, fn: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
    await this.runner.run(name, () => fn(this.stopController.signal), { signal: this.stopController.signal, retry: this.plan.retry });
  }

  /** When the next token check and periodic broker re-init fire (epoch ms), once started. */
  nextMaintenance(): { tokenCheckAtMs?: number; brokerReinitAtMs?: number } {
    const check = this.tokenCheckTask?.getNextRun()?.getTime();
    const reinit = this.reinitTask?.getNextRun()?.getTime();
    return { ...(check !== undefined ? { tokenCheckAtMs: check } : {}), ...(reinit !== undefined ? { brokerReinitAtMs: reinit } : {}) };
  }

  /** The last outcome this process saw per phase (any day; callers compare ymd). */
  phaseActivity(): ReadonlyMap<PhaseId, PhaseActivity> {
    return this.activity;
  }

  private note(phase: PhaseId, ymd: string, outcome: PhaseRunOutcome, error?: string): PhaseRunOutcome {
    this.dependencies.notify(); // a phase finished or gave up: whatever waits for it looks again
    const at = formatKstTimestamp(this.deps.clock.nowMs());
    this.last = { phase, ymd, outcome, at };
    const prev = this.activity.get(phase);
    // A trigger that finds the phase already running or done must not hide what it is doing or did.
    if (!(outcome === 'overlap' || (outcome === 'already-done' && prev?.ymd === ymd && prev.outcome === 'done'))) {
      this.activity.set(phase, { ymd, outcome, at, ...(prev?.ymd === ymd && prev.startedAt ? { startedAt: prev.startedAt } : {}), ...(error ? { error } : {}) });
    }
    return outcome;
  }
}
