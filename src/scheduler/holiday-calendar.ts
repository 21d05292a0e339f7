// KR trading-day calendar: the KIS holiday check (chk-holiday, "call about once a day", fact sheet §7) through
// the HolidaySource port, cached per year on disk (<dataDir>/calendar/kr-YYYY.json, atomic); when the call fails
// the cache answers, and beyond it weekdays minus the configured holiday list (logged, never silent).
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../core/atomic-file.js';
import { errorMessage } from '../core/errors.js';
import { KST_ZONE, kstYmd } from '../core/kst.js';
import type { HolidaySource, TradingCalendar } from '../core/trading-calendar.js';

export interface HolidayCalendarOptions {
  /** Data root; the cache lives in <dataDir>/calendar/. */
  dataDir: string;
  /** Extra closed days "YYYYMMDD" for the fallback (and always closed, even if KIS says open). Default []. */
  krHolidays?: readonly string[];
}

const cacheSchema = z.object({
  year: z.number().int(),
  days: z.record(z.string().regex(/^\d{8}$/), z.boolean()),
  fetchedAt: z.string(),
});
type CacheFile = z.infer<typeof cacheSchema>;

export type CalendarSource = 'kis' | 'cache' | 'fallback';

/** The daemon's TradingCalendar: the KIS holiday check, cached on disk, with a weekday fallback. */
export class HolidayCalendar implements TradingCalendar {
  private readonly days = new Map<string, boolean>();
  private readonly holidays: ReadonlySet<string>;
  private readonly loadedYears = new Set<number>();
  private lastSource: CalendarSource = 'fallback';

  constructor(
    private readonly opts: HolidayCalendarOptions,
    private readonly source: HolidaySource,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.holidays = new Set(opts.krHolidays ?? []);
  }

  /** Where today's answers come from after the last refresh. */
  answeringFrom(): CalendarSource {
    return this.lastSource;
  }

  /**
   * Loads the on-disk cache for this year and next, then asks KIS for the run from today; never throws
   * (a failed call is logged and the cache / weekday fallback answers). Returns where the answers come from.
   */
  async refresh(signal?: AbortSignal): Promise<CalendarSource> {
    const today = kstYmd(this.clock.nowMs());
    const year = Number(today.slice(0, 4));
    await this.loadYear(year);
    await this.loadYear(year + 1);
    try {
      const run = await this.source.fetchKrHolidayRun(today, signal);
      const valid = run.filter((d) => /^\d{8}$/.test(d.ymd) && typeof d.isOpen === 'boolean');
      if (valid.length === 0) throw new Error('holiday check returned no days');
      for (const d of valid) this.days.set(d.ymd, d.isOpen);
      await this.persist(new Set(valid.map((d) => Number(d.ymd.slice(0, 4)))));
      this.lastSource = 'kis';
      this.logger.info({ fromYmd: today, days: valid.length, todayOpen: this.isKrTradingDay(today) }, 'trading calendar refreshed from KIS holiday check');
    } catch (err) {
      this.lastSource = this.days.has(today) ? 'cache' : 'fallback';
      this.logger.warn(
        { err: errorMessage(err), fromYmd: today, answeringFrom: this.lastSource, todayOpen: this.isKrTradingDay(today) },
        `KIS holiday check failed; answering from the ${this.lastSource === 'cache' ? 'on-disk cache' : 'weekday fallback minus configured holidays'}`,
      );
    }
    return this.lastSource;
  }

  /** Synchronous: true when the KRX market is open on `ymd` ("YYYYMMDD", KST). */
  isKrTradingDay(ymd: string): boolean {
    if (this.holidays.has(ymd)) return false;
    const known = this.days.get(ymd);
    if (known !== undefined) return known;
    const dt = DateTime.fromFormat(ymd, 'yyyyMMdd', { zone: KST_ZONE });
    if (!dt.isValid) return false;
    return dt.weekday <= 5;
  }

  private cachePath(year: number): string {
    return join(this.opts.dataDir, 'calendar', `kr-${year}.json`);
  }

  private async loadYear(year: number): Promise<void> {
    if (this.loadedYears.has(year)) return;
    this.loadedYears.add(year);
    const path = this.cachePath(year);
    const text = await readFileIfExists(path);
    if (text === undefined) return;
    try {
      const parsed = cacheSchema.parse(JSON.parse(text));
      for (const [ymd, open] of Object.entries(parsed.days)) if (!this.days.has(ymd)) this.days.set(ymd, open);
    } catch (err) {
      const moved = await quarantineFile(path, this.clock.nowMs()).catch(() => undefined);
      this.logger.warn({ path, movedTo: moved, err: errorMessage(err) }, 'corrupt calendar cache quarantined');
    }
  }

  private async persist(years: Set<number>): Promise<void> {
    for (const year of years) {
      const prefix = String(year);
      const days: Record<string, boolean> = {};
      for (const [ymd, open] of [...this.days.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        if (ymd.startsWith(prefix)) days[ymd] = open;
      }
      const file: CacheFile = { year, days, fetchedAt: new Date(this.clock.nowMs()).toISOString() };
      try {
        await writeJsonAtomic(this.cachePath(year), file);
      } catch (err) {
        // The in-memory answers are still good; a cache write failure only costs a fallback after a restart.
        this.logger.warn({ year, err: errorMessage(err) }, 'could not write the calendar cache');
      }
    }
  }
}
