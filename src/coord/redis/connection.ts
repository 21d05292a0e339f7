// One Redis client for the coordination backend (rate budget, token, kill switch). It never throws at a
// caller because Redis is down: it reports up/down transitions so callers fall back to a local share and
// alert, and keeps reconnecting (at most every RECONNECT_CAP_MS) until Redis returns. Commands fail fast
// while the link is down (no offline queue): a budget decision waiting on a dead socket is worse than a
// conservative local one. The password is registered with the log scrubber and masked in every message.
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { registerSecret } from '../../log/secrets.js';
import { resolveRedis, type RedisSettings } from './redis-options.js';

export type RedisLinkState = 'connecting' | 'up' | 'down';

/** The log lines a connection writes (pino's signature). */
export interface CoordLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface RedisConnectionOptions {
  settings: RedisSettings;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: CoordLog;
  /** A command without a reply within this time fails (and counts as Redis trouble). Default 1000. */
  commandTimeoutMs?: number;
  /** TCP + TLS + AUTH must finish within this time. Default 2000. */
  connectTimeoutMs?: number;
}

export interface RedisConnection {
  readonly client: Redis;
  /** The URL with its password masked: safe for logs and `kisd status`. */
  readonly displayUrl: string;
  state(): RedisLinkState;
  /** The last error seen (password masked), for status and alerts. */
  lastError(): string | undefined;
  /** Called on every transition to 'up' or 'down' (never twice in a row with the same state). Returns an unsubscribe. */
  onChange(fn: (state: 'up' | 'down', reason: string | undefined) => void): () => void;
  /** Resolves with the first settled state ('up' or 'down'); at once when already settled. */
  settled(): Promise<'up' | 'down'>;
  /** Closes the client (pending commands fail); no reconnect follows, and the link's going down is not reported. */
  close(): Promise<void>;
}

const RECONNECT_BASE_MS = 100;
const RECONNECT_CAP_MS = 2_000;

/**
 * Opens the client at once (connecting in the background). Throws ConfigError (from resolveRedis) for a bad
 * URL or a Redis without authentication that the config does not explicitly allow; never for Redis being down.
 */
export function openRedisConnection(o: RedisConnectionOptions): RedisConnection {
  const resolved = resolveRedis(o.settings, o.env, o.cwd);
  registerSecret(resolved.password, { pinned: true });
  const mask = (text: string): string => (resolved.password ? text.split(resolved.password).join('***') : text);
  const client = new Redis({
    ...resolved.options,
    connectionName: `kisd-${hostname().replace(/[^A-Za-z0-9_.-]/g, '_')}-${process.pid}`,
    connectTimeout: o.connectTimeoutMs ?? 2_000,
    commandTimeout: o.commandTimeoutMs ?? 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Never give up: a host outlives a Redis restart. Back off to RECONNECT_CAP_MS so recovery is quick.
    retryStrategy: (times) => Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** Math.min(times, 10)),
  });
  let state: RedisLinkState = 'connecting';
  let lastError: string | undefined;
  // Set by close(): the link going down then is our own doing, not an outage (no warning, no listener).
  let closing = false;
  const listeners = new Set<(s: 'up' | 'down', reason: string | undefined) => void>();
  const waiting: ((s: 'up' | 'down') => void)[] = [];

  function become(next: 'up' | 'down'): void {
    if (state === next) return;
    state = next;
    if (closing) {
      for (const w of waiting.splice(0)) w(next);
      return;
    }
    if (next === 'up') o.log?.info({ redis: resolved.displayUrl }, 'Redis coordination is up');
    else o.log?.warn({ redis: resolved.displayUrl, err: lastError }, 'Redis coordination is down; reconnecting');
    for (const w of waiting.splice(0)) w(next);
    for (const fn of [...listeners]) {
      try {
        fn(next, next === 'down' ? lastError : undefined);
      } catch (err) {
        o.log?.warn({ err: mask((err as Error).message) }, 'a Redis state listener threw');
      }
    }
  }

  client.on('ready', () => become('up'));
  client.on('error', (err: Error) => {
    lastError = mask(err.message);
  });
  client.on('close', () => become('down'));
  client.on('end', () => become('down'));

  return {
    client,
    displayUrl: resolved.displayUrl,
    state: () => state,
    lastError: () => lastError,
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    settled: () => (state === 'connecting' ? new Promise((r) => waiting.push(r)) : Promise.resolve(state)),
    async close() {
      closing = true;
      listeners.clear();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
