// The declared slot for scheduled jobs: one row per daily phase. The scheduler plans from this table (order,
// default times, session and window ends), the config schema builds its time fields from it, and `kisd status`
// labels phases with it. Adding a scheduled job = a row here + the job (a PhaseJob) + one line in the
// composition root's job map (src/daemon/trading-wiring.ts); the compiler points at anything else.
import type { Logger } from 'pino';

/** Where a phase time is configured: `<section>.<key>` in the YAML, with its default "HH:MM" KST. */
export interface PhaseTimeSetting {
  readonly section: 'scheduler' | 'feed';
  readonly key: string;
  readonly default: string;
}

export interface PhaseDeclaration {
  readonly id: string;
  /** For people: `kisd status`, logs and docs. */
  readonly label: string;
  readonly at: PhaseTimeSetting;
  /** Session phases only: the job's signal aborts then, which is the session's normal end. */
  readonly endsAt?: PhaseTimeSetting;
  /** Soft end of the phase's window, handed to the job (selection: 09:00). */
  readonly windowEndsAt?: PhaseTimeSetting;
  /**
   * Latest time restart recovery may still start a missed run, read from another phase's setting (e.g. the
   * session end); default the phase's own session end, else midnight.
   */
  readonly lateStartUntil?: PhaseTimeSetting;
  /** Default true: runs on KR trading days only. */
  readonly tradingDaysOnly?: boolean;
  /**
   * Earlier phases whose output this one needs: it waits for them (until its own late-start limit) instead of
   * failing, and is not recorded done without them.
   */
  readonly dependsOn?: readonly string[];
}

/** The daily phases in order (seed 004 §2.4); restart recovery runs missing ones in this order. */
export const PHASES = [
  // Screening and selection may still start late (until the session ends): a late selection lets the
  // session trade; set lateStartUntil "09:00" for the seed's stricter 07:00–09:00 recovery window.
  {
    id: 'screening',
    label: 'collect daily bars and investor flows, rank the universe',
    at: { section: 'scheduler', key: 'screening_at', default: '06:00' },
    lateStartUntil: { section: 'scheduler', key: 'trading_until', default: '15:30' },
  },
  {
    id: 'selection',
    label: "write today's selection batches",
    at: { section: 'scheduler', key: 'selection_from', default: '07:00' },
    windowEndsAt: { section: 'scheduler', key: 'selection_until', default: '09:00' },
    lateStartUntil: { section: 'scheduler', key: 'trading_until', default: '15:30' },
    dependsOn: ['screening'],
  },
  {
    id: 'kr-feed',
    label: 'realtime feed switches to KR',
    at: { section: 'feed', key: 'kr_open', default: '08:30' },
    lateStartUntil: { section: 'feed', key: 'us_open', default: '16:30' },
  },
  {
    id: 'trading',
    label: 'trading session',
    at: { section: 'scheduler', key: 'trading_from', default: '09:00' },
    endsAt: { section: 'scheduler', key: 'trading_until', default: '15:30' },
    dependsOn: ['selection'],
  },
  { id: 'market-close', label: 'cancel unfilled orders, snapshot positions', at: { section: 'scheduler', key: 'market_close_at', default: '16:00' } },
  { id: 'us-feed', label: 'realtime feed switches to US', at: { section: 'feed', key: 'us_open', default: '16:30' } },
  { id: 'daily-report', label: 'daily performance report', at: { section: 'scheduler', key: 'daily_report_at', default: '17:00' } },
] as const satisfies readonly PhaseDeclaration[];

export type PhaseId = (typeof PHASES)[number]['id'];

/** Phases in their daily order. */
export const PHASE_ORDER: readonly PhaseId[] = PHASES.map((p) => p.id);

type TimesOf<P> = P extends { at: infer A } ? A | (P extends { endsAt: infer E } ? E : never) | (P extends { windowEndsAt: infer W } ? W : never) : never;
/** The config keys of one section that hold phase times, e.g. 'screening_at' | 'trading_until' for 'scheduler'. */
export type PhaseTimeKey<S extends PhaseTimeSetting['section']> = Extract<TimesOf<(typeof PHASES)[number]>, { section: S }>['key'];

/** Every configured phase time of one config section, with its default (the schema's fields), in phase order. */
export function phaseTimeSettings<S extends PhaseTimeSetting['section']>(section: S): (PhaseTimeSetting & { key: PhaseTimeKey<S> })[] {
  return PHASES.flatMap((p: PhaseDeclaration) => [p.at, p.windowEndsAt, p.endsAt]).filter((t): t is PhaseTimeSetting & { key: PhaseTimeKey<S> } => t?.section === section);
}

export interface ConfiguredPhaseTimes {
  at: string;
  endsAt?: string;
  windowEndsAt?: string;
  lateStartUntil?: string;
}

/** The configured "HH:MM" times of every phase, read from compiled config sections (keys per the table). */
export function configuredPhaseTimes(
  sections: Readonly<Record<PhaseTimeSetting['section'], object>>,
): Record<PhaseId, ConfiguredPhaseTimes> {
  const read = (t: PhaseTimeSetting): string => {
    const v = (sections[t.section] as Record<string, unknown>)[t.key];
    return typeof v === 'string' ? v : t.default;
  };
  const out = {} as Record<PhaseId, ConfiguredPhaseTimes>;
  for (const p of PHASES as readonly PhaseDeclaration[]) {
    out[p.id as PhaseId] = {
      at: read(p.at),
      ...(p.endsAt ? { endsAt: read(p.endsAt) } : {}),
      ...(p.windowEndsAt ? { windowEndsAt: read(p.windowEndsAt) } : {}),
      ...(p.lateStartUntil ? { lateStartUntil: read(p.lateStartUntil) } : {}),
    };
  }
  return out;
}

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

/** A scheduled job: what the scheduler runs for one phase. */
export interface PhaseJob {
  run(ctx: PhaseContext): Promise<PhaseResult>;
}

export type JobOutcome = 'ok' | 'failed' | 'retry' | 'skipped' | 'overlap' | 'interrupted';

/** Job metrics port, implemented by KisdMetrics in src/health. */
export interface JobMetrics {
  observeJob(job: string, outcome: JobOutcome, durationSec?: number): void;
}
