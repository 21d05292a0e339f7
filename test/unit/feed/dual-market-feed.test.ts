// The dual market feed over a whole fake-clock week with a KR and a US holiday: switches exactly at
// 08:30 / 16:30 KST on the right days, never two sockets at once (seed 001 §2.2).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { formatKstTimestamp, kstInstant } from '../../../src/core/kst.js';
import { EventBus } from '../../../src/feed/bus.js';
import { DualMarketFeed, type DualMarketFeedOptions } from '../../../src/feed/dual-market-feed.js';
import { QuoteCache } from '../../../src/feed/quote-cache.js';
import { marketAt, compileMarketSchedule, nextSwitchMs } from '../../../src/feed/market-schedule.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import { createParseStats, parseFrame } from '../../../src/kis/ws/parse.js';
import { FakeFeedSessions } from './fake-sessions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const log = pino({ level: 'silent' });
const KR_HOLIDAY = '20261125'; // a Wednesday
const calendar = { isKrTradingDay: (ymd: string) => ymd !== KR_HOLIDAY };
const US_HOLIDAY = '20261126'; // Thanksgiving, a Thursday

function feedFor(start: string, stopDelayMs = 0, extra: Partial<DualMarketFeedOptions> = {}) {
  const clock = createFakeClock(start);
  const sessions = new FakeFeedSessions(clock, stopDelayMs);
  const bus = new EventBus<RealtimeEvent>({ log });
  const feed = new DualMarketFeed({
    clock, log, sessions, bus, calendar, usHolidays: [US_HOLIDAY],
    krWatchlist: ['005930', '000660'], usWatchlist: ['DNASAAPL', 'DNASTSLA'], ...extra,
  });
  return { clock, sessions, bus, feed };
}

const at = (ms: number | undefined) => (ms === undefined ? '-' : formatKstTimestamp(ms));

