// KST (Asia/Seoul) calendar helpers, always with an explicit zone: the host may run in UTC. The hot helpers
// (kstYmd, kstHms, kstMinuteOfDay, kstAt, kstWeekday, ...) run on every tick, timer and clock reading, and
// luxon's Asia/Seoul zone asks Intl for the offset each time (most of a simulated week's real time went there).
// Seoul has kept UTC+9 without daylight saving since 1988-10-09, so from 1989 on they are plain arithmetic;
// earlier instants (and kstDateTime, for formatting and calendar maths) still go through luxon's zone.
import { DateTime } from 'luxon';

export const KST_ZONE = 'Asia/Seoul';

const DAY_MS = 86_400_000;
const KST_OFFSET_MS = 9 * 3_600_000;
/** 1989-01-01 00:00 KST: from here on Asia/Seoul is a fixed UTC+9 (its last DST ended 1988-10-09). */
const FIXED_FROM_MS = Date.UTC(1988, 11, 31, 15);

/** The KST wall clock of epochMs as a UTC Date (read with getUTC*), or undefined before the fixed-offset era. */
function kstWall(epochMs: number): Date | undefined {
  return epochMs >= FIXED_FROM_MS && Number.isFinite(epochMs) ? new Date(epochMs + KST_OFFSET_MS) : undefined;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const ymdOf = (w: Date): string => `${w.getUTCFullYear()}${pad2(w.getUTCMonth() + 1)}${pad2(w.getUTCDate())}`;

/** luxon DateTime in KST for an epoch-ms instant. */
export function kstDateTime(epochMs: number): DateTime {
  return DateTime.fromMillis(epochMs, { zone: KST_ZONE });
}

/** "YYYY-MM-DD HH:MM:SS" in KST, the format of KIS's access_token_token_expired. */
export function formatKstTimestamp(epochMs: number): string {
  const w = kstWall(epochMs);
  if (w) return `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())} ${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}:${pad2(w.getUTCSeconds())}`;
  return kstDateTime(epochMs).toFormat('yyyy-MM-dd HH:mm:ss');
}

/** Parses "YYYY-MM-DD HH:MM:SS" as KST wall time; throws on a malformed string. */
export function parseKstTimestamp(text: string): number {
  const dt = DateTime.fromFormat(text.trim(), 'yyyy-MM-dd HH:mm:ss', { zone: KST_ZONE });
  if (!dt.isValid) throw new Error(`not a KST timestamp (want YYYY-MM-DD HH:MM:SS): ${JSON.stringify(text)}`);
  return dt.toMillis();
}

/** KIS date "YYYYMMDD" of the KST calendar day containing epochMs. */
export function kstYmd(epochMs: number): string {
  const w = kstWall(epochMs);
  if (w) return ymdOf(w);
  return kstDateTime(epochMs).toFormat('yyyyMMdd');
}

/** ISO date "YYYY-MM-DD" of the KST calendar day containing epochMs. */
export function kstIsoDate(epochMs: number): string {
  const w = kstWall(epochMs);
  if (w) return `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())}`;
  return kstDateTime(epochMs).toISODate() ?? '';
}

/** KIS time "HHMMSS" in KST. */
export function kstHms(epochMs: number): string {
  const w = kstWall(epochMs);
  if (w) return `${pad2(w.getUTCHours())}${pad2(w.getUTCMinutes())}${pad2(w.getUTCSeconds())}`;
  return kstDateTime(epochMs).toFormat('HHmmss');
}

/** Minutes since KST midnight (0..1439). */
export function kstMinuteOfDay(epochMs: number): number {
  if (kstWall(epochMs)) return Math.floor((((epochMs + KST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / 60_000);
  const dt = kstDateTime(epochMs);
  return dt.hour * 60 + dt.minute;
}

/** Parses "HH:MM" into minutes since midnight; throws on a malformed value. */
export function parseHhMm(text: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`not a time of day (want HH:MM, 00:00-23:59): ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Epoch ms of a KST wall time on the KST day containing refEpochMs (minuteOfDay may exceed 1440). */
export function kstAt(refEpochMs: number, minuteOfDay: number): number {
  if (kstWall(refEpochMs)) return Math.floor((refEpochMs + KST_OFFSET_MS) / DAY_MS) * DAY_MS - KST_OFFSET_MS + minuteOfDay * 60_000;
  return kstDateTime(refEpochMs).startOf('day').plus({ minutes: minuteOfDay }).toMillis();
}

/**
 * Epoch ms of a KIS "HHMMSS" time of day (KST) on the KST day that puts it nearest refEpochMs (within 12 h, so a
 * stamp just before midnight read just after it lands on the previous day); undefined when it is not a time of day.
 */
export function kstTimeNear(hhmmss: string, refEpochMs: number): number | undefined {
  if (!/^\d{6}$/.test(hhmmss)) return undefined;
  const h = Number(hhmmss.slice(0, 2));
  const m = Number(hhmmss.slice(2, 4));
  const s = Number(hhmmss.slice(4, 6));
  if (h > 23 || m > 59 || s > 59) return undefined;
  const halfDay = DAY_MS / 2;
  const at = kstAt(refEpochMs, h * 60 + m) + s * 1000;
  if (at - refEpochMs > halfDay) return at - DAY_MS;
  if (refEpochMs - at > halfDay) return at + DAY_MS;
  return at;
}

/** Epoch ms of "YYYY-MM-DD HH:MM" (or an ISO string without zone) read as KST. */
export function kstInstant(isoLocal: string): number {
  const dt = DateTime.fromISO(isoLocal.replace(' ', 'T'), { zone: KST_ZONE });
  if (!dt.isValid) throw new Error(`not a KST date-time: ${isoLocal}`);
  return dt.toMillis();
}

/** ISO weekday (1 = Monday .. 7 = Sunday) in KST. */
export function kstWeekday(epochMs: number): number {
  const w = kstWall(epochMs);
  if (w) return w.getUTCDay() === 0 ? 7 : w.getUTCDay();
  return kstDateTime(epochMs).weekday;
}
