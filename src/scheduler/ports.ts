// The small ports the scheduler depends on (STYLE rule 3). The composition root (`kisd run`) adapts the real
// token manager, REST client, feed and alert dispatcher onto these; tests use `Fake…` doubles.
import type { Logger } from 'pino';

/** One day of the KIS holiday check (chk-holiday CTCA0903R): `isOpen` = opnd_yn === 'Y'. */
export interface HolidayDay {
  /** "YYYYMMDD" */
  ymd: string;
  isOpen: boolean;
}

/** Fetches the run of days KIS returns from `fromYmd` onwards (one call per day is the documented budget). */
export interface HolidaySource {
  fetchKrHolidayRun(fromYmd: string, signal?: AbortSignal): Promise<HolidayDay[]>;
}

export interface TokenCheckResult {
  /** Validity left on the current access token, ms (after any refresh). */
  remainingMs: number;
  /** The token differs from the one seen at the previous check (refreshed here or by another process). */
  changed: boolean;
  /** This check issued a new token because less than the refresh margin was left. */
  refreshed: boolean;
}

/** Ensures a valid token (refreshing under the margin) and reports what it saw. */
export interface TokenCheck {
  check(signal?: AbortSignal): Promise<TokenCheckResult>;
}

export type BrokerReinitReason = 'token-changed' | 'periodic' | 'manual';

/** Rebuilds broker sessions (HTTP pools, cached headers) without issuing a token (seed 003). */
export interface BrokerReinit {
  reinit(reason: BrokerReinitReason): Promise<void>;
}

export type AlertLevel = 'info' | 'warning' | 'error' | 'critical';

/** Alert dispatcher port; `key` lets the dispatcher deduplicate repeats. */
export interface AlertSink {
  alert(alert: { level: AlertLevel; key: string; title: string; body: string }): Promise<void> | void;
}

/** Job metrics port, implemented by KisdMetrics in src/health. */
export interface JobMetrics {
  observeJob(job: string, outcome: JobOutcome, durationSec?: number): void;
}

export type JobOutcome = 'ok' | 'failed' | 'retry' | 'skipped' | 'overlap' | 'interrupted';

export type PhaseId = 'screening' | 'selection' | 'kr-feed' | 'trading' | 'market-close' | 'us-feed' | 'daily-report';

/** Phases in their daily order (recovery runs missing ones in this order). */
export const PHASE_ORDER: readonly PhaseId[] = ['screening', 'selection', 'kr-feed', 'trading', 'market-close', 'us-feed', 'daily-report'];

export type PhaseTrigger = 'scheduled' | 'recovery' | 'manual';

export interface PhaseContext {
  phase: PhaseId;
  /** KST trading day "YYYYMMDD" the run belongs to. */
  ymd: string;
  trigger: PhaseTrigger;
  /** 1-based attempt number under the retry policy. */
  attempt: number;
  /**
   * Aborted on daemon stop (checkpoint and return) and, for session phases, at the session end
   * (`endsAtEpochMs`), which is the normal way a session finishes.
   */
  signal: AbortSignal;
  /** Session end for session phases (trading), epoch ms. */
  endsAtEpochMs?: number;
  /** Soft end of the phase's window (e.g. selection until 09:00), epoch ms; the job decides what to do. */
  windowEndsAtEpochMs?: number;
  logger: Logger;
}

/** Anything returned is stored in the phase completion record as `detail` (keep it small, JSON). */
export type PhaseResult = Record<string, unknown> | void;

export interface PhaseJob {
  run(ctx: PhaseContext): Promise<PhaseResult>;
}