describe('DualMarketFeed over a week', () => {
  it.each([0, 2000])('opens/closes at exactly 08:30 and 16:30 KST on the right days (stop takes %i ms)', async (stopDelayMs) => {
    const { clock, sessions, feed } = feedFor('2026-11-23 00:00:00', stopDelayMs);
    feed.start();
    await clock.tickAsync(7 * 86_400_000);
    const opens = sessions.records.map((r) => `${r.market} ${at(r.openedAtMs)}`);
    const d = (hms: string) => {
      // a KR open follows the US close: it happens once that stop has finished
      const ms = kstInstant(hms) + stopDelayMs;
      return at(ms);
    };
    expect(opens).toEqual([
      `kr ${at(kstInstant('2026-11-23 08:30'))}`, // Mon: nothing open before (Sunday's US session is a day off)
      `us ${d('2026-11-23 16:30')}`,
      `kr ${d('2026-11-24 08:30')}`,
      `us ${d('2026-11-24 16:30')}`,
      `us ${at(kstInstant('2026-11-25 16:30'))}`, // Wed is a KR holiday: US closed at 08:30, nothing until 16:30
      `kr ${d('2026-11-26 08:30')}`,
      `kr ${at(kstInstant('2026-11-27 08:30'))}`, // Thu 16:30: US Thanksgiving, nothing overnight
      `us ${d('2026-11-27 16:30')}`,
    ]);
    expect(sessions.records.map((r) => `${r.market} ${at(r.stopRequestedAtMs)}`)).toEqual([
      'kr 2026-11-23 16:30:00',
      'us 2026-11-24 08:30:00',
      'kr 2026-11-24 16:30:00',
      'us 2026-11-25 08:30:00',
      'us 2026-11-26 08:30:00',
      'kr 2026-11-26 16:30:00',
      'kr 2026-11-27 16:30:00',
      'us 2026-11-28 08:30:00', // Sat morning: the Friday US session ends; nothing over the weekend
    ]);
    // never two at once: every open happens after the previous socket fully closed
    expect(sessions.maxOpen).toBe(1);
    for (let i = 1; i < sessions.records.length; i++) {
      expect(sessions.records[i]!.openedAtMs).toBeGreaterThanOrEqual(sessions.records[i - 1]!.closedAtMs!);
    }
    expect(feed.status()).toMatchObject({ market: 'none', socketState: 'closed', switches: 8 });
    await feed.stop();
  });

  it('subscribes the right keys per market', async () => {
    const { clock, sessions, feed } = feedFor('2026-11-23 08:29:59', 0, { krExtra: [{ trId: 'H0STCNI0', trKey: 'kisd0001' }] });
    feed.start();
    await clock.tickAsync(1000);
    expect(sessions.records[0]!.desired).toEqual([
      { trId: 'H0STCNT0', trKey: '005930' }, { trId: 'H0STASP0', trKey: '005930' },
      { trId: 'H0STCNT0', trKey: '000660' }, { trId: 'H0STASP0', trKey: '000660' },
      { trId: 'H0STCNI0', trKey: 'kisd0001' },
    ]);
    await clock.tickAsync(8 * 3_600_000);
    expect(sessions.records[1]!.desired).toEqual([{ trId: 'HDFSCNT0', trKey: 'DNASAAPL' }, { trId: 'HDFSCNT0', trKey: 'DNASTSLA' }]);
    feed.setWatchlist('us', ['DNYSIBM']);
    expect(sessions.records[1]!.desired).toEqual([{ trId: 'HDFSCNT0', trKey: 'DNYSIBM' }]);
    await feed.stop();
    expect(sessions.open).toBe(0);
  });

  it.each([
    ['2026-11-24 12:00', 'kr'],
    ['2026-11-24 03:00', 'us'], // Monday's US session
    ['2026-11-24 08:29:59', 'us'],
    ['2026-11-24 08:30', 'kr'],
    ['2026-11-24 16:29:59', 'kr'],
    ['2026-11-24 16:30', 'us'],
    ['2026-11-23 03:00', 'none'], // Sunday's US session is a day off
    ['2026-11-28 07:00', 'us'], // Saturday morning: Friday's US session still running
    ['2026-11-28 12:00', 'none'],
    ['2026-11-29 18:00', 'none'],
    ['2026-11-25 10:00', 'none'], // KR holiday
    ['2026-11-26 20:00', 'none'], // US holiday
  ])('a feed started at %s opens %s', async (start, market) => {
    const { clock, sessions, feed } = feedFor(start);
    feed.start();
    await clock.tickAsync(1);
    expect(feed.status().market).toBe(market);
    expect(sessions.records.map((r) => r.market)).toEqual(market === 'none' ? [] : [market]);
    await feed.stop();
  });

  it('honours configured switch times and refuses a watchlist over the cap', () => {
    const s = compileMarketSchedule({ krOpen: '08:00', krClose: '18:00' });
    expect(marketAt(kstInstant('2026-11-24 08:10'), s, calendar)).toBe('kr');
    expect(marketAt(kstInstant('2026-11-24 17:00'), s, calendar)).toBe('kr');
    expect(nextSwitchMs(kstInstant('2026-11-24 17:00'), s)).toBe(kstInstant('2026-11-24 18:00'));
    expect(nextSwitchMs(kstInstant('2026-11-24 18:00'), s)).toBe(kstInstant('2026-11-25 08:00'));
    const codes = Array.from({ length: 21 }, (_, i) => String(100000 + i));
    expect(() => feedFor('2026-11-24 12:00', 0, { krWatchlist: codes })).toThrowError(/42 registrations/);
    expect(() => feedFor('2026-11-24 12:00', 0, { usWatchlist: ['AAPL'] })).toThrowError(/DNASAAPL/);
  });

  it('a throwing calendar fails open on weekdays', () => {
    const s = compileMarketSchedule();
    const broken = { isKrTradingDay: () => { throw new Error('no holiday data'); } };
    const errors: unknown[] = [];
    expect(marketAt(kstInstant('2026-11-24 10:00'), s, broken, (e) => errors.push(e))).toBe('kr');
    expect(marketAt(kstInstant('2026-11-28 10:00'), s, broken)).toBe('none');
    expect(errors).toHaveLength(1);
  });
});

describe('DualMarketFeed events', () => {
  it('publishes session records to the bus, counts ticks, feeds the quote cache', async () => {
    const { clock, sessions, bus, feed } = feedFor('2026-11-24 09:00');
    const cache = new QuoteCache();
    cache.attach(bus);
    feed.start();
    await clock.tickAsync(1);
    const frame = readFileSync(join(import.meta.dirname, '../../fixtures/ws-frames/h0stcnt0-multi.txt'), 'utf8').trim();
    const r = parseFrame(frame, createParseStats(), { receivedAtMs: clock.nowMs() });
    if (r.kind !== 'data') throw new Error('fixture');
    for (const ev of r.events) sessions.records[0]!.sink(ev);
    await bus.idle();
    expect(cache.krTick('005930')?.price).toBe(73000); // the later of two ticks wins
    expect(cache.krTick('000660')?.price).toBe(185500);
    expect(cache.ageMs('005930', clock.nowMs() + 500)).toBe(500);
    expect(feed.status()).toMatchObject({ market: 'kr', ticksReceived: 4, ticksByMarket: { kr: 4, us: 0 }, lastTickAtMs: clock.nowMs(), acknowledged: 4 });
    await feed.stop();
  });
});
