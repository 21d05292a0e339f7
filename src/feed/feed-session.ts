// Port between the dual market feed and a realtime socket: the feed only opens, closes and retargets
// sessions, so a fake factory can record open/close instants without sockets (week-long schedule tests).
import type { RealtimeEvent } from '../kis/ws/events.js';
import type { SubscriptionKey } from '../kis/ws/subscription-table.js';
import type { WsSessionOptions } from '../kis/ws/session-options.js';
import { WsSession } from '../kis/ws/session.js';
import type { Market } from './market-schedule.js';

export interface FeedSessionStatus {
  state: string;
  desired: number;
  acknowledged: number;
  reconnects: number;
}

/** A connection is serving (every desired key requested on it) or has ended (the session's end reason). */
export type FeedConnectionEvent = { state: 'up' } | { state: 'down'; reason: string };

export interface FeedSession {
  start(): void;
  /** Releases the registrations and closes; resolves when the socket is gone (or its deadline passed). */
  stop(): Promise<void>;
  setDesired(list: readonly SubscriptionKey[]): void;
  status(): FeedSessionStatus;
  /** Desired registrations with their server-side state (the status page); optional for fakes. */
  registrations?(): FeedRegistration[];
  /** Connection ups and downs (gap tracking); optional for fakes. */
  onConnection?(listener: (event: FeedConnectionEvent) => void): void;
}

export interface FeedRegistration {
  trId: string;
  trKey: string;
  /** 'acked' = the server confirmed it; 'none' = not sent on this connection yet. */
  state: string;
}

export interface FeedSessionFactory {
  create(market: Market, sink: (event: RealtimeEvent) => void): FeedSession;
}

export interface WsFeedSessionFactoryOptions extends Omit<WsSessionOptions, 'sink' | 'url'> {
  /** Socket URL for both markets (KIS serves both on one host), or per market (seed 001 "switch_url"). */
  url: string | { kr: string; us: string };
}

/** The real factory: one WsSession per market period, all on the same app key's approval key. */
export function createWsFeedSessionFactory(options: WsFeedSessionFactoryOptions): FeedSessionFactory {
  return {
    create(market, sink) {
      const url = typeof options.url === 'string' ? options.url : options.url[market];
      const session = new WsSession({ ...options, url, sink, log: options.log.child({ market }) });
      return {
        start: () => session.start(),
        stop: () => session.stop(),
        setDesired: (list) => session.setDesired(list),
        registrations: () => session.registrations(),
        onConnection: (listener) => {
          session.on((ev) => {
            if (ev.type === 'ready') listener({ state: 'up' });
            else if (ev.type === 'closed') listener({ state: 'down', reason: ev.reason });
          });
        },
        status: () => {
          const s = session.status();
          return { state: s.state, desired: s.desired, acknowledged: s.acknowledged, reconnects: s.counters.reconnects };
        },
      };
    },
  };
}
