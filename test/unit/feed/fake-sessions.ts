// A FeedSessionFactory double: records every open/close instant on the fake clock, no sockets.
import type { Clock } from '../../../src/core/clock.js';
import type { RealtimeEvent } from '../../../src/kis/ws/events.js';
import type { SubscriptionKey } from '../../../src/kis/ws/subscription-table.js';
import type { FeedSession, FeedSessionFactory } from '../../../src/feed/feed-session.js';
import type { Market } from '../../../src/feed/market-schedule.js';

export interface SessionRecord {
  market: Market;
  openedAtMs: number;
  stopRequestedAtMs?: number;
  closedAtMs?: number;
  desired: SubscriptionKey[];
  sink: (ev: RealtimeEvent) => void;
}

export class FakeFeedSessions implements FeedSessionFactory {
  readonly records: SessionRecord[] = [];
  open = 0;
  maxOpen = 0;

  constructor(
    private readonly clock: Clock,
    private readonly stopDelayMs = 0,
  ) {}

  create(market: Market, sink: (ev: RealtimeEvent) => void): FeedSession {
    const rec: SessionRecord = { market, openedAtMs: Number.NaN, desired: [], sink };
    let started = false;
    return {
      start: () => {
        started = true;
        rec.openedAtMs = this.clock.nowMs();
        this.records.push(rec);
        this.open++;
        this.maxOpen = Math.max(this.maxOpen, this.open);
      },
      stop: async () => {
        rec.stopRequestedAtMs = this.clock.nowMs();
        if (this.stopDelayMs > 0) await this.clock.sleep(this.stopDelayMs);
        rec.closedAtMs = this.clock.nowMs();
        if (started) this.open--;
      },
      setDesired: (list) => {
        rec.desired = [...list];
      },
      status: () => ({ state: 'ready', desired: rec.desired.length, acknowledged: rec.desired.length, reconnects: 1 }),
    };
  }
}
