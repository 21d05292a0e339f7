// Options of the order manager: raw (what the lead maps from YAML) → compiled (defaults, ranges, frozen).
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import type { SqliteDatabase } from '../../store/database.js';
import type { AlertPort } from '../../core/alert.js';
import type { OrderBroker } from './broker-port.js';

/**
 * Named instants on the order path where a test harness may crash the process (SIGKILL) to prove
 * recovery. Production code never sets the hook.
 *  after-new: the `new` row is committed; after-sent: `sent` committed, request not started;
 *  after-reply: KIS's reply is in hand, nothing of it committed; after-ack: the ack is committed.
 */
export type CrashPoint = 'after-new' | 'after-sent' | 'after-reply' | 'after-ack';

export interface OrderManagerOptions {
  broker: OrderBroker;
  /** kisd's SQLite database (migration 4 applied: openStore / openDatabase do that). */
  db: SqliteDatabase;
  clock: Clock;
  log: Logger;
  /** Reconciliation differences and unknown outcomes are alerted here; default none (logged only). */
  alerts?: AlertPort;
  /**
   * A `sent`/`unknown` order absent from daily executions this long after it was sent is closed as never
   * received (cancelled). Default 60000: covers KIS's daily-executions lag and a request still in flight.
   */
  notFoundGraceMs?: number;
  /**
   * An order found in daily executions matches a sent intent if KIS stamped it within [first attempt − skew,
   * last attempt + window], both in KIS's time (the host's minus the estimated clock offset). Default 120000.
   */
  matchWindowMs?: number;
  /** Margin around the estimated host-vs-KIS clock offset (added to the estimate's own uncertainty). Default 5000. */
  clockSkewMs?: number;
  /**
   * An order that could not leave within this many ms of its decision (token, rate-limit, backoff waits; KIS
   * unreachable) is abandoned as not sent (state failed) — never sent late. Default 10000 (orders.send_deadline).
   */
  sendDeadlineMs?: number;
  /** Scheduled reconciliation period after start(); 0 = only on demand. Default 60000. */
  reconcileIntervalMs?: number;
  /**
   * While kisd has nothing to settle — no order new, sent, acknowledged, partly filled or unknown, no buffered
   * notice, and the last pass passed — the scheduled pass runs only this often (nights, weekends, a flat
   * session): about three KIS requests a pass would otherwise spend the app key's budget around the clock.
   * Default 3600000 (orders.reconcile_idle_interval_sec); never less often than reconcileIntervalMs.
   */
  idleReconcileIntervalMs?: number;
  /** After an unknown outcome, reconcile this soon. Default 3000. */
  unknownRecheckMs?: number;
  /** Daily executions are queried from the oldest open order's day, at most this many days back. Default 7. */
  lookbackDays?: number;
  /**
   * Test-only crash injection (see CrashPoint). A child-process test kills itself in it; an in-process one (the
   * week replay) returns a promise that never settles, so this order's path stops there as if the process had died.
   */
  crashHook?: (point: CrashPoint, clientOrderId: string) => void | Promise<never>;
}

export interface CompiledOrderManagerOptions {
  readonly notFoundGraceMs: number;
  readonly matchWindowMs: number;
  readonly clockSkewMs: number;
  readonly sendDeadlineMs: number;
  readonly reconcileIntervalMs: number;
  readonly idleReconcileIntervalMs: number;
  readonly unknownRecheckMs: number;
  readonly lookbackDays: number;
}

function int(name: string, v: number | undefined, dflt: number, min: number, max: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min || x > max) throw new ConfigError(`order manager option ${name} must be an integer in [${min}, ${max}], got ${String(v)}`, { field: name });
  return x;
}

export function compileOrderManagerOptions(raw: OrderManagerOptions): CompiledOrderManagerOptions {
  return Object.freeze({
    notFoundGraceMs: int('notFoundGraceMs', raw.notFoundGraceMs, 60_000, 0, 86_400_000),
    matchWindowMs: int('matchWindowMs', raw.matchWindowMs, 120_000, 1_000, 86_400_000),
    clockSkewMs: int('clockSkewMs', raw.clockSkewMs, 5_000, 0, 600_000),
    sendDeadlineMs: int('sendDeadlineMs', raw.sendDeadlineMs, 10_000, 100, 3_600_000),
    reconcileIntervalMs: int('reconcileIntervalMs', raw.reconcileIntervalMs, 60_000, 0, 86_400_000),
    idleReconcileIntervalMs: int('idleReconcileIntervalMs', raw.idleReconcileIntervalMs, 3_600_000, 0, 86_400_000),
    unknownRecheckMs: int('unknownRecheckMs', raw.unknownRecheckMs, 3_000, 0, 3_600_000),
    lookbackDays: int('lookbackDays', raw.lookbackDays, 7, 0, 90),
  });
}
