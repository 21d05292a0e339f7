import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { kstInstant } from '../../../src/core/kst.js';
import { openStore } from '../../../src/store/index.js';
import { createFreshnessChecker, storeFreshnessProbes, type FreshnessReport } from '../../../src/collect/index.js';
import { weekdayCalendar } from '../../../src/core/trading-calendar.js';
import type { Alert } from '../../../src/alerts/index.js';

const bar = (symbol: string, date: string) => ({ symbol, date, open: 1, high: 1, low: 1, close: 1, volume: 1, turnover: 1 });

function setup(at: string) {
  const clock = createFakeClock(at);
  const store = openStore({ path: ':memory:' });
  const alerts: Alert[] = [];
  const stale: FreshnessReport[] = [];
  const checker = createFreshnessChecker({
    clock,
    logger: pino({ level: 'silent' }),
    calendar: weekdayCalendar(['20261120']), // Friday 2026-11-20 declared a holiday
    probes: storeFreshnessProbes(store),
    alerts: { send: async (a) => void alerts.push(a) },
    onStale: (r) => void stale.push(r),
  });
  return { clock, store, alerts, stale, checker };
}

const statusOf = (reports: FreshnessReport[], ds: string) => reports.find((r) => r.dataset === ds)?.status;

describe('freshness checks', () => {
  it('daily bars: the previous trading day must be present from 09:00 (skipping weekends and holidays)', async () => {
    const { store, stale, alerts, checker, clock } = setup('2026-11-23 08:59:00'); // Monday
    expect(statusOf(checker.check(), 'daily_bars')).toBe('not-due');
    await clock.tickAsync(60_000);
    const reports = await checker.runOnce();
    expect(reports.find((r) => r.dataset === 'daily_bars')).toMatchObject({ status: 'stale', expectedDate: '20261119' });
    expect(stale.map((r) => r.dataset)).toContain('daily_bars');
    expect(alerts.find((a) => a.key === 'freshness:daily_bars:20261119')).toMatchObject({ level: 'WARNING' });
    store.dailyBars.upsert([bar('005930', '20261119')], 0);
    expect(statusOf(checker.check(), 'daily_bars')).toBe('fresh');
  });

  it('quotes: no older than 5 minutes during the session only', () => {
    const { store, checker, clock } = setup('2026-11-23 10:00:00');
    expect(statusOf(checker.check(), 'quotes')).toBe('stale'); // nothing stored
    store.quotes.upsert([{ market: 'KR', symbol: '005930', price: 1, asOfMs: clock.nowMs() - 300_000 }], 0);
    expect(statusOf(checker.check(), 'quotes')).toBe('fresh');
    clock.setSystemTime(clock.nowMs() + 1_000);
    expect(statusOf(checker.check(), 'quotes')).toBe('stale');
    clock.setSystemTime(kstInstant('2026-11-23 15:31'));
    expect(statusOf(checker.check(), 'quotes')).toBe('not-due');
  });

  it("investor flows: today's rows after the close; nothing on a weekend", () => {
    const { store, checker, clock } = setup('2026-11-23 15:59:00');
    expect(statusOf(checker.check(), 'investor_flows')).toBe('not-due');
    clock.setSystemTime(kstInstant('2026-11-23 16:00'));
    expect(statusOf(checker.check(), 'investor_flows')).toBe('stale');
    store.investorFlows.upsert([{ symbol: '005930', date: '20261123', personNetQty: 0, personNetAmount: 0, foreignNetQty: 0, foreignNetAmount: 0, institutionNetQty: 0, institutionNetAmount: 0 }], 0);
    expect(statusOf(checker.check(), 'investor_flows')).toBe('fresh');
    clock.setSystemTime(kstInstant('2026-11-22 17:00')); // Sunday
    expect(checker.check().every((r) => r.status === 'not-due')).toBe(true);
  });
});
