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
    clock.setSystemTime(kstInstant('2026-11-22 17:00')); // Sunday: only the 7-day consensus rule applies any day
    expect(checker.check().filter((r) => r.status !== 'not-due').map((r) => r.dataset)).toEqual(['consensus']);
  });

  it('news: the newest headline at most 24 h old on trading days; consensus: the newest opinion or estimate at most 7 days old', async () => {
    const { store, checker, clock, stale, alerts } = setup('2026-11-23 10:00:00'); // Monday
    const headline = (newsId: string, at: string) => ({ symbol: '005930', newsId, publishedAtMs: kstInstant(at), title: 't', source: 's', providerCode: '2' });
    expect(checker.check(['news', 'consensus'])).toMatchObject([
      { dataset: 'news', status: 'stale', reason: 'no headline stored' },
      { dataset: 'consensus', status: 'stale', reason: 'no consensus stored' },
    ]);
    store.research.upsertNews([headline('1', '2026-11-22 09:59')], 0); // 24 h 1 min before
    expect(checker.check(['news'])[0]).toMatchObject({ status: 'stale', reason: 'newest headline is 24.0 h old (limit 24 h)' });
    store.research.upsertNews([headline('2', '2026-11-22 10:00')], 0);
    expect(checker.check(['news'])[0]).toMatchObject({ status: 'fresh' });
    store.research.upsertOpinions([{ symbol: '005930', date: '20261115', broker: 'B', opinion: 'BUY', targetPrice: 1, prevClose: 1 }], 0);
    expect(checker.check(['consensus'])[0]).toMatchObject({ status: 'stale', reason: 'newest consensus dated 20261115, older than 7 days' });
    store.research.upsertEstimates([{ symbol: '005930', estimateDate: '20261116', recommendation: 'BUY', data: {} }], 0);
    expect(checker.check(['consensus'])[0]).toMatchObject({ status: 'fresh', reason: 'newest consensus dated 20261116' });
    await clock.tickAsync(24 * 3_600_000); // Tuesday 10:00: the headline is 48 h old
    await checker.runOnce(['news']);
    expect(stale.map((r) => r.dataset)).toEqual(['news']);
    expect(alerts.map((a) => a.nextSteps)).toEqual([expect.stringContaining('`kisd collect news`') as string]);
    clock.setSystemTime(kstInstant('2026-11-28 10:00')); // Saturday: old news is not stale on a day without a session
    expect(checker.check(['news'])[0]).toMatchObject({ status: 'not-due' });
  });
});
