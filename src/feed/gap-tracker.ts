// Feed gaps (issue 13 item 3, seed 001 "누락 데이터 보정"): the intervals of the KRX regular session (09:00–15:30
// KST) the realtime feed did not cover. The dual market feed reports each KR connection going up (every key
// requested) and down (closed, dead, stopped); the time between a down and the next up, clipped to that day's
// session, is a gap. A heartbeat (the last instant the feed was known up) survives the process, so the gap a
// restart or a stop left is found on the next start. Only the KR session is tracked: KIS's minute chart, the
// only way to fill a gap, is domestic.
import type { Clock, TimerHandle } from '../core/clock.js';
import { kstAt, kstYmd } from '../core/kst.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import { isKrTradingDay } from './market-schedule.js';

/** One missed interval of the KR session, epoch ms [fromMs, toMs). */
export interface FeedGap {
  /** KST trading day "YYYYMMDD". */
  day: string;
  fromMs: number;
  toMs: number;
  /** Why the feed was down when the gap began: a connection end reason, 'restart' or 'stopped'. */
  reason: string;
}

/** Where the tracker keeps "the feed was last known up at" (feed_heartbeat in the store fits). */
export interface FeedHeartbeatStore {
  aliveAt(market: 'KR'): number | undefined;
  setAliveAt(market: 'KR', atMs: number): void;
}

export interface FeedGapTrackerOptions {
  clock: Clock;
  calendar: TradingCalendar;
  heartbeat: FeedHeartbeatStore;
  onGap: (gap: FeedGap) => void;
  /** KR regular session, minutes of the KST day. Default 09:00–15:30. */
  sessionOpenMinute?: number;
  sessionCloseMinute?: number;
  /** How often the heartbeat is written while the feed is up. Default 30000 ms. */
  heartbeatEveryMs?: number;
}

const KR_OPEN_MINUTE = 9 * 60;
const KR_CLOSE_MINUTE = 15 * 60 + 30;

/**
 * The part of [fromMs, toMs) inside the KR session of toMs's KST day, or undefined. Only that day counts: KIS's
 * minute chart serves the current day alone, so an earlier day's loss cannot be filled anyway.
 */
export function clipToKrSession(fromMs: number, toMs: number, calendar: TradingCalendar, openMinute = KR_OPEN_MINUTE, closeMinute = KR_CLOSE_MINUTE): { day: string; fromMs: number; toMs: number } | undefined {
  if (!(toMs > fromMs) || !isKrTradingDay(toMs, calendar)) return undefined;
  const start = Math.max(fromMs, kstAt(toMs, openMinute));
  const end = Math.min(toMs, kstAt(toMs, closeMinute));
  return end > start ? { day: kstYmd(toMs), fromMs: start, toMs: end } : undefined;
}

export class FeedGapTracker {
  private downSince: { atMs: number; reason: string } | undefined;
  private up = false;
  private timer: TimerHandle | undefined;

  constructor(private readonly o: FeedGapTrackerOptions) {}

  /**
   * Takes the feed as down since the last heartbeat (the previous process's last sign of life), so the first
   * connection of this process closes the gap a restart left. No heartbeat: nothing is known, no gap.
   */
  start(): void {
    const alive = this.o.heartbeat.aliveAt('KR');
    this.downSince = alive === undefined ? undefined : { atMs: alive, reason: 'restart' };
    this.timer = this.o.clock.setInterval(() => {
      if (this.up) this.o.heartbeat.setAliveAt('KR', this.o.clock.nowMs());
    }, this.o.heartbeatEveryMs ?? 30_000);
  }

  stop(): void {
    this.o.clock.clearInterval(this.timer);
    this.timer = undefined;
    if (this.up) this.connectionDown('stopped');
  }

  /** The KR connection is serving again (every desired key requested): closes the open gap, if any. */
  connectionUp(): void {
    const nowMs = this.o.clock.nowMs();
    this.up = true;
    this.o.heartbeat.setAliveAt('KR', nowMs);
    const down = this.downSince;
    this.downSince = undefined;
    if (!down) return;
    const clipped = clipToKrSession(down.atMs, nowMs, this.o.calendar, this.o.sessionOpenMinute, this.o.sessionCloseMinute);
    if (clipped) this.o.onGap({ ...clipped, reason: down.reason });
  }

  /** The KR connection ended (reason: the session's end reason). The first down since the last up starts the gap. */
  connectionDown(reason: string): void {
    const nowMs = this.o.clock.nowMs();
    if (this.up) this.o.heartbeat.setAliveAt('KR', nowMs);
    this.up = false;
    this.downSince ??= { atMs: nowMs, reason };
  }
}
