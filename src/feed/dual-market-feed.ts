// Dual market feed (seed 001 §2.2): the KR socket 08:30-16:30 KST (H0STCNT0/H0STASP0 for a watchlist), the
// US socket 16:30-08:30 KST (HDFSCNT0, "DNASAAPL"-style keys), switching at exactly those instants. KIS
// allows one session per app key, so the old socket is released and closed before the new one opens —
// never two at once. Days off keep both closed. Every record goes to the bus.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import type { RealtimeEvent } from '../kis/ws/events.js';
import type { SubscriptionKey } from '../kis/ws/subscription-table.js';
import { TR } from '../kis/ws/wire.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import type { EventBus } from './bus.js';
import type { FeedConnectionEvent, FeedRegistration, FeedSession, FeedSessionFactory } from './feed-session.js';
import {
  compileMarketSchedule, marketAt, nextSwitchMs,
  type Market, type MarketOrNone, type MarketSchedule, type MarketScheduleOptions,
} from './market-schedule.js';

export interface DualMarketFeedOptions extends MarketScheduleOptions {
  clock: Clock;
  log: Logger;
  sessions: FeedSessionFactory;
  bus: EventBus<RealtimeEvent>;
  calendar: TradingCalendar;
  /** Domestic codes (6 chars, e.g. "005930", "0088M0"). */
  krWatchlist?: readonly string[];
  /** TRs per domestic code. Default ["H0STCNT0", "H0STASP0"]. */
  krTrIds?: readonly string[];
  /** Overseas keys: "D"/"R" + exchange + symbol, e.g. "DNASAAPL". */
  usWatchlist?: readonly string[];
  /** TRs per overseas key. Default ["HDFSCNT0"]. */
  usTrIds?: readonly string[];
  /** More registrations per market, e.g. execution notices { trId: "H0STCNI0", trKey: htsId }. */
  krExtra?: readonly SubscriptionKey[];
  usExtra?: readonly SubscriptionKey[];
  /** Registration cap per socket. Default 40. */
  maxSubscriptions?: number;
  /** Re-check the schedule at least this often (wall-clock steps, timer drift). Default 60000. */
  recheckMs?: number;
}

export interface DualMarketFeedStatus {
  market: MarketOrNone;
  socketState: string;
  desired: number;
  acknowledged: number;
  ticksReceived: number;
  ticksByMarket: Record<Market, number>;
  recordsReceived: number;
  reconnects: number;
  switches: number;
  lastTickAtMs: number | undefined;
  nextCheckAtMs: number | undefined;
}

const KR_CODE = /^[0-9A-Z]{6}$/;
const US_KEY = /^[DR][A-Z]{3}[A-Z0-9.\-/]+$/;

export class DualMarketFeed {
  private readonly schedule: MarketSchedule;
  private readonly log: Logger;
  private readonly cap: number;
  private readonly recheckMs: number;
  private krList: SubscriptionKey[] = [];
  private krCodes: readonly string[] = [];
  private readonly connectionListeners = new Set<(market: Market, event: FeedConnectionEvent) => void>();
  private usList: SubscriptionKey[] = [];
  private current: { market: Market; session: FeedSession } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private timer: TimerHandle | undefined;
  private nextCheckAtMs: number | undefined;
  private running = false;
  private ticks: Record<Market, number> = { kr: 0, us: 0 };
  private records = 0;
  private lastTickAtMs: number | undefined;
  private switches = 0;
  private closedReconnects = 0;

  constructor(private readonly o: DualMarketFeedOptions) {
    this.schedule = compileMarketSchedule(o);
    this.log = o.log.child({ component: 'dual-market-feed' });
    this.cap = o.maxSubscriptions ?? 40;
    this.recheckMs = o.recheckMs ?? 60_000;
    this.setWatchlist('kr', o.krWatchlist ?? []);
    this.setWatchlist('us', o.usWatchlist ?? []);
  }

  /** Opens the socket the schedule wants now and follows the schedule until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.enqueue();
  }

  /** Closes whatever is open (releasing its registrations) and stops following the schedule. */
  async stop(): Promise<void> {
    this.running = false;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextCheckAtMs = undefined;
    this.enqueue();
    await this.chain;
  }

  /** Replaces a market's watchlist; applied at once if that market's socket is open. Throws ConfigError past the cap. */
  setWatchlist(market: Market, keys: readonly string[]): void {
    const list = market === 'kr' ? this.buildKr(keys) : this.buildUs(keys);
    if (list.length > this.cap) {
      throw new ConfigError(`${market} watchlist needs ${list.length} registrations; one socket allows ${this.cap}`, { field: `${market}Watchlist`, max: this.cap });
    }
    if (market === 'kr') {
      this.krList = list;
      this.krCodes = [...new Set(keys)];
    } else this.usList = list;
    if (this.current?.market === market) this.current.session.setDesired(list);
  }

