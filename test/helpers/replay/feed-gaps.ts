// Feed gaps as the daemon's subscribers see them, timed on the replay's (the simulator's) clock: the longest stretches without a realtime KR event (tick or
// execution notice) inside the session windows. Gaps shorter than minGapMs are not kept.
import { kstMinuteOfDay, parseHhMm } from '../../../src/core/kst.js';
import type { FeedGap } from './probe.js';

export function feedGapTracker(windows: readonly (readonly [string, string])[], minGapMs = 2_000) {
  // Minutes of the KST day, compared as numbers: this runs on every tick (luxon formatting here was a cost).
  const mins = windows.map(([from, to]) => [parseHhMm(from), parseHhMm(to)] as const);
  const inWindow = (ms: number): boolean => {
    const m = kstMinuteOfDay(ms);
    return mins.some(([from, to]) => m >= from && m < to);
  };
  let last: number | undefined;
  let gaps: FeedGap[] = [];
  return {
    onEvent(kind: string, nowMs: number): void {
      if (kind !== 'kr-tick' && kind !== 'kr-notice') return;
      if (!inWindow(nowMs)) {
        last = undefined;
        return;
      }
      if (last !== undefined && nowMs - last >= minGapMs) gaps.push({ fromMs: last, toMs: nowMs });
      last = nowMs;
    },
    take(): FeedGap[] {
      const out = gaps;
      gaps = [];
      return out;
    },
  };
}
