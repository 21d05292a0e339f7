// Seed 001 §5.1's gap rule at exact KST instants: inside 06:00–08:00 and 17:00–22:00 (start inclusive, end
// exclusive), and when the next gap opens from anywhere outside them, across midnight too.
import { describe, expect, it } from 'vitest';
import { formatKstTimestamp, kstInstant } from '../../../src/core/kst.js';
import { checkOffMarketGap } from '../../../src/cli/commands/off-market-gap.js';
import { gapRefusal } from '../../../src/cli/commands/keys-verify.js';

const at = (kst: string): number => kstInstant(kst);
const kst = (ms: number): string => formatKstTimestamp(ms);

describe('checkOffMarketGap', () => {
  it.each([
    ['2026-11-23 06:00:00', 'morning', '2026-11-23 08:00:00'],
    ['2026-11-23 07:59:59', 'morning', '2026-11-23 08:00:00'],
    ['2026-11-23 17:00:00', 'evening', '2026-11-23 22:00:00'],
    ['2026-11-23 21:59:59', 'evening', '2026-11-23 22:00:00'],
    ['2026-11-28 18:30:00', 'evening', '2026-11-28 22:00:00'], // a Saturday: the table is by time of day only
  ])('%s is inside the %s gap, which closes at %s', (now, gap, closes) => {
    const g = checkOffMarketGap(at(now));
    expect(g.inGap).toBe(true);
    if (!g.inGap) return;
    expect(g.gap.name).toBe(gap);
    expect(kst(g.closesAtMs)).toBe(closes);
  });

  it.each([
    ['2026-11-23 00:00:00', 'morning', '2026-11-23 06:00:00'],
    ['2026-11-23 05:59:59', 'morning', '2026-11-23 06:00:00'],
    ['2026-11-23 08:00:00', 'evening', '2026-11-23 17:00:00'],
    ['2026-11-23 09:30:00', 'evening', '2026-11-23 17:00:00'],
    ['2026-11-23 16:59:59', 'evening', '2026-11-23 17:00:00'],
    ['2026-11-23 22:00:00', 'morning', '2026-11-24 06:00:00'],
    ['2026-11-23 23:59:59', 'morning', '2026-11-24 06:00:00'],
    ['2026-12-31 23:00:00', 'morning', '2027-01-01 06:00:00'],
  ])('%s is outside; the next gap (%s) opens at %s', (now, gap, opens) => {
    const g = checkOffMarketGap(at(now));
    expect(g.inGap).toBe(false);
    if (g.inGap) return;
    expect(g.nextGap.name).toBe(gap);
    expect(kst(g.opensAtMs)).toBe(opens);
    expect(g.closesAtMs - g.opensAtMs).toBe(gap === 'morning' ? 2 * 3_600_000 : 5 * 3_600_000);
  });

  it('does not depend on the host time zone: the same instant gives the same answer as a UTC timestamp', () => {
    // 2026-11-23 08:30 UTC = 17:30 KST: inside the evening gap.
    expect(checkOffMarketGap(Date.UTC(2026, 10, 23, 8, 30)).inGap).toBe(true);
    // 2026-11-23 00:30 UTC = 09:30 KST: KR market open.
    expect(checkOffMarketGap(Date.UTC(2026, 10, 23, 0, 30)).inGap).toBe(false);
  });
});

describe('gapRefusal', () => {
  it('is undefined inside a gap', () => {
    expect(gapRefusal(at('2026-11-23 17:00:00'))).toBeUndefined();
  });

  it('says what time it is, the allowed windows and when the next gap opens', () => {
    const text = gapRefusal(at('2026-11-23 14:47:00'));
    expect(text).toContain('it is 2026-11-23 14:47:00 KST');
    expect(text).toContain('06:00–08:00 and 17:00–22:00 KST');
    expect(text).toContain('The next gap (evening) opens at 2026-11-23 17:00:00 KST, in 2 h 13 min.');
  });
});
