// Builds the dual market feed from config and attaches the daemon's own subscribers: the quote cache,
// Prometheus tick counters, one summary log line per interval (never one line per tick), and gap-fill: the KR
// connection's ups and downs feed the gap tracker, whose gaps the filler fills from KIS's minute chart.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { KisdConfig } from '../config/load.js';
import type { ApprovalKeyProvider } from '../kis/auth/types.js';
import { noticesFirst, type RealtimeEvent, type SubscriptionKey } from '../kis/ws/index.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import { EventBus, DualMarketFeed, QuoteCache, createGapFill, createWsFeedSessionFactory, type GapFiller, type MinuteChartPort } from '../feed/index.js';
import type { FeedGapsRepo, MinuteBarsRepo } from '../store/index.js';
import type { KisdMetrics } from '../health/index.js';

export interface FeedBundle {
  feed: DualMarketFeed;
  bus: EventBus<RealtimeEvent>;
  quotes: QuoteCache;
  /** Fills KR feed gaps; undefined when feed.gap_fill is off. */
  gapFiller: GapFiller | undefined;
  start(): void;
  /** Closes the socket and opens a fresh one (new approval key check, release + re-subscribe); subscribers stay. */
  restart(): Promise<void>;
  /**
   * The KR codes we hold (kisd's own open positions): on every (re)connection they are subscribed right after
   * our execution notices, before the rest of the watchlist.
   */
  prioritize(heldCodes: () => Iterable<string>): void;
  stop(): Promise<void>;
}

/** "NAS:AAPL" → "DNASAAPL" (fact sheet §5: D + exchange + symbol, the free US night-session feed). */
export function usWatchKey(entry: string): string {
  const [exchange, symbol] = entry.includes(':') ? entry.split(':') : ['NAS', entry];
  return `D${(exchange ?? 'NAS').toUpperCase()}${(symbol ?? '').toUpperCase()}`;
}

/**
 * Subscribe order: execution notices, then the codes we hold, then the rest. The held set is read at most once a
 * second (a reconnect ranks up to 41 keys in a burst; positions come from SQLite).
 */
function heldFirst(clock: Clock, heldCodes: () => Iterable<string>): (key: SubscriptionKey) => number {
  let cache: { atMs: number; codes: ReadonlySet<string> } | undefined;
  return (key) => {
    if (noticesFirst(key) === 0) return 0;
    const now = clock.monotonicMs();
    if (cache === undefined || now - cache.atMs >= 1000) cache = { atMs: now, codes: new Set([...heldCodes()].map((c) => c.trim().toUpperCase())) };
    return cache.codes.has(key.trKey) ? 1 : 2;
  };
}

