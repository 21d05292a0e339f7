// Broker re-initialisation as `kisd run` does it (issue 9 item 4): the 6-hourly re-init and every token change
// (TokenWatch) renew the REST side only — a new HTTP pool, the next call re-reads the token. The realtime socket
// does not depend on the access token and is left alone: restarting it released every registration, waited the
// 3 s grace and re-subscribed, 7–16 s without ticks or execution notices in the middle of the session. The socket
// is replaced only when it is unhealthy (its own silence watchdog and reconnect; stale quotes → restartFeed), at
// the 08:30/16:30 market switch (the feed's schedule), or when its approval key is refused: the session re-issues
// the key in place on OPSP0011 and reconnects with a fresh one when the new key is refused too (control-replies.ts);
// every new connection reads the current key, so a key replaced by another process is picked up there.
import type { Logger } from 'pino';
import type { FeedBundle } from './feed-wiring.js';

export interface DaemonReinit {
  /** The TokenWatch's re-init (periodic, token changed): REST only. */
  reinit(reason: string): Promise<void>;
  /** A new socket: released, re-authorised and re-subscribed (the feed is unhealthy or its key changed). */
  restartFeed(reason: string): Promise<void>;
}

export function createDaemonReinit(o: { rest: { reinitRest(): void }; feed: Pick<FeedBundle, 'restart'> | undefined; logger: Logger }): DaemonReinit {
  return {
    reinit: async (reason) => {
      o.logger.info({ reason }, `broker re-initialisation (${reason}): new HTTP pool; the realtime socket stays up`);
      o.rest.reinitRest();
    },
    restartFeed: async (reason) => {
      if (!o.feed) return;
      o.logger.info({ reason }, `realtime feed restart (${reason}): new socket, released and re-subscribed`);
      await o.feed.restart();
    },
  };
}
