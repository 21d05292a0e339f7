// The daily phase plan (seed 004 §2.4) as data: raw options → defaults → a compiled, frozen plan with minutes
// of day and cron expressions (clock-cron.ts) (KST). Also the maintenance cadences (token check, broker re-init, holidays).
import { ConfigError } from '../core/errors.js';
import { parseHhMm } from '../core/kst.js';
import type { RetryPolicy } from '../core/retry.js';
import { compileRetryPolicy } from './job-runner.js';
import { PHASE_ORDER, PHASES, type PhaseDeclaration, type PhaseId } from '../core/phases.js';

export interface PhaseOptions {
  /** Start time "HH:MM" KST. */
  at?: string;
  /** Session phases only: the session end "HH:MM"; the job's signal aborts then and that is a normal finish. */
  endsAt?: string;
  /** Soft end of the phase's window "HH:MM", handed to the job (selection: 09:00). */
  windowEndsAt?: string;
  /** Latest "HH:MM" at which a missed run may still be started by restart recovery; default: end of day. */
  lateStartUntil?: string;
  /** Default true. */
  enabled?: boolean;
  /** Default true: the phase runs on KR trading days only. */
  tradingDaysOnly?: boolean;
}

export interface SchedulePlanOptions {
  phases?: Partial<Record<PhaseId, PhaseOptions>>;
  /** Token check cadence, minutes; must divide 60 or be whole hours dividing 24. Default 30. */
  tokenCheckEveryMin?: number;
  /** Periodic broker re-initialisation cadence, hours. Default 6 (seed 003). */
  brokerReinitEveryHours?: number;
  /**
   * First re-init of the day "HH:MM", then every brokerReinitEveryHours. Default "04:40": 04:40, 10:40,
   * 16:40, 22:40 keep clear of every phase boundary and of the 08:30/16:30 feed switches.
   */
  brokerReinitAt?: string;
  /** Daily KIS holiday check "HH:MM". Default "05:30" (before screening). */
  holidayCheckAt?: string;
  retry?: Partial<RetryPolicy>;
}

export interface CompiledPhase {
  id: PhaseId;
  atMin: number;
  endsAtMin?: number;
  windowEndsAtMin?: number;
  /** 1440 = until midnight. */
  lateStartUntilMin: number;
  session: boolean;
  enabled: boolean;
  tradingDaysOnly: boolean;
  /** Earlier phases it waits for (the phase table's dependsOn). */
  dependsOn: readonly PhaseId[];
  cron: string;
}

export interface SchedulePlan {
  phases: readonly CompiledPhase[];
  tokenCheckCron: string;
  brokerReinitCron: string;
  holidayCheckCron: string;
  retry: RetryPolicy;
}

/** Defaults from the phase table (src/core/phases.ts): 06:00 screening, 07:00–09:00 selection, 08:30 KR feed, 09:00–15:30 trading, 16:00 close, 16:30 US feed, 17:00 report. */
export const DEFAULT_PHASES: Readonly<Record<PhaseId, PhaseOptions>> = Object.freeze(
  Object.fromEntries(
    (PHASES as readonly PhaseDeclaration[]).map((p) => [
      p.id,
      {
        at: p.at.default,
        ...(p.endsAt ? { endsAt: p.endsAt.default } : {}),
        ...(p.windowEndsAt ? { windowEndsAt: p.windowEndsAt.default } : {}),
        ...(p.lateStartUntil ? { lateStartUntil: p.lateStartUntil.default } : {}),
        ...(p.tradingDaysOnly === false ? { tradingDaysOnly: false } : {}),
      },
    ]),
  ) as Record<PhaseId, PhaseOptions>,
);

function minutes(field: string, value: string): number {
  try {
    return parseHhMm(value);
  } catch (err) {
    throw new ConfigError(`scheduler.${field}: ${(err as Error).message}`, { field, value });
  }
}

function dailyCron(minOfDay: number): string {
  return `${minOfDay % 60} ${Math.floor(minOfDay / 60)} * * *`;
}

