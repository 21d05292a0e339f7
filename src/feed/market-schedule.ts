// Which market's socket should be open at an instant (seed 001 §2.2 dual socket): KR 08:30-16:30 KST on KR
// trading days, US 16:30-08:30 KST on US trading days, nothing otherwise. Pure functions of wall time in
// Asia/Seoul (the host may run in UTC).
import { DateTime } from 'luxon';
import { ConfigError } from '../core/errors.js';
import { KST_ZONE, kstAt, kstMinuteOfDay, kstWeekday, kstYmd, parseHhMm } from '../core/kst.js';
import type { TradingCalendar } from '../core/trading-calendar.js';

export type Market = 'kr' | 'us';
export type MarketOrNone = Market | 'none';


export interface MarketScheduleOptions {
  /** KR socket opens (and US closes). Default "08:30" KST. */
  krOpen?: string;
  /** KR socket closes (and US opens). Default "16:30" KST. */
  krClose?: string;
  /** US trading dates (YYYYMMDD, US calendar) with no session, e.g. Thanksgiving "20261126". */
  usHolidays?: readonly string[];
}

export interface MarketSchedule {
  readonly krOpenMinute: number;
  readonly krCloseMinute: number;
  readonly usHolidays: ReadonlySet<string>;
}

export function compileMarketSchedule(raw: MarketScheduleOptions = {}): MarketSchedule {
  const krOpenMinute = parseHhMm(raw.krOpen ?? '08:30');
  const krCloseMinute = parseHhMm(raw.krClose ?? '16:30');
  if (krOpenMinute >= krCloseMinute) {
    throw new ConfigError(`feed krOpen (${raw.krOpen}) must be before krClose (${raw.krClose})`, { field: 'krOpen' });
  }
  for (const d of raw.usHolidays ?? []) {
    if (!DateTime.fromFormat(d, 'yyyyMMdd', { zone: KST_ZONE }).isValid) {
      throw new ConfigError(`feed usHolidays entry ${JSON.stringify(d)} is not a YYYYMMDD date`, { field: 'usHolidays' });
    }
  }
  return Object.freeze({ krOpenMinute, krCloseMinute, usHolidays: new Set(raw.usHolidays ?? []) });
}

const DAY_MS = 86_400_000;

/**
 * KR trading day: Monday-Friday (KST) and the calendar agrees. A calendar that throws counts as open
 * (fail open: an idle socket on a holiday costs nothing, a closed one on a trading day loses the data).
 */
export function isKrTradingDay(epochMs: number, calendar: TradingCalendar, onCalendarError?: (err: unknown) => void): boolean {
  if (kstWeekday(epochMs) > 5) return false;
  try {
    return calendar.isKrTradingDay(kstYmd(epochMs));
  } catch (err) {
    onCalendarError?.(err);
    return true;
  }
}

/**
 * The US session that opens at 16:30 KST on KST date D runs 02:30/03:30-19:30/18:30 US Eastern on the
 * same date D (KST = ET + 13/14 h), so it is a US trading day when D is Monday-Friday and not a US holiday.
 */
export function isUsSessionDay(sessionStartMs: number, schedule: MarketSchedule): boolean {
  return kstWeekday(sessionStartMs) <= 5 && !schedule.usHolidays.has(kstYmd(sessionStartMs));
}

/** The market whose socket should be open at nowMs. */
export function marketAt(nowMs: number, schedule: MarketSchedule, calendar: TradingCalendar, onCalendarError?: (err: unknown) => void): MarketOrNone {
  const minute = kstMinuteOfDay(nowMs);
  if (minute >= schedule.krOpenMinute && minute < schedule.krCloseMinute) {
    return isKrTradingDay(nowMs, calendar, onCalendarError) ? 'kr' : 'none';
  }
  // Before the KR open we are still in the US session that began yesterday afternoon.
  const sessionDay = minute >= schedule.krCloseMinute ? nowMs : nowMs - DAY_MS;
  return isUsSessionDay(sessionDay, schedule) ? 'us' : 'none';
}

/** The next instant strictly after nowMs at which marketAt() may change (a KR open or close). */
export function nextSwitchMs(nowMs: number, schedule: MarketSchedule): number {
  const candidates = [
    kstAt(nowMs, schedule.krOpenMinute),
    kstAt(nowMs, schedule.krCloseMinute),
    kstAt(nowMs, schedule.krOpenMinute + 1440),
  ];
  return Math.min(...candidates.filter((t) => t > nowMs));
}
