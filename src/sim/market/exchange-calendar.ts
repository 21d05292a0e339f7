// The simulated exchanges' trading-day calendars, as sorted arrays of YYYYMMDD integers: KRX (weekends + holidays off) and US (weekends
// off only; US exchange holidays are not modelled). Backs chk-holiday, daily bars and settlement dates.

/**
 * Built-in KRX closures 2024–2027 (public holidays, substitute days, election days, the 12-31 year-end
 * closure). Compiled from public calendars; future years are projections (❓ the real source is chk-holiday).
 * 'krx' marks days when banks work but the exchange is closed.
 */
const BUILTIN_KR_HOLIDAYS: Record<string, 'public' | 'krx'> = Object.fromEntries([
  ...'20240101 20240209 20240212 20240301 20240410 20240501 20240506 20240515 20240606 20240815 20240916 20240917 20240918 20241001 20241003 20241009 20241225'.split(' ').map((d) => [d, 'public']),
  ...'20250101 20250127 20250128 20250129 20250130 20250303 20250501 20250505 20250506 20250603 20250606 20250815 20251003 20251006 20251007 20251008 20251009 20251225'.split(' ').map((d) => [d, 'public']),
  ...'20260101 20260216 20260217 20260218 20260302 20260501 20260505 20260525 20260603 20260817 20260924 20260925 20261005 20261009 20261225'.split(' ').map((d) => [d, 'public']),
  ...'20270101 20270208 20270209 20270301 20270505 20270513 20270816 20270914 20270915 20270916 20271004 20271011 20271227'.split(' ').map((d) => [d, 'public']),
  ...'20241231 20251231 20261231 20271231'.split(' ').map((d) => [d, 'krx']),
]) as Record<string, 'public' | 'krx'>;

/** First and last calendar days the simulator knows about (bars before FIRST_YMD do not exist). */
export const CALENDAR_FIRST_YMD = 20200102;
export const CALENDAR_LAST_YMD = 20451229;

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a YYYYMMDD integer (proleptic Gregorian, no time zone involved). */
export function ymdToDayNumber(ymd: number): number {
  return Math.round(Date.UTC(Math.floor(ymd / 10000), (Math.floor(ymd / 100) % 100) - 1, ymd % 100) / DAY_MS);
}

/** Inverse of ymdToDayNumber. */
export function dayNumberToYmd(dayNumber: number): number {
  const d = new Date(dayNumber * DAY_MS);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** ISO weekday 1 = Monday .. 7 = Sunday. */
export function isoWeekday(ymd: number): number {
  const dow = new Date(ymdToDayNumber(ymd) * DAY_MS).getUTCDay(); // 0 = Sunday
  return dow === 0 ? 7 : dow;
}

export function addDays(ymd: number, n: number): number {
  return dayNumberToYmd(ymdToDayNumber(ymd) + n);
}

export function parseYmd(text: string): number | undefined {
  if (!/^\d{8}$/.test(text)) return undefined;
  const ymd = Number(text);
  return dayNumberToYmd(ymdToDayNumber(ymd)) === ymd ? ymd : undefined;
}

export interface DayFlags {
  /** 영업일 (banks open) */
  business: boolean;
  /** 거래일 */
  trading: boolean;
  /** 개장일: the exchange is open, orders allowed */
  open: boolean;
  /** 결제일 */
  settlement: boolean;
}

export class ExchangeCalendar {
  private readonly days: Int32Array;
  private readonly closures: ReadonlyMap<number, 'public' | 'krx'>;

  /** holidays: YYYYMMDD strings closing the market in addition to weekends. */
  constructor(holidays: Record<string, 'public' | 'krx'>) {
    this.closures = new Map(Object.entries(holidays).map(([d, k]) => [Number(d), k]));
    const list: number[] = [];
    const last = ymdToDayNumber(CALENDAR_LAST_YMD);
    for (let n = ymdToDayNumber(CALENDAR_FIRST_YMD); n <= last; n++) {
      const ymd = dayNumberToYmd(n);
      if (isoWeekday(ymd) <= 5 && !this.closures.has(ymd)) list.push(ymd);
    }
    this.days = Int32Array.from(list);
  }

  static korea(extraHolidays: readonly string[] = []): ExchangeCalendar {
    const all: Record<string, 'public' | 'krx'> = { ...BUILTIN_KR_HOLIDAYS };
    for (const d of extraHolidays) all[d] = 'public';
    return new ExchangeCalendar(all);
  }

  static unitedStates(): ExchangeCalendar {
    return new ExchangeCalendar({});
  }

  get size(): number {
    return this.days.length;
  }

  /** Index of the last trading day on or before ymd, or -1 if before the calendar starts. */
  indexOnOrBefore(ymd: number): number {
    let lo = 0;
    let hi = this.days.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.days[mid] ?? 0) <= ymd) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Index of ymd if it is a trading day, else -1. */
  indexOf(ymd: number): number {
    const i = this.indexOnOrBefore(ymd);
    return i >= 0 && this.days[i] === ymd ? i : -1;
  }

  /** YYYYMMDD of the trading day at index (undefined outside the calendar). */
  at(index: number): number | undefined {
    return this.days[index];
  }

  isTradingDay(ymd: number): boolean {
    return this.indexOf(ymd) >= 0;
  }

  flags(ymd: number): DayFlags {
    const weekend = isoWeekday(ymd) > 5;
    const closure = this.closures.get(ymd);
    const open = !weekend && closure === undefined;
    const business = !weekend && closure !== 'public';
    return { business, trading: business, open, settlement: open };
  }
}
