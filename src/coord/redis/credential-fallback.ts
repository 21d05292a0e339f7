// When a Redis-backed store cannot reach Redis it falls back to the host's own files; this is the one place
// that says so: one warning and one alert per outage (not one per call), and a log line when Redis answers
// again. Shared by the credential stores (token, approval key) and the kill-switch store of one process.
// A daemon therefore raises two alerts for one outage, on purpose: this WARNING (a trip on another host is not
// seen, each host paces its own token issues) and the rate budget's ERROR (open-budget.ts: this host drops to
// its fallback share). Different consequences, levels and fixes-in-the-meantime; each names the other.
import type { Logger } from 'pino';
import type { AlertPort } from '../../core/alert.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';

/** The part of the Redis connection a store needs: the link state, and a wait for the first connect. */
export interface RedisLink {
  state(): 'connecting' | 'up' | 'down';
  /** Resolves with the first settled state; at once when already settled. */
  settled(): Promise<'up' | 'down'>;
  /** The URL with its password masked. */
  readonly displayUrl: string;
}

export interface FallbackNotice {
  /** May Redis be tried now? Waits for the first connect (bounded by the connect timeout); false while down. */
  usable(): Promise<boolean>;
  /** A Redis call failed (or Redis is down): warn and alert once per outage. */
  failed(what: string, err: unknown): void;
  /** A Redis call succeeded: ends the outage (logged once). */
  succeeded(): void;
  /** True while this process is running on its local files. */
  degraded(): boolean;
}

export function createFallbackNotice(o: { link: RedisLink; clock: Clock; log: Logger; alerts?: AlertPort | undefined }): FallbackNotice {
  let down = false;
  let since = 0;
  return {
    async usable() {
      const state = o.link.state() === 'connecting' ? await o.link.settled() : o.link.state();
      if (state !== 'up') this.failed('Redis is not connected', new Error(`link ${state}`));
      return state === 'up';
    },
    failed(what, err) {
      if (down) return;
      down = true;
      since = o.clock.monotonicMs();
      const reason = `${what}: ${errorMessage(err)}`;
      o.log.warn({ redis: o.link.displayUrl, err: reason }, 'Redis unreachable: token, approval key and kill switch fall back to this host\'s files (at most one token issue a minute from this host)');
      void o.alerts
        ?.send({
          key: 'coordination-redis-fallback:credentials',
          level: 'WARNING',
          title: 'Redis unreachable: token and kill switch shared by this host only',
          what: `kisd could not use Redis at ${o.link.displayUrl} (${reason}). The access token, approval key, their issue pacing and the kill switch fall back to this host's state files. (The same outage limits this host's rate budget to its fallback share: that is the separate ERROR alert "Redis unreachable: this host uses …".)`,
          tried: 'Each host now issues at most one token a minute on its own; a kill switch tripped on another host is not seen here until Redis answers.',
          nextSteps: 'Bring Redis back; kisd resumes by itself and publishes its current token instead of issuing a new one.',
        })
        .catch(() => undefined);
    },
    succeeded() {
      if (!down) return;
      down = false;
      o.log.info({ redis: o.link.displayUrl, downForMs: o.clock.monotonicMs() - since }, 'Redis answers again: token, approval key and kill switch are shared across hosts again');
    },
    degraded: () => down,
  };
}
