// Feed gaps as the daemon's subscribers see them: the longest stretches without a realtime KR event (tick or
// execution notice) inside the session windows. Gaps shorter than minGapMs are not kept.
import { formatKstTimestamp } from '../../../src/core/kst.js';
import type { FeedGap } from './probe.js';

export function feedGapTracker(windows: readonly (readonly [string, string])[], minGapMs = 2_000) {
  const inWindow = (ms: number): boolean => {
    const hhmm = formatKstTimestamp(ms).slice(11, 16);
    return windows.some(([from, to]) => hhmm >= from && hhmm < to);
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
