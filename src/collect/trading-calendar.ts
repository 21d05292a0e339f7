// The calendar port freshness checks need. The default knows weekends and a configured holiday list;
// the lead may back it with KIS chk-holiday (CTCA0903R, real only, about once a day).
import { DateTime } from 'luxon';
import { KST_ZONE } from '../core/kst.js';

export interface TradingCalendar {
  /** ymd = "YYYYMMDD" (KST). */
  isTradingDay(ymd: string): boolean;
  /** The last trading day strictly before ymd. */
  previousTradingDay(ymd: string): string;
}

/** Monday–Friday minus the given "YYYYMMDD" holidays. previousTradingDay looks back at most 30 days. */
export function weekdayCalendar(holidays: Iterable<string> = []): TradingCalendar {
  const closed = new Set(holidays);
  const isTradingDay = (ymd: string): boolean => {
    const dt = DateTime.fromFormat(ymd, 'yyyyMMdd', { zone: KST_ZONE });
    return dt.isValid && dt.weekday <= 5 && !closed.has(ymd);
  };
  return {
    isTradingDay,
    previousTradingDay(ymd) {
      let dt = DateTime.fromFormat(ymd, 'yyyyMMdd', { zone: KST_ZONE });
      for (let i = 0; i < 30; i++) {
        dt = dt.minus({ days: 1 });
        const candidate = dt.toFormat('yyyyMMdd');
        if (isTradingDay(candidate)) return candidate;
      }
      return dt.toFormat('yyyyMMdd');
    },
  };
}
