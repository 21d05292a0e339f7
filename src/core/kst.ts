// KST (Asia/Seoul) calendar helpers on luxon, always with an explicit zone: the host may run in UTC.
import { DateTime } from 'luxon';

export const KST_ZONE = 'Asia/Seoul';

/** luxon DateTime in KST for an epoch-ms instant. */
export function kstDateTime(epochMs: number): DateTime {
  return DateTime.fromMillis(epochMs, { zone: KST_ZONE });
}

/** "YYYY-MM-DD HH:MM:SS" in KST, the format of KIS's access_token_token_expired. */
export function formatKstTimestamp(epochMs: number): string {
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
  return kstDateTime(epochMs).toFormat('yyyyMMdd');
}

/** ISO date "YYYY-MM-DD" of the KST calendar day containing epochMs. */
export function kstIsoDate(epochMs: number): string {
  return kstDateTime(epochMs).toISODate() ?? '';
}

/** KIS time "HHMMSS" in KST. */
export function kstHms(epochMs: number): string {
  return kstDateTime(epochMs).toFormat('HHmmss');
}

/** Minutes since KST midnight (0..1439). */
export function kstMinuteOfDay(epochMs: number): number {
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
  return kstDateTime(refEpochMs).startOf('day').plus({ minutes: minuteOfDay }).toMillis();
}

/** Epoch ms of "YYYY-MM-DD HH:MM" (or an ISO string without zone) read as KST. */
export function kstInstant(isoLocal: string): number {
  const dt = DateTime.fromISO(isoLocal.replace(' ', 'T'), { zone: KST_ZONE });
  if (!dt.isValid) throw new Error(`not a KST date-time: ${isoLocal}`);
  return dt.toMillis();
}

/** ISO weekday (1 = Monday .. 7 = Sunday) in KST. */
export function kstWeekday(epochMs: number): number {
  return kstDateTime(epochMs).weekday;
}
