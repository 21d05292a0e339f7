// Maps an instant to its calendar day in a zone (KST for KRX, America/New_York for US sessions) through luxon,
// caching the current day's bounds so the hot quote path does one comparison instead of a zone conversion.
import { DateTime } from 'luxon';

export interface ZoneDay {
  /** YYYYMMDD in the zone */
  ymd: number;
  /** epoch ms of local midnight starting the day */
  startMs: number;
  /** epoch ms of the next local midnight */
  endMs: number;
}

export class ZoneDayCache {
  private last: ZoneDay | undefined;

  constructor(private readonly zone: string) {}

  dayOf(epochMs: number): ZoneDay {
    const last = this.last;
    if (last && epochMs >= last.startMs && epochMs < last.endMs) return last;
    const start = DateTime.fromMillis(epochMs, { zone: this.zone }).startOf('day');
    const day: ZoneDay = {
      ymd: start.year * 10000 + start.month * 100 + start.day,
      startMs: start.toMillis(),
      endMs: start.plus({ days: 1 }).toMillis(),
    };
    this.last = day;
    return day;
  }

  /** Epoch ms of local wall time minuteOfDay on the day ymd. */
  instant(ymd: number, minuteOfDay: number): number {
    return DateTime.fromObject(
      { year: Math.floor(ymd / 10000), month: Math.floor(ymd / 100) % 100, day: ymd % 100 },
      { zone: this.zone },
    )
      .plus({ minutes: minuteOfDay })
      .toMillis();
  }
}
