// Where this process keeps the state every kisd on one app key must agree on — the access token, the approval
// key, their issue lock and pacing, the kill switch — from coordination.backend: the state directory's files
// (local, the default), or Redis over the host's files (redis: several hosts; the files are the mirror and
// the fallback while Redis is unreachable). The rate budget is chosen alongside, in the broker.
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { RedisConnection } from '../coord/index.js';
import { createFallbackNotice } from '../coord/redis/credential-fallback.js';
import { redisCredentialStores } from '../coord/redis/credential-store.js';
import { redisKillSwitchStore } from '../coord/redis/kill-switch-store.js';
import { fileCredentialStores, type CredentialStoreFactory } from '../kis/auth/index.js';
import { appKeyFingerprint } from '../net/budget/index.js';
import { fileKillSwitchStore, parseKillSwitchState, type KillSwitchStore } from '../trade/risk/index.js';

export interface SharedState {
  /** 'redis' when shared across hosts (then the kill switch is also re-read every second: no file watch sees another host). */
  readonly backend: 'local' | 'redis';
  readonly credentials: CredentialStoreFactory;
  readonly killSwitch: KillSwitchStore;
}

/**
 * stateDir: this process's state directory (the files, or Redis's mirror). appKey: read only on the Redis
 * path, where its fingerprint names the keys (so the local backend needs no credentials: `kisd risk` on a host
 * without them still reads and resets the switch). coordination: the process's one Redis connection when
 * coordination.backend is redis. alerts: where the "Redis unreachable" alert goes
 * (once per outage; the CLI has none and only logs).
 */
export function openSharedState(o: {
  stateDir: string;
  appKey: () => string;
  clock: Clock;
  logger: Logger;
  coordination?: RedisConnection | undefined;
  alerts?: AlertPort | undefined;
}): SharedState {
  const local = fileCredentialStores(o.stateDir);
  const localKillSwitch = fileKillSwitchStore({ stateDir: o.stateDir, clock: o.clock });
  const conn = o.coordination;
  if (!conn) return { backend: 'local', credentials: local, killSwitch: localKillSwitch };
  const log = o.logger.child({ component: 'shared-state' });
  // A virtual or scaled clock (time travel) cannot agree with other hosts on token expiry or pacing, as the
  // rate budget cannot (open-budget.ts): such a process keeps to its own state directory.
  if (!o.clock.hostMonotonicMs) {
    log.info({}, 'the clock is virtual: token, approval key and kill switch stay in this state directory, not in Redis');
    return { backend: 'local', credentials: local, killSwitch: localKillSwitch };
  }
  const notice = createFallbackNotice({ link: conn, clock: o.clock, log, alerts: o.alerts });
  return {
    backend: 'redis',
    credentials: redisCredentialStores({ client: conn.client, notice, local, displayUrl: conn.displayUrl }),
    killSwitch: redisKillSwitchStore({
      client: conn.client,
      notice,
      local: localKillSwitch,
      parse: parseKillSwitchState,
      keyFingerprint: appKeyFingerprint(o.appKey()),
      displayUrl: conn.displayUrl,
      clock: o.clock,
      log,
    }),
  };
}

/** How often a daemon on the Redis backend re-reads the shared kill switch. */
export const KILL_SWITCH_POLL_MS = 1000;

/**
 * Re-reads the shared kill switch every intervalMs (default KILL_SWITCH_POLL_MS): with Redis no file changes
 * when another host trips or resets it. A read still running when the next is due is not doubled (a slow
 * Redis must not stack reads); a failed read is logged and the next one tries again.
 */
export function pollSharedKillSwitch(o: { clock: Clock; logger: Logger; load: () => Promise<void>; intervalMs?: number }): { close(): void } {
  let running = false;
  const timer = o.clock.setInterval(() => {
    if (running) return;
    running = true;
    o.load()
      .catch((err: unknown) => o.logger.warn({ err }, 'reading the shared kill switch failed; trying again in a second'))
      .finally(() => void (running = false));
  }, o.intervalMs ?? KILL_SWITCH_POLL_MS);
  return { close: () => o.clock.clearInterval(timer) };
}
