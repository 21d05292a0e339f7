// The dual market feed with real WsSessions against the simulator across the 16:30 KST switch: the KR
// socket is released and closed before the US one opens, so the server never sees two sessions on the
// app key (no OPSP8996), and both markets' ticks reach the quote cache through the bus.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { EventBus } from '../../../src/feed/bus.js';
import { DualMarketFeed } from '../../../src/feed/dual-market-feed.js';
import { createWsFeedSessionFactory, type FeedSessionFactory } from '../../../src/feed/feed-session.js';
import { QuoteCache } from '../../../src/feed/quote-cache.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import { advanceUntil, startSim, type SimRig } from './sim-harness.js';

let rig: SimRig | undefined;
let feed: DualMarketFeed | undefined;

afterEach(async () => {
  if (feed && rig) {
    let done = false;
    void feed.stop().then(() => (done = true));
    await advanceUntil(rig.clock, () => done, 'feed stop');
  }
  await rig?.close();
  rig = undefined;
  feed = undefined;
});

describe('DualMarketFeed vs simulator', () => {
  it('switches KR -> US at 16:30 KST with one socket at a time, ticks from both markets', async () => {
    rig = await startSim('2026-11-23 16:29:30'); // Monday
    const r = rig;
    const log = pino({ level: 'silent' });
    const real = createWsFeedSessionFactory({ clock: r.clock, log, url: r.url, approvalKeys: r.keys, subscribeSpacingMs: 100, random: () => 0.5 });
    const timeline: { market: string; what: 'open' | 'stop' | 'closed'; atMs: number }[] = [];
    const recording: FeedSessionFactory = {
      create(market, sink) {
        const s = real.create(market, sink);
        return {
          ...s,
          start: () => {
            timeline.push({ market, what: 'open', atMs: r.clock.nowMs() });
            s.start();
          },
          stop: async () => {
            timeline.push({ market, what: 'stop', atMs: r.clock.nowMs() });
            await s.stop();
            timeline.push({ market, what: 'closed', atMs: r.clock.nowMs() });
          },
        };
      },
    };
    const bus = new EventBus<RealtimeEvent>({ log });
    const cache = new QuoteCache();
    cache.attach(bus);
    feed = new DualMarketFeed({
      clock: r.clock, log, sessions: recording, bus, calendar: { isKrTradingDay: () => true },
      krWatchlist: ['005930', '000660'], usWatchlist: ['DNASAAPL', 'DNASTSLA'],
    });
    feed.start();
    await advanceUntil(r.clock, () => feed!.status().market === 'kr' && feed!.status().acknowledged === 4, 'KR acks');
    expect(r.sim.pushTick('H0STCNT0', '005930')).toBe(1);
    await advanceUntil(r.clock, () => cache.krTick('005930') !== undefined, 'KR tick');

    await advanceUntil(r.clock, () => feed!.status().market === 'us' && feed!.status().acknowledged === 2, 'US acks', 50, 120_000);
    expect(timeline.map((t) => `${t.market} ${t.what}`)).toEqual(['kr open', 'kr stop', 'kr closed', 'us open']);
    expect(timeline[1]!.atMs).toBe(kstInstant('2026-11-23 16:30'));
    expect(timeline[3]!.atMs).toBeGreaterThanOrEqual(timeline[2]!.atMs);
    expect(r.sim.stats().controlReplies.OPSP8996 ?? 0).toBe(0);
    // KR registrations were released on the way out; only the US ones remain
    expect(r.sim.registrations().map((x) => `${x.trId}:${x.trKey}`).sort()).toEqual(['HDFSCNT0:DNASAAPL', 'HDFSCNT0:DNASTSLA']);

    expect(r.sim.pushTick('HDFSCNT0', 'DNASAAPL')).toBe(1);
    await advanceUntil(r.clock, () => cache.usTick('AAPL') !== undefined, 'US tick');
    expect(cache.usTick('DNASAAPL')?.symbol).toBe('AAPL');
    expect(feed.status()).toMatchObject({ market: 'us', socketState: 'ready', ticksByMarket: { kr: 1, us: 1 }, switches: 2 });
  });
});
