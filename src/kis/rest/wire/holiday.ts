// Wire → domain for chk-holiday CTCA0903R (fact sheet §7): one row per date from BASS_DT. Pure.
import { isBlankRow, readRows, type Parsed, type ParseIssue } from './fields.js';

export interface MarketDay {
  /** YYYYMMDD */
  date: string;
  /** wday_dvsn_cd: 01 Sunday … 07 Saturday. */
  weekdayCode: string;
  businessDay: boolean;
  tradingDay: boolean;
  /** opnd_yn: the market is open, orders allowed. The flag to schedule trading on. */
  marketOpen: boolean;
  settlementDay: boolean;
}

export function parseHolidays(body: Record<string, unknown>): Parsed<MarketDay[]> {
  const issues: ParseIssue[] = [];
  const value = readRows(
    body,
    'output',
    issues,
    (r) => ({
      date: r.req('bass_dt', /^\d{8}$/),
      weekdayCode: r.str('wday_dvsn_cd').trim(),
      businessDay: r.flag('bzdy_yn'),
      tradingDay: r.flag('tr_day_yn'),
      marketOpen: r.flag('opnd_yn'),
      settlementDay: r.flag('sttl_day_yn'),
    }),
    isBlankRow,
  );
  return { value, issues };
}
