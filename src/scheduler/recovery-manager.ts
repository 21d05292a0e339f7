// Restart recovery (seed 004 RecoveryManager, crash-only start-up, STYLE rule 8): from the KST time of day and the
// trading calendar decide which of today's phases should already be done, check the evidence (completion records;
// for selection the batch files themselves), then run exactly the missing phases in order and join the trading
// session if it is open. One readable summary line per phase says what was decided and why.
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { kstMinuteOfDay, kstWeekday, kstYmd } from '../core/kst.js';
import { scanBatches, type BatchState } from '../store/batch-files.js';
import type { IntegratedScheduler, PhaseRunOutcome } from './integrated-scheduler.js';
import type { CompiledPhase } from './phase-plan.js';
import type { PhaseRecord } from './phase-records.js';
import { PHASE_ORDER, type PhaseId } from '../core/phases.js';
import type { TradingCalendar } from '../core/trading-calendar.js';

export type RecoveryDecisionKind = 'run' | 'join' | 'done' | 'wait' | 'expired' | 'skip';

export interface PhaseDecision {
  phase: PhaseId;
  decision: RecoveryDecisionKind;
  reason: string;
  /** Batch files moved aside while checking the evidence. */
  quarantined?: string[];
  /** Outcome of the run (for run); a join resolves later through `sessions`. */
  outcome?: PhaseRunOutcome;
}

export interface RecoveryReport {
  ymd: string;
  decisions: PhaseDecision[];
  /** Session phases joined in the background; each resolves at the session's end. */
  sessions: Promise<PhaseRunOutcome>[];
}