export function createFeedBundle(o: {
  config: KisdConfig;
  clock: Clock;
  logger: Logger;
  wsUrl: string;
  approvalKeys: ApprovalKeyProvider;
  /** HTS id for execution-notice subscriptions ('' = none). */
  htsId: string;
  calendar: TradingCalendar;
  metrics: KisdMetrics;
  /** KIS's minute chart (broker.api) and where gaps and bars are kept (the store); without them, no gap-fill. */
  gapFill?: { minuteChart: MinuteChartPort; store: { feedGaps: FeedGapsRepo; minuteBars: MinuteBarsRepo } };
}): FeedBundle {
  const { config, clock, metrics } = o;
  const f = config.feed;
  const log = o.logger.child({ component: 'feed' });
  const bus = new EventBus<RealtimeEvent>({ log });
  const quotes = new QuoteCache();
  let held: () => Iterable<string> = () => [];
  const rank = heldFirst(clock, () => held());
  const sessions = createWsFeedSessionFactory({
    clock,
    log: o.logger.child({ component: 'ws' }),
    url: o.wsUrl,
    approvalKeys: o.approvalKeys,
    custtype: config.kis.custtype,
    maxSubscriptions: f.max_subscriptions,
    subscribeSpacingMs: f.subscribe_spacing_ms,
    keepaliveIntervalMs: f.keepalive_interval_sec * 1000,
    deadAfterSilenceMs: f.dead_after_silence_sec * 1000,
    releaseGraceMs: f.release_grace_ms,
    reconnect: { baseMs: f.reconnect_base_ms, capMs: f.reconnect_cap_ms, jitterMs: f.reconnect_jitter_ms },
    subscribeRank: rank,
  });
  const feed = new DualMarketFeed({
    clock,
    log,
    sessions,
    bus,
    calendar: o.calendar,
    // With the feed disabled nothing subscribes, so the watchlists are not held to the registration cap.
    krWatchlist: f.enabled ? [...f.kr_watchlist] : [],
    usWatchlist: f.enabled ? f.us_watchlist.map(usWatchKey) : [],
    maxSubscriptions: f.max_subscriptions,
    krOpen: f.kr_open,
    krClose: f.us_open,
    usHolidays: [...f.us_holidays],
    // Our own execution notices (encrypted), keyed by HTS id; paper uses the 9-suffixed TR (fact sheet §5).
    krExtra: o.htsId ? [{ trId: config.resolved.serverFlavor === 'paper' ? 'H0STCNI9' : 'H0STCNI0', trKey: o.htsId }] : [],
  });

  // Counted per event, flushed to Prometheus and the log once per interval: the hot path stays a Map update.
  const pending = new Map<string, number>();
  let lastEvent: RealtimeEvent | undefined;
  let windowCount = 0;
  const subscriptions = [
    quotes.attach(bus),
    bus.subscribe(
      (ev) => {
        const key = `${ev.kind}|${ev.trId}`;
        pending.set(key, (pending.get(key) ?? 0) + 1);
        windowCount += 1;
        lastEvent = ev;
      },
      { name: 'tick-summary', capacity: 10_000 },
    ),
  ];
  const gaps = f.enabled && f.gap_fill && o.gapFill ? createGapFill({ clock, log, calendar: o.calendar, feed, ...o.gapFill }) : undefined;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const flush = (): void => {
    for (const [key, n] of pending) {
      const [kind, trId] = key.split('|');
      metrics.ticks.inc({ market: kind === 'us-tick' ? 'US' : 'KR', tr_id: trId ?? '' }, n);
    }
    pending.clear();
    const s = feed.status();
    if (s.market !== 'none') metrics.wsSubscriptions.set({ market: s.market.toUpperCase() }, s.acknowledged);
  };
  const summarize = (): void => {
    flush();
    const s = feed.status();
    const last = lastEvent;
    const lastSymbol = last === undefined ? undefined : 'code' in last ? last.code : 'symbol' in last ? last.symbol : undefined;
    const lastPrice = last === undefined ? undefined : 'price' in last ? last.price : 'last' in last ? last.last : undefined;
    log.info(
      { market: s.market, socket: s.socketState, subscriptions: `${s.acknowledged}/${s.desired}`, events: windowCount, reconnects: s.reconnects, last: last ? { kind: last.kind, symbol: lastSymbol, price: lastPrice } : undefined },
      `feed: ${windowCount} events in the last ${f.tick_log_interval_sec} s on ${s.market} (${s.acknowledged}/${s.desired} subscriptions acknowledged)`,
    );
    windowCount = 0;
  };
  return {
    feed,
    bus,
    quotes,
    gapFiller: gaps?.filler,
    start: () => {
      gaps?.start();
      feed.start();
      timer = clock.setInterval(summarize, f.tick_log_interval_sec * 1000);
    },
    prioritize: (fn) => {
      held = fn;
    },
    restart: async () => {
      if (stopped) return; // a re-init racing shutdown must not open a new socket
      await feed.stop();
      if (!stopped) feed.start();
    },
    stop: async () => {
      stopped = true;
      clock.clearInterval(timer);
      await feed.stop();
      await gaps?.stop();
      flush();
      for (const sub of subscriptions) sub.unsubscribe();
    },
  };
}

