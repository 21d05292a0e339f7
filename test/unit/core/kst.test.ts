// The KST helpers take a fixed-offset shortcut from 1989 on (Seoul has had no DST since 1988-10-09): each must
// answer exactly what luxon's Asia/Seoul zone answers, around midnight, across years, and before 1989 (where
// they still go through luxon, 1987-88 DST included).
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatKstTimestamp, kstAt, kstHms, kstInstant, kstIsoDate, kstMinuteOfDay, kstTimeNear, kstWeekday, kstYmd } from '../../../src/core/kst.js';
import { mulberry32 } from '../../../src/sim/market/prng.js';

const Z = 'Asia/Seoul';
const ref = (ms: number) => DateTime.fromMillis(ms, { zone: Z });

function instants(): number[] {
  const rnd = mulberry32(9);
  const out: number[] = [];
  // Random instants 1985..2045, whole-ms.
  for (let i = 0; i < 300; i++) out.push(Math.floor(Date.UTC(1985, 0, 1) + rnd() * (Date.UTC(2045, 0, 1) - Date.UTC(1985, 0, 1))));
  // Around KST midnights (15:00 UTC) and the 1988/1989 boundary, to the millisecond.
  for (const day of [Date.UTC(2026, 10, 22, 15), Date.UTC(2024, 1, 28, 15), Date.UTC(2024, 11, 31, 15), Date.UTC(1988, 11, 31, 15), Date.UTC(1988, 4, 7, 17)]) {
    for (const d of [-86_400_000, -3_600_000, -60_000, -1_000, -1, 0, 1, 999, 60_000, 3_600_000]) out.push(day + d);
  }
  return out;
}

describe('KST helpers agree with luxon Asia/Seoul', () => {
  it('ymd, iso date, hms, timestamp, minute of day, weekday', () => {
    for (const ms of instants()) {
      const dt = ref(ms);
      expect([kstYmd(ms), kstIsoDate(ms), kstHms(ms), formatKstTimestamp(ms), kstMinuteOfDay(ms), kstWeekday(ms)], new Date(ms).toISOString()).toEqual([
        dt.toFormat('yyyyMMdd'),
        dt.toISODate(),
        dt.toFormat('HHmmss'),
        dt.toFormat('yyyy-MM-dd HH:mm:ss'),
        dt.hour * 60 + dt.minute,
        dt.weekday,
      ]);
    }
  });

  it('kstAt: a wall time on the KST day of the reference, past midnight too', () => {
    for (const ms of instants()) {
      for (const minute of [0, 1439, 1500]) {
        expect(kstAt(ms, minute), `${new Date(ms).toISOString()} +${minute}`).toBe(ref(ms).startOf('day').plus({ minutes: minute }).toMillis());
      }
    }
  });
});

describe('kstTimeNear: a KIS HHMMSS stamp on the KST day nearest a reference instant', () => {
  it('reads the stamp on the reference day, across midnight on the nearer day, and refuses what is not a time', () => {
    expect(kstTimeNear('093059', kstInstant('2026-11-23 09:31:00'))).toBe(kstInstant('2026-11-23 09:30:59'));
    expect(kstTimeNear('235959', kstInstant('2026-11-24 00:00:01'))).toBe(kstInstant('2026-11-23 23:59:59'));
    expect(kstTimeNear('000001', kstInstant('2026-11-23 23:59:59'))).toBe(kstInstant('2026-11-24 00:00:01'));
    for (const bad of ['', '0930', '09x100', '256000', '096000', '093060']) expect(kstTimeNear(bad, kstInstant('2026-11-23 09:31:00')), bad).toBeUndefined();
  });
});
