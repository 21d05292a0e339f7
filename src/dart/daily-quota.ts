// The client's own budget of OpenDART requests per KST calendar day (the guide's 020 text: "일반적으로는
// 20,000건 이상의 요청" — docs/data-sources.md). Counted on wall time in Asia/Seoul because the cap is a
// calendar day's, unlike the per-minute window, which runs on the monotonic clock.
import type { Clock } from '../core/clock.js';
import { kstAt, kstYmd } from '../core/kst.js';

export interface DailyQuota {
  /** Takes one request from today's budget; false (nothing taken) when it is spent. */
  tryTake(): boolean;
  readonly limit: number;
  /** Requests taken today (KST). */
  readonly used: number;
  /** Epoch ms of the next KST midnight, when the budget refills. */
  resumeAtEpochMs(): number;
}

export function createDailyQuota(clock: Clock, limit: number): DailyQuota {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`daily request limit must be an integer >= 1, got ${limit}`);
  let day = kstYmd(clock.nowMs());
  let used = 0;
  const roll = (): void => {
    const today = kstYmd(clock.nowMs());
    if (today !== day) {
      day = today;
      used = 0;
    }
  };
  return {
    tryTake() {
      roll();
      if (used >= limit) return false;
      used++;
      return true;
    },
    limit,
    get used() {
      roll();
      return used;
    },
    resumeAtEpochMs: () => kstAt(clock.nowMs(), 24 * 60),
  };
}
