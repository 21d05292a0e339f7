// `kisd run --at "<KST date time>" --speed N` and `kisd sim --at … --speed N`: start the clock at an instant
// and run it N times faster (core/clock.ts scaledClock), so a trading day can be watched at any hour and in
// minutes. Simulator only: KIS's paper and real servers keep real time. A daemon pointed at an external
// simulator (`kisd sim --at … --speed …` in another process) shares that simulator's clock when it is given the
// same --at and --speed and the simulator's --clock-anchor (the real epoch ms at which its clock read --at).
import { DateTime } from 'luxon';
import { scaledClock, type Clock, type ScaledClock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import { KST_ZONE, kstIsoDate } from '../../core/kst.js';

const MAX_SPEED = 1000;

export interface TimeTravelOptions {
  at?: string;
  speed?: string;
  clockAnchor?: string;
}

export interface TimeTravel {
  /** The simulated instant the clock reads at anchorEpochMs. */
  startAtMs: number;
  speed: number;
  /** Real epoch ms at which the clock read startAtMs: now for a fresh clock, another process's for a shared one. */
  anchorEpochMs: number;
}

/** Parses "YYYY-MM-DD HH:MM[:SS]" or "HH:MM[:SS]" (today, KST) into epoch ms; throws ConfigError. */
export function parseAt(text: string, nowMs: number): number {
  const t = text.trim();
  const full = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(t) ? t.replace('T', ' ') : /^\d{2}:\d{2}(:\d{2})?$/.test(t) ? `${kstIsoDate(nowMs)} ${t}` : undefined;
  const dt = full === undefined ? undefined : DateTime.fromFormat(full.length === 16 ? `${full}:00` : full, 'yyyy-MM-dd HH:mm:ss', { zone: KST_ZONE });
  if (!dt?.isValid) throw new ConfigError(`--at: expected a KST date and time "YYYY-MM-DD HH:MM[:SS]" (or "HH:MM" for today), e.g. --at "2026-12-07 08:55" (got ${JSON.stringify(text)})`);
  if (dt.year < 2020 || dt.year > 2045) throw new ConfigError(`--at: the simulator's calendar covers 2020-2045 (got ${dt.year})`);
  return dt.toMillis();
}

/** Parses --speed: a number from 1 to 1000; throws ConfigError. */
export function parseSpeed(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1 || n > MAX_SPEED) throw new ConfigError(`--speed: expected a number from 1 to ${MAX_SPEED} (how many times faster than real time; got ${text})`);
  return n;
}

/** Parses --clock-anchor: real epoch ms within the last week (a stale anchor is a mistake); throws ConfigError. */
export function parseClockAnchor(text: string, nowMs: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n > nowMs + 60_000 || n < nowMs - 7 * 86_400_000) {
    throw new ConfigError(`--clock-anchor: expected the real epoch milliseconds printed by \`kisd sim --at … --speed …\` (within the last 7 days; got ${text})`);
  }
  return n;
}

/**
 * The time travel asked for, or undefined when no flag is given. Throws ConfigError in paper/real mode, and
 * for --speed when the daemon uses an external simulator (`externalSim`) without that simulator's
 * --clock-anchor (two clocks started apart would drift apart by speed × the gap).
 */
export function timeTravelFrom(o: TimeTravelOptions, ctx: { mode: string; externalSim: boolean; nowMs: number; command: 'run' | 'sim' }): TimeTravel | undefined {
  if (o.at === undefined && o.speed === undefined && o.clockAnchor === undefined) return undefined;
  const flags = [o.at !== undefined && '--at', o.speed !== undefined && '--speed', o.clockAnchor !== undefined && '--clock-anchor'].filter(Boolean).join(' and ');
  if (ctx.command === 'run' && ctx.mode !== 'sim') {
    throw new ConfigError(`${flags}: time travel runs against the simulator only (mode: sim); KIS's ${ctx.mode} server keeps real time. Use a sim-mode config, e.g. the default: kisd run --at … --speed …`);
  }
  const speed = o.speed === undefined ? 1 : parseSpeed(o.speed);
  if (o.clockAnchor !== undefined && (ctx.command !== 'run' || o.at === undefined)) {
    throw new ConfigError('--clock-anchor: only for `kisd run` following a standalone simulator, together with the same --at and --speed the simulator printed');
  }
  const anchorEpochMs = o.clockAnchor === undefined ? ctx.nowMs : parseClockAnchor(o.clockAnchor, ctx.nowMs);
  if (ctx.command === 'run' && ctx.externalSim && speed !== 1 && o.clockAnchor === undefined) {
    throw new ConfigError('--speed: this config points kis.rest_base_url at another simulator, whose clock started at another moment. Add the --clock-anchor that `kisd sim --at … --speed …` printed (with its --at and --speed), or remove kis.rest_base_url/ws_url to use the embedded simulator');
  }
  return { startAtMs: o.at === undefined ? ctx.nowMs : parseAt(o.at, ctx.nowMs), speed, anchorEpochMs };
}

/** The scaled clock for tt, reading what it would read now had it started at tt.anchorEpochMs. */
export function timeTravelClock(base: Clock, tt: TimeTravel): ScaledClock {
  const sinceAnchorMs = Math.max(0, base.nowMs() - tt.anchorEpochMs);
  return scaledClock(base, { startAtMs: tt.startAtMs + sinceAnchorMs * tt.speed, speed: tt.speed });
}