const WEEKDAY = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function hhmm(min: number): string {
  return min >= 1440 ? '24:00' : `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** `recovery phase=selection decision=run reason="batch_2.json stale (date 20261120)"` */
export function formatDecision(d: PhaseDecision): string {
  return `recovery phase=${d.phase} decision=${d.decision} reason=${JSON.stringify(d.reason)}`;
}

export class RecoveryManager {
  constructor(
    private readonly scheduler: IntegratedScheduler,
    private readonly deps: { clock: Clock; logger: Logger; calendar: TradingCalendar & { refresh(signal?: AbortSignal): Promise<unknown> }; dataDir: string; alerts?: AlertPort },
  ) {}

  /** Decides one phase at the current instant (quarantining corrupt batch files on the way). */
  async decide(id: PhaseId): Promise<PhaseDecision> {
    const p = this.scheduler.phase(id);
    const nowMs = this.deps.clock.nowMs();
    const ymd = kstYmd(nowMs);
    const nowMin = kstMinuteOfDay(nowMs);
    if (!p.enabled) return { phase: id, decision: 'skip', reason: 'phase disabled' };
    if (p.tradingDaysOnly && !this.deps.calendar.isKrTradingDay(ymd)) {
      const wd = kstWeekday(nowMs);
      return { phase: id, decision: 'skip', reason: wd >= 6 ? `${ymd} is a weekend (${WEEKDAY[wd]})` : `${ymd} is a KR market holiday` };
    }
    if (nowMin < p.atMin) return { phase: id, decision: 'wait', reason: `scheduled at ${hhmm(p.atMin)}` };
    const record = await this.scheduler.records.get(ymd, id);
    if (id === 'selection') return this.decideSelection(p, ymd, nowMs, nowMin, record);
    if (record) return { phase: id, decision: 'done', reason: `done at ${record.finishedAt} (${record.trigger})` };
    return this.missing(p, nowMin, 'no completion record');
  }

  private missing(p: CompiledPhase, nowMin: number, why: string, quarantined?: string[]): PhaseDecision {
    const q = quarantined && quarantined.length > 0 ? { quarantined } : {};
    if (nowMin >= p.lateStartUntilMin) {
      const reason = p.session ? `session ${hhmm(p.atMin)}-${hhmm(p.endsAtMin ?? p.lateStartUntilMin)} is over; ${why}` : `missed: late start allowed until ${hhmm(p.lateStartUntilMin)}; ${why}`;
      return { phase: p.id, decision: 'expired', reason, ...q };
    }
    if (p.session) return { phase: p.id, decision: 'join', reason: `session open until ${hhmm(p.endsAtMin ?? p.lateStartUntilMin)}; ${why}`, ...q };
    return { phase: p.id, decision: 'run', reason: `due at ${hhmm(p.atMin)}; ${why}`, ...q };
  }

  private async decideSelection(p: CompiledPhase, ymd: string, nowMs: number, nowMin: number, record: PhaseRecord | undefined): Promise<PhaseDecision> {
    const count = typeof record?.detail?.['batchCount'] === 'number' ? (record.detail['batchCount'] as number) : undefined;
    const { states, quarantined } = await scanBatches(this.deps.dataDir, ymd, nowMs, record ? count : undefined);
    const bad = states.filter((s): s is Extract<BatchState, { reason: string }> => s.status !== 'valid');
    const badText = bad.map((s) => s.reason + (s.status === 'corrupt' || s.status === 'empty' ? ', quarantined' : '')).join('; ');
    if (record && count !== undefined && bad.length === 0) {
      return { phase: 'selection', decision: 'done', reason: `done at ${record.finishedAt}; ${count} batch file(s) valid` };
    }
    if (record) {
      // The record says done but the files disagree: the files win, the record goes.
      await this.scheduler.records.clear(ymd, 'selection');
      return this.missing(p, nowMin, count === undefined ? 'completion record without a batch count' : badText, quarantined);
    }
    const valid = states.length - bad.length;
    const why = states.length === 0 ? 'no batch files' : `no completion record; ${valid} valid batch file(s) kept${bad.length ? `; ${badText}` : ''}`;
    return this.missing(p, nowMin, why, quarantined);
  }

  /**
   * Refreshes the calendar, then walks the phases in order, deciding each at the moment it is reached (time
   * moves while earlier phases run), running missing phases and joining an open session in the background.
   * Cron triggers that fire meanwhile are deferred by the scheduler and replayed afterwards.
   */
  async recover(): Promise<RecoveryReport> {
    const log = this.deps.logger;
    const decisions: PhaseDecision[] = [];
    const sessions: Promise<PhaseRunOutcome>[] = [];
    // Defer cron phase triggers from the very start: one may fire while the calendar refreshes.
    this.scheduler.beginRecovery();
    let ymd = kstYmd(this.deps.clock.nowMs());
    try {
      await this.deps.calendar.refresh(this.scheduler.stopSignal);
      ymd = kstYmd(this.deps.clock.nowMs());
      for (const id of PHASE_ORDER) {
        if (this.scheduler.stopSignal.aborted) break;
        const d = await this.decide(id);
        decisions.push(d);
        const level = d.decision === 'expired' ? 'warn' : 'info';
        log[level]({ phase: d.phase, decision: d.decision, reason: d.reason, quarantined: d.quarantined }, formatDecision(d));
        if (d.decision === 'run') {
          d.outcome = await this.scheduler.runPhase(id, 'recovery');
          log.info({ phase: id, outcome: d.outcome }, `recovery phase=${id} outcome=${d.outcome}`);
        } else if (d.decision === 'join') {
          sessions.push(this.scheduler.runPhase(id, 'recovery'));
        }
      }
    } finally {
      await this.scheduler.endRecovery();
    }
    await this.alertExpired(ymd, decisions.filter((d) => d.decision === 'expired'));
    log.info({ ymd, ran: decisions.filter((d) => d.decision === 'run').map((d) => d.phase), joined: decisions.filter((d) => d.decision === 'join').map((d) => d.phase) }, 'restart recovery finished');
    return { ymd, decisions, sessions };
  }

  /**
   * Phases of a trading day that never ran and whose window is over (kisd was down, or a crash interrupted the
   * session): the day lost them, so the operator is told once per start-up, naming each — not only a log line.
   */
  private async alertExpired(ymd: string, expired: readonly PhaseDecision[]): Promise<void> {
    if (expired.length === 0 || !this.deps.alerts) return;
    const names = expired.map((d) => d.phase).join(', ');
    try {
      await this.deps.alerts.send({
        level: 'WARNING',
        key: `recovery.expired:${ymd}:${names}`,
        title: `kisd: ${names} did not run on ${ymd} and can no longer start today`,
        what: expired.map((d) => `${d.phase}: ${d.reason}`).join('; '),
        tried: 'Restart recovery ran every phase still due and joined an open session; these were past their late-start time.',
        nextSteps: 'Look at the log for why kisd was down or the phase did not finish; tomorrow runs normally.',
      });
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err) }, 'alert sink failed');
    }
  }
}

