// KST and New York calendar strings for record building, memoised per wall second: luxon is the slow
// part of a record, and thousands of records per second share the same second.
import { DateTime } from 'luxon';
import { kstHms, kstMinuteOfDay, kstWeekday, kstYmd } from '../../core/kst.js';

export interface TimeParts {
  /** YYYYMMDD */
  ymd: string;
  /** HHMMSS */
  hms: string;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

function memoPerSecond(parts: (secondMs: number) => TimeParts): (epochMs: number) => TimeParts {
  let cachedSecond = Number.NaN;
  let cached: TimeParts = { ymd: '', hms: '', minuteOfDay: 0, weekday: 1 };
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second !== cachedSecond) {
      cached = parts(second * 1000);
      cachedSecond = second;
    }
    return cached;
  };
}

function zoneParts(zone: string): (ms: number) => TimeParts {
  return (ms) => {
    const dt = DateTime.fromMillis(ms, { zone });
    return { ymd: dt.toFormat('yyyyMMdd'), hms: dt.toFormat('HHmmss'), minuteOfDay: dt.hour * 60 + dt.minute, weekday: dt.weekday };
  };
}

// KST through core/kst's fixed-offset helpers: a virtual clock that moves a second per step misses the memo
// every time, and luxon's Asia/Seoul asks Intl for the offset on each call.
export const kstParts = memoPerSecond((ms) => ({ ymd: kstYmd(ms), hms: kstHms(ms), minuteOfDay: kstMinuteOfDay(ms), weekday: kstWeekday(ms) }));
export const newYorkParts = memoPerSecond(zoneParts('America/New_York'));
