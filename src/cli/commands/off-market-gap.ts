// Seed 001 §5.1 (검증 정책, STRICT): real API keys are verified only while both markets are closed — the
// evening gap 17:00–22:00 KST (KR closed, US not yet open) and the morning gap 06:00–08:00 KST (US closed,
// KR not yet open). Pure functions of an instant, so they are tested at exact times.
//
// The windows apply every day, weekends included: the seed's table is by time of day only, and keeping to it
// is the conservative reading (a weekend US pre-market or a KR special session never overlaps a check).
import { kstAt, kstMinuteOfDay } from '../../core/kst.js';

export interface GapWindow {
  name: 'evening' | 'morning';
  /** Minutes after KST midnight, [from, until). */
  fromMinute: number;
  untilMinute: number;
}

export const OFF_MARKET_GAPS: readonly GapWindow[] = [
  { name: 'morning', fromMinute: 6 * 60, untilMinute: 8 * 60 },
  { name: 'evening', fromMinute: 17 * 60, untilMinute: 22 * 60 },
];

export type GapCheck =
  | { inGap: true; gap: GapWindow; closesAtMs: number }
  | { inGap: false; nextGap: GapWindow; opensAtMs: number; closesAtMs: number };

/** Whether `nowMs` lies in an off-market gap; if not, when the next gap opens (epoch ms). */
export function checkOffMarketGap(nowMs: number): GapCheck {
  const minute = kstMinuteOfDay(nowMs);
  for (const gap of OFF_MARKET_GAPS) {
    if (minute >= gap.fromMinute && minute < gap.untilMinute) return { inGap: true, gap, closesAtMs: kstAt(nowMs, gap.untilMinute) };
  }
  const today = OFF_MARKET_GAPS.find((g) => g.fromMinute > minute);
  if (today) return { inGap: false, nextGap: today, opensAtMs: kstAt(nowMs, today.fromMinute), closesAtMs: kstAt(nowMs, today.untilMinute) };
  // After the evening gap: tomorrow's morning gap (KST has no DST, so tomorrow is today + 1440 minutes).
  const first = OFF_MARKET_GAPS[0] as GapWindow;
  return { inGap: false, nextGap: first, opensAtMs: kstAt(nowMs, 1440 + first.fromMinute), closesAtMs: kstAt(nowMs, 1440 + first.untilMinute) };
}
