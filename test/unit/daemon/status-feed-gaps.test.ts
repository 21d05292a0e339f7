// The status page's feed-gap rows from feed_gaps in a real (in-memory) store: today's gaps only, oldest first,
// each with its times (KST), reason, state, what was filled and the last error; a clear note when gap-fill is off.
import { describe, expect, it } from 'vitest';
import { feedGaps } from '../../../src/daemon/status-source.js';
import { kstInstant } from '../../../src/core/kst.js';
import { openStore } from '../../../src/store/index.js';

describe('status page feed gaps', () => {
  it('lists today\'s gaps with state, bars filled, attempts and the last error; earlier days stay off the page', () => {
    const store = openStore({ path: ':memory:' });
    const ms = (t: string): number => kstInstant(t);
    store.feedGaps.insert({ market: 'KR', day: '20261120', fromMs: ms('2026-11-20 10:00'), toMs: ms('2026-11-20 10:05'), reason: 'dead' }, ms('2026-11-20 10:05'));
    const late = store.feedGaps.insert({ market: 'KR', day: '20261123', fromMs: ms('2026-11-23 13:10:05'), toMs: ms('2026-11-23 13:12:40'), reason: 'restart' }, ms('2026-11-23 13:12:40'));
    const early = store.feedGaps.insert({ market: 'KR', day: '20261123', fromMs: ms('2026-11-23 10:03:30'), toMs: ms('2026-11-23 10:08:31'), reason: 'remote-close' }, ms('2026-11-23 10:08:31'));
    store.feedGaps.recordAttempt(early, 'KIS HTTP 503');
    store.feedGaps.markFilled(early, { symbols: 3, bars: 18 }, ms('2026-11-23 10:10'));
    store.feedGaps.recordAttempt(late, 'KIS HTTP 503');

    const gaps = feedGaps({ store, gapFill: true }, ms('2026-11-23 13:15'));
    expect(gaps).toEqual({
      available: true,
      today: [
        { from: '10:03:30', to: '10:08:31', reason: 'remote-close', status: 'filled', symbols: 3, bars: 18, attempts: 2 },
        { from: '13:10:05', to: '13:12:40', reason: 'restart', status: 'pending', symbols: 0, bars: 0, attempts: 1, error: 'KIS HTTP 503' },
      ],
    });
    expect(feedGaps({ store, gapFill: false }, ms('2026-11-23 13:15'))).toEqual({ available: false, note: expect.stringMatching(/gap-fill is off/) as string });
    store.close();
  });
});
