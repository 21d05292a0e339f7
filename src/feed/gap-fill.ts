// Gap-fill assembled: the dual market feed's KR connection ups and downs drive the gap tracker, whose gaps the
// filler fills from KIS's minute chart for the feed's KR watchlist. The daemon (feed-wiring.ts) and the
// end-to-end tests build it through here, so both run the same wiring.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import type { FeedGapsRepo, MinuteBarsRepo } from '../store/index.js';
import type { DualMarketFeed } from './dual-market-feed.js';
import { GapFiller, type GapFillerOptions, type MinuteChartPort } from './gap-filler.js';
import { FeedGapTracker } from './gap-tracker.js';

export interface GapFillOptions {
  clock: Clock;
  log: Logger;
  calendar: TradingCalendar;
  feed: DualMarketFeed;
  /** KIS's minute chart (KisRestApi fits). */
  minuteChart: MinuteChartPort;
  store: { feedGaps: FeedGapsRepo; minuteBars: MinuteBarsRepo };
  /** Filler tuning (tests). */
  filler?: Pick<GapFillerOptions, 'settleMs' | 'retry' | 'random'>;
}

export interface GapFill {
  readonly filler: GapFiller;
  /** Reads the heartbeat (the gap a restart left), resumes today's pending gaps, starts listening to the feed. */
  start(): void;
  /** Call after the feed has stopped (its last down writes the heartbeat); a fill in progress stays pending. */
  stop(): Promise<void>;
}

export function createGapFill(o: GapFillOptions): GapFill {
  const filler = new GapFiller({
    clock: o.clock, log: o.log, source: o.minuteChart, gaps: o.store.feedGaps, bars: o.store.minuteBars, symbols: () => o.feed.krWatchlist(), ...o.filler,
  });
  const tracker = new FeedGapTracker({ clock: o.clock, calendar: o.calendar, heartbeat: o.store.feedGaps, onGap: (gap) => filler.record(gap) });
  let unsubscribe: (() => void) | undefined;
  return {
    filler,
    start: () => {
      tracker.start();
      filler.resumePending();
      unsubscribe = o.feed.onConnection((market, ev) => {
        if (market !== 'kr') return;
        if (ev.state === 'up') tracker.connectionUp();
        else tracker.connectionDown(ev.reason);
      });
    },
    stop: async () => {
      unsubscribe?.();
      tracker.stop();
      await filler.stop();
    },
  };
}
