// The KR trading-calendar port and the one "previous trading day". The daemon's calendar is the KIS holiday
// check cached on disk (src/scheduler/holiday-calendar.ts); tests and tools use weekdayCalendar.
import { DateTime } from 'luxon';
import { KST_ZONE } from './kst.js';

export interface TradingCalendar {
  /** True when the KRX market is open on `ymd` ("YYYYMMDD", KST). Synchronous; never throws for a valid date. */
  isKrTradingDay(ymd: string): boolean;
}

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

/** Longest run of closed days looked through (the longest KRX closure, Chuseok plus a weekend, is about a week). */
const MAX_LOOKBACK_DAYS = 30;

/** The last KR trading day strictly before `ymd` ("YYYYMMDD"); after 30 closed days, the day 30 days back. */
export function previousKrTradingDay(calendar: TradingCalendar, ymd: string): string {
  let dt = DateTime.fromFormat(ymd, 'yyyyMMdd', { zone: KST_ZONE });
  for (let i = 0; i < MAX_LOOKBACK_DAYS; i++) {
    dt = dt.minus({ days: 1 });
    const candidate = dt.toFormat('yyyyMMdd');
    if (calendar.isKrTradingDay(candidate)) return candidate;
  }
  return dt.toFormat('yyyyMMdd');
}

/** True for Monday–Friday in KST. */
export function isKstWeekday(ymd: string): boolean {
  const dt = DateTime.fromFormat(ymd, 'yyyyMMdd', { zone: KST_ZONE });
  return dt.isValid && dt.weekday <= 5;
}

/** Monday–Friday minus the given "YYYYMMDD" holidays. */
export function weekdayCalendar(holidays: Iterable<string> = []): TradingCalendar {
  const closed = new Set(holidays);
  return { isKrTradingDay: (ymd) => isKstWeekday(ymd) && !closed.has(ymd) };
}
