// Options of the simulated KIS WebSocket server: raw (what callers pass) → compiled (defaults applied,
// bounds checked). Values marked ❓ are choices where the fact sheet has no confirmed number.
import type { Server } from 'node:http';
import type { Clock } from '../../core/clock.js';
import type { SimApp, SimApprovalRegistry, SimLog, SimMarket } from '../contracts.js';

export interface SimWebSocketOptions {
  /** HTTP server to attach to; any upgrade path is accepted (/tryitout, /tryitout/H0STCNT0, …). */
  server: Server;
  clock: Clock;
  market: SimMarket;
  approvals: SimApprovalRegistry;
  apps: readonly SimApp[];
  log?: SimLog;
  /** Registrations per app key, lingering ones included. Default 41 (the 42nd → OPSP0008). */
  maxRegistrations?: number;
  /** Server PINGPONG period. Default 10_000 ❓ (interval unconfirmed). */
  pingIntervalMs?: number;
  /** Reap a session that has not answered PINGPONG (text echo, pong or ping frame) this long. Default 100_000 (one 3P report). */
  pingTimeoutMs?: number;
  /** Cut (no close frame) a session with no application traffic from the client this long. Default 600_000 (seed 001 §4.2). */
  idleDisconnectMs?: number;
  /** How long registrations of an abnormally closed socket linger. Default 120_000 ❓. */
  lingerAfterAbnormalCloseMs?: number;
  /** Data records per second across all deliverable subscriptions. Default 20; 0 = only pushTick. */
  tickRecordsPerSec?: number;
  /**
   * Generate ticks only when KIS would send them (KRX/US session hours, weekdays; see trTradesAt).
   * Default true. pushTick ignores it.
   */
  marketHoursOnly?: boolean;
  /** Max records packed in one frame (NNN). Default 4: packing happens whenever a tick has several records for one session and TR. */
  maxRecordsPerFrame?: number;
  /** Tick generator period. Default 100. */
  tickIntervalMs?: number;
  /** Data frames to a session with more than this many unsent bytes are skipped. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Housekeeping period (idle / ping timeout / linger expiry checks). Default 1_000. */
  sweepIntervalMs?: number;
}

export interface CompiledSimWebSocketOptions extends Required<Omit<SimWebSocketOptions, 'log'>> {
  log: SimLog;
}

const noopLog: SimLog = { info: () => undefined, warn: () => undefined, debug: () => undefined };

export function compileSimWebSocketOptions(raw: SimWebSocketOptions): CompiledSimWebSocketOptions {
  const compiled: CompiledSimWebSocketOptions = {
    ...raw,
    log: raw.log ?? noopLog,
    maxRegistrations: raw.maxRegistrations ?? 41,
    pingIntervalMs: raw.pingIntervalMs ?? 10_000,
    pingTimeoutMs: raw.pingTimeoutMs ?? 100_000,
    idleDisconnectMs: raw.idleDisconnectMs ?? 600_000,
    lingerAfterAbnormalCloseMs: raw.lingerAfterAbnormalCloseMs ?? 120_000,
    tickRecordsPerSec: raw.tickRecordsPerSec ?? 20,
    marketHoursOnly: raw.marketHoursOnly ?? true,
    maxRecordsPerFrame: raw.maxRecordsPerFrame ?? 4,
    tickIntervalMs: raw.tickIntervalMs ?? 100,
    maxBufferedBytes: raw.maxBufferedBytes ?? 8 * 1024 * 1024,
    sweepIntervalMs: raw.sweepIntervalMs ?? 1_000,
  };
  checkInt('maxRegistrations', compiled.maxRegistrations, 1, 10_000);
  checkInt('pingIntervalMs', compiled.pingIntervalMs, 1, 3_600_000);
  checkInt('pingTimeoutMs', compiled.pingTimeoutMs, 1, 86_400_000);
  checkInt('idleDisconnectMs', compiled.idleDisconnectMs, 1, 86_400_000);
  checkInt('lingerAfterAbnormalCloseMs', compiled.lingerAfterAbnormalCloseMs, 0, 86_400_000);
  checkInt('tickRecordsPerSec', compiled.tickRecordsPerSec, 0, 1_000_000);
  checkInt('maxRecordsPerFrame', compiled.maxRecordsPerFrame, 1, 999);
  checkInt('tickIntervalMs', compiled.tickIntervalMs, 1, 60_000);
  checkInt('maxBufferedBytes', compiled.maxBufferedBytes, 1, 2 ** 31);
  checkInt('sweepIntervalMs', compiled.sweepIntervalMs, 1, 60_000);
  return compiled;
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`sim ws option ${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}
