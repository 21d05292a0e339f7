// Late phases (issue 9 item 3): a phase whose inputs come from an earlier phase (selection ← screening, trading ←
// selection) waits for it instead of failing its retries within 90 s and losing the day. It waits while the
// earlier phase is still running (or itself waiting), until its own late-start limit (selection and trading:
// the session end); it gives up at once when the earlier phase is neither done nor in flight (it failed: a
// restart's recovery re-runs it). A phase that gave up is not recorded done, so a restart still runs it. The
// operator gets one alert per day per late phase at the root of the chain (screening late → selection and
// trading wait: one alert naming screening).
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { formatKstTimestamp, kstAt } from '../core/kst.js';
import type { PhaseId } from '../core/phases.js';
import type { CompiledPhase } from './phase-plan.js';
import type { PhaseRecordStore } from './phase-records.js';

export type DependencyGate = { outcome: 'ready' } | { outcome: 'dependency-missed' | 'stopped'; reason: string };

export interface PhaseDependenciesDeps {
  clock: Clock;
  logger: Logger;
  records: PhaseRecordStore;
  phase(id: PhaseId): CompiledPhase;
  /** A job of this id exists (a dependency without one cannot be waited for and is ignored). */
  hasJob(id: PhaseId): boolean;
  /** The phase is running or waiting in this process now. */
  inFlight(id: PhaseId): boolean;
  stopSignal: AbortSignal;
  alerts?: AlertPort;
  /** The phase starts (or goes on) waiting for these (the status page's "waiting for …"). */
  onWaiting?(id: PhaseId, ymd: string, waitingFor: readonly PhaseId[]): void;
}

function hhmm(min: number): string {
  return min >= 1440 ? '24:00' : `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

export class PhaseDependencies {
  private readonly waiters = new Set<() => void>();
  /** Phases waiting now, with what they wait for. */
  private readonly waitingOn = new Map<PhaseId, PhaseId[]>();
  /** Per day: the late phase at the root of each waiting or given-up phase's chain, and the roots alerted. */
  private day: { ymd: string; rootOf: Map<PhaseId, PhaseId>; alerted: Set<PhaseId> } = { ymd: '', rootOf: new Map(), alerted: new Set() };

  constructor(private readonly d: PhaseDependenciesDeps) {}

  /** Bumped by every notify(): a wake-up that comes while a waiter is busy (reading records, alerting) is not lost. */
  private generation = 0;

  /** Something finished or gave up: waiting phases look again. */
  notify(): void {
    this.generation++;
    for (const w of [...this.waiters]) w();
  }

  isWaiting(id: PhaseId): boolean {
    return this.waitingOn.has(id);
  }

  /** Resolves 'ready' once every dependency of `p` is recorded done today. */
  async await(p: CompiledPhase, ymd: string, log: Logger): Promise<DependencyGate> {
    const deps = p.dependsOn.filter((id) => this.d.phase(id).enabled && this.d.hasJob(id));
    if (deps.length === 0) return { outcome: 'ready' };
    if (this.day.ymd !== ymd) this.day = { ymd, rootOf: new Map(), alerted: new Set() };
    let ready = false;
    try {
      for (;;) {
        const seen = this.generation;
        const missing: PhaseId[] = [];
        for (const id of deps) if (!(await this.d.records.get(ymd, id))) missing.push(id);
        // Still counted in flight until its job has started (started()), so a phase waiting for this one does not
        // see it neither waiting nor running in between.
        if (missing.length === 0) return ((ready = true), { outcome: 'ready' });
        if (this.d.stopSignal.aborted) return { outcome: 'stopped', reason: 'the daemon is stopping' };
        const root = this.day.rootOf.get(missing[0]!) ?? missing[0]!;
        this.day.rootOf.set(p.id, root);
        const deadlineMs = kstAt(this.d.clock.nowMs(), p.lateStartUntilMin);
        const failed = missing.filter((id) => !this.d.inFlight(id));
        if (failed.length > 0 || this.d.clock.nowMs() >= deadlineMs) {
          const reason = failed.length > 0
            ? `${failed.join(', ')} did not finish today and is not running (a restart re-runs it while its late-start time allows)`
            : `${missing.join(', ')} still not finished at ${hhmm(p.lateStartUntilMin)}, the latest ${p.id} may start`;
          log.error({ waitingFor: missing, root }, `phase ${p.id} not run: ${reason}`);
          await this.alertOnce(root, p, missing, 'cannot run', reason);
          return { outcome: 'dependency-missed', reason };
        }
        const first = !this.waitingOn.has(p.id);
        // Marked waiting before anything is awaited: a phase depending on this one must see it in flight.
        this.waitingOn.set(p.id, missing);
        this.d.onWaiting?.(p.id, ymd, missing);
        if (first) {
          log.warn({ waitingFor: missing, root, until: hhmm(p.lateStartUntilMin) }, `phase ${p.id} waits for ${missing.join(', ')} (until ${hhmm(p.lateStartUntilMin)})`);
          await this.alertOnce(root, p, missing, 'waits for it', `${p.id} waits for it until ${hhmm(p.lateStartUntilMin)} and runs as soon as it finishes`);
        }
        if (this.generation === seen) await this.sleepUntilNotified(deadlineMs);
      }
    } finally {
      if (!ready) this.waitingOn.delete(p.id);
    }
  }

  /** The phase's job has started (the job runner counts it as running now): it no longer waits. */
  started(id: PhaseId): void {
    this.waitingOn.delete(id);
  }

  private sleepUntilNotified(deadlineMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.d.clock.clearTimeout(timer);
        this.waiters.delete(done);
        this.d.stopSignal.removeEventListener('abort', done);
        resolve();
      };
      const timer: TimerHandle = this.d.clock.setTimeout(done, Math.max(0, deadlineMs - this.d.clock.nowMs()));
      this.waiters.add(done);
      this.d.stopSignal.addEventListener('abort', done, { once: true });
    });
  }

  /** One alert per day per late root phase, whichever dependent notices it first. */
  private async alertOnce(root: PhaseId, p: CompiledPhase, missing: readonly PhaseId[], verb: string, consequence: string): Promise<void> {
    if (this.day.alerted.has(root) || !this.d.alerts) return;
    this.day.alerted.add(root);
    const r = this.d.phase(root);
    const now = formatKstTimestamp(this.d.clock.nowMs());
    try {
      await this.d.alerts.send({
        level: 'WARNING',
        key: `scheduler.phase-late:${this.day.ymd}:${root}`,
        title: `kisd: ${root} is late (due ${hhmm(r.atMin)}); ${p.id} ${verb}`,
        what: `${root} (due ${hhmm(r.atMin)}) has not finished at ${now}; ${p.id} needs ${missing.join(', ')}: ${consequence}.`,
        tried: 'The dependent phases wait for it instead of failing; nothing is recorded done without its input.',
        nextSteps: `Look at ${root} in the log and on the status page; if it failed, a restart (sudo systemctl restart kisd) runs it again.`,
      });
    } catch (err) {
      this.d.logger.error({ err: errorMessage(err) }, 'alert sink failed');
    }
  }
}
