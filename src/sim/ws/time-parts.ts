// KST and New York calendar strings for record building, memoised per wall second: luxon is the slow
// part of a record, and thousands of records per second share the same second.
import { DateTime } from 'luxon';
import { KST_ZONE } from '../../core/kst.js';

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

function memoPerSecond(zone: string): (epochMs: number) => TimeParts {
  let cachedSecond = Number.NaN;
  let cached: TimeParts = { ymd: '', hms: '', minuteOfDay: 0, weekday: 1 };
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second !== cachedSecond) {
      const dt = DateTime.fromMillis(second * 1000, { zone });
      cached = { ymd: dt.toFormat('yyyyMMdd'), hms: dt.toFormat('HHmmss'), minuteOfDay: dt.hour * 60 + dt.minute, weekday: dt.weekday };
      cachedSecond = second;
    }
    return cached;
  };
}

export const kstParts = memoPerSecond(KST_ZONE);
export const newYorkParts = memoPerSecond('America/New_York');