  /** The KR codes the watchlist subscribes (what gap-fill fills). */
  krWatchlist(): readonly string[] {
    return this.krCodes;
  }

  /** Every connection up and down of either market's socket (the gap tracker listens); returns an unsubscribe. */
  onConnection(listener: (market: Market, event: FeedConnectionEvent) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** The market the schedule wants at nowMs (for status and tests). */
  marketAt(nowMs: number): MarketOrNone {
    return marketAt(nowMs, this.schedule, this.o.calendar, (err) => this.log.error({ err: errorMessage(err) }, 'trading calendar failed; assuming a trading day'));
  }

  /** The open socket's desired registrations with their state ([] when closed). */
  registrations(): FeedRegistration[] {
    return this.current?.session.registrations?.() ?? [];
  }

  status(): DualMarketFeedStatus {
    const s = this.current?.session.status();
    return {
      market: this.current?.market ?? 'none',
      socketState: s?.state ?? 'closed',
      desired: s?.desired ?? 0,
      acknowledged: s?.acknowledged ?? 0,
      ticksReceived: this.ticks.kr + this.ticks.us,
      ticksByMarket: { ...this.ticks },
      recordsReceived: this.records,
      reconnects: this.closedReconnects + (s?.reconnects ?? 0),
      switches: this.switches,
      lastTickAtMs: this.lastTickAtMs,
      nextCheckAtMs: this.nextCheckAtMs,
    };
  }

  private buildKr(codes: readonly string[]): SubscriptionKey[] {
    for (const c of codes) if (!KR_CODE.test(c)) throw new ConfigError(`krWatchlist: ${JSON.stringify(c)} is not a 6-character code`, { field: 'krWatchlist' });
    const trIds = this.o.krTrIds ?? [TR.krTick, TR.krBook];
    return dedupe([...codes.flatMap((trKey) => trIds.map((trId) => ({ trId, trKey }))), ...(this.o.krExtra ?? [])]);
  }

  private buildUs(keys: readonly string[]): SubscriptionKey[] {
    for (const k of keys) if (!US_KEY.test(k)) throw new ConfigError(`usWatchlist: ${JSON.stringify(k)} is not a D/R+exchange+symbol key like DNASAAPL`, { field: 'usWatchlist' });
    const trIds = this.o.usTrIds ?? [TR.usTick];
    return dedupe([...keys.flatMap((trKey) => trIds.map((trId) => ({ trId, trKey }))), ...(this.o.usExtra ?? [])]);
  }

  /** Transitions run one at a time, in order: a switch never overlaps another. */
  private enqueue(): void {
    this.chain = this.chain.then(() => this.apply()).catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'market switch failed'));
  }

  private async apply(): Promise<void> {
    try {
      const target: MarketOrNone = this.running ? this.marketAt(this.o.clock.nowMs()) : 'none';
      if (target === (this.current?.market ?? 'none')) return;
      const old = this.current;
      if (old !== undefined) {
        this.log.info({ market: old.market, next: target }, 'closing market socket');
        this.current = undefined;
        this.closedReconnects += old.session.status().reconnects;
        await old.session.stop(); // released and closed before anything else opens
      }
      if (target !== 'none' && this.running) {
        const session = this.o.sessions.create(target, (ev) => this.onEvent(target, ev));
        session.onConnection?.((ev) => this.onConnectionEvent(target, ev));
        session.setDesired(target === 'kr' ? this.krList : this.usList);
        this.current = { market: target, session };
        this.switches++;
        this.log.info({ market: target }, 'opening market socket');
        session.start();
      }
    } finally {
      this.arm(); // whatever happened, keep following the schedule
    }
  }

  /** Re-check at the next switch instant, or after recheckMs, whichever is first. */
  private arm(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const now = this.o.clock.nowMs();
    const delay = Math.max(1, Math.min(nextSwitchMs(now, this.schedule) - now, this.recheckMs));
    this.nextCheckAtMs = now + delay;
    this.timer = this.o.clock.setTimeout(() => this.enqueue(), delay);
  }

  private onConnectionEvent(market: Market, ev: FeedConnectionEvent): void {
    for (const l of this.connectionListeners) {
      try {
        l(market, ev);
      } catch (err) {
        this.log.error({ err: errorMessage(err), market, state: ev.state }, 'feed connection listener threw');
      }
    }
  }

  private onEvent(market: Market, ev: RealtimeEvent): void {
    this.records++;
    if (ev.kind === 'kr-tick' || ev.kind === 'us-tick') {
      this.ticks[market]++;
      this.lastTickAtMs = ev.receivedAtMs;
    }
    this.o.bus.publish(ev);
  }
}

function dedupe(list: SubscriptionKey[]): SubscriptionKey[] {
  const seen = new Map<string, SubscriptionKey>();
  for (const k of list) seen.set(`${k.trId}|${k.trKey}`, k);
  return [...seen.values()];
}