export function tokenCheckCron(everyMin: number): string {
  if (Number.isInteger(everyMin) && everyMin >= 1 && everyMin < 60 && 60 % everyMin === 0) return `*/${everyMin} * * * *`;
  if (everyMin === 60) return '0 * * * *';
  if (everyMin % 60 === 0 && 24 % (everyMin / 60) === 0 && everyMin <= 1440) return `0 */${everyMin / 60} * * *`;
  throw new ConfigError(`scheduler.tokenCheckEveryMin must divide 60 or be whole hours dividing 24 (got ${everyMin})`);
}

export function everyHoursCron(anchorMin: number, everyHours: number): string {
  if (!Number.isInteger(everyHours) || everyHours < 1 || everyHours > 24) throw new ConfigError(`scheduler.brokerReinitEveryHours must be 1..24 (got ${everyHours})`);
  const hours = new Set<number>();
  // When everyHours does not divide 24 the gap across midnight is shorter; cron cannot express a drifting cadence.
  for (let h = 0; h < 24; h += everyHours) hours.add((Math.floor(anchorMin / 60) + h) % 24);
  return `${anchorMin % 60} ${[...hours].sort((a, b) => a - b).join(',')} * * *`;
}

/** A phase's dependencies from the table; each must be an earlier phase (the day's order). */
function dependenciesOf(id: PhaseId): PhaseId[] {
  const decl = (PHASES as readonly PhaseDeclaration[]).find((p) => p.id === id);
  const deps = (decl?.dependsOn ?? []) as PhaseId[];
  for (const d of deps) {
    if (PHASE_ORDER.indexOf(d) < 0 || PHASE_ORDER.indexOf(d) >= PHASE_ORDER.indexOf(id)) throw new ConfigError(`phase ${id} depends on ${d}, which is not an earlier phase`);
  }
  return deps;
}

export function compileSchedulePlan(raw: SchedulePlanOptions = {}): SchedulePlan {
  const phases = PHASE_ORDER.map((id): CompiledPhase => {
    const o = { ...DEFAULT_PHASES[id], ...(raw.phases?.[id] ?? {}) };
    const atMin = minutes(`phases.${id}.at`, o.at ?? '00:00');
    const endsAtMin = o.endsAt === undefined ? undefined : minutes(`phases.${id}.endsAt`, o.endsAt);
    const windowEndsAtMin = o.windowEndsAt === undefined ? undefined : minutes(`phases.${id}.windowEndsAt`, o.windowEndsAt);
    if (endsAtMin !== undefined && endsAtMin <= atMin) throw new ConfigError(`scheduler.phases.${id}.endsAt must be later than at`);
    const lateStartUntilMin = o.lateStartUntil === undefined ? endsAtMin ?? 1440 : minutes(`phases.${id}.lateStartUntil`, o.lateStartUntil);
    if (lateStartUntilMin <= atMin) throw new ConfigError(`scheduler.phases.${id}.lateStartUntil must be later than at`);
    return {
      id,
      atMin,
      ...(endsAtMin !== undefined ? { endsAtMin } : {}),
      ...(windowEndsAtMin !== undefined ? { windowEndsAtMin } : {}),
      lateStartUntilMin,
      session: endsAtMin !== undefined,
      enabled: o.enabled ?? true,
      tradingDaysOnly: o.tradingDaysOnly ?? true,
      dependsOn: dependenciesOf(id),
      cron: dailyCron(atMin),
    };
  });
  for (let i = 1; i < phases.length; i++) {
    const prev = phases[i - 1]!;
    const cur = phases[i]!;
    if (cur.atMin < prev.atMin) throw new ConfigError(`scheduler.phases.${cur.id}.at must not be earlier than ${prev.id}.at (phases run in order)`);
  }
  return Object.freeze({
    phases: Object.freeze(phases),
    tokenCheckCron: tokenCheckCron(raw.tokenCheckEveryMin ?? 30),
    brokerReinitCron: everyHoursCron(minutes('brokerReinitAt', raw.brokerReinitAt ?? '04:40'), raw.brokerReinitEveryHours ?? 6),
    holidayCheckCron: dailyCron(minutes('holidayCheckAt', raw.holidayCheckAt ?? '05:30')),
    retry: compileRetryPolicy(raw.retry),
  });
}
