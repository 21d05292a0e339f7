// Turns `coordination.redis_url` (+ KISD_REDIS_PASSWORD, + the CA file) into ioredis options, and refuses a
// Redis that would hold the access token without authentication. The password never appears in what this
// returns for display: `displayUrl` carries the host, port, database and user only.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { RedisOptions } from 'ioredis';
import { ConfigError } from '../../core/errors.js';

/** The `coordination` settings this module reads (schema.ts). */
export interface RedisSettings {
  redis_url?: string | undefined;
  allow_unauthenticated: boolean;
  redis_tls_ca_file?: string | undefined;
}

export interface ResolvedRedis {
  /** host/port/db/user/password/tls for ioredis (no connection behaviour; connection.ts adds that). */
  options: RedisOptions;
  /** The URL with any password replaced by "***", for logs, status and errors. */
  displayUrl: string;
  /** The password (URL or environment), so the caller can register it with the log scrubber. */
  password: string | undefined;
  tls: boolean;
}

/** The environment variable that may carry the Redis password (instead of the URL in a committed file). */
export const REDIS_PASSWORD_ENV = 'KISD_REDIS_PASSWORD';

/** "redis://user:secret@host:6379/0" → "redis://user:***@host:6379/0"; anything unparsable → "(invalid Redis URL)". */
export function displayRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid Redis URL)';
  }
}

/**
 * Resolves the settings for `env` (default process.env; `cwd` resolves a relative CA file). Throws ConfigError
 * naming the field and what to do when the URL is malformed, has no password and allow_unauthenticated is
 * false, or the CA file cannot be read.
 */
export function resolveRedis(s: RedisSettings, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ResolvedRedis {
  if (!s.redis_url) throw new ConfigError('coordination.redis_url: not set; coordination.backend "redis" needs a URL such as "rediss://kisd@redis.example:6380"', { field: 'coordination.redis_url' });
  let u: URL;
  try {
    u = new URL(s.redis_url);
  } catch {
    throw new ConfigError('coordination.redis_url: not a valid URL (expected "redis://host:6379" or "rediss://host:6380")', { field: 'coordination.redis_url' });
  }
  const displayUrl = displayRedisUrl(s.redis_url);
  const tls = u.protocol === 'rediss:';
  if (!tls && u.protocol !== 'redis:') throw new ConfigError(`coordination.redis_url: scheme "${u.protocol}" is not redis:// or rediss://`, { field: 'coordination.redis_url', url: displayUrl });
  const fromUrl = u.password ? decodeURIComponent(u.password) : undefined;
  const fromEnv = env[REDIS_PASSWORD_ENV] || undefined;
  const password = fromUrl ?? fromEnv;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  if (!password && !s.allow_unauthenticated) {
    throw new ConfigError(
      `coordination.redis_url: ${displayUrl} has no password, and Redis would hold the KIS access token. Set ${REDIS_PASSWORD_ENV} in the environment (or an ACL user and password in the URL), or set coordination.allow_unauthenticated: true if this Redis is reachable by nobody else`,
      { field: 'coordination.redis_url', url: displayUrl },
    );
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new ConfigError(`coordination.redis_url: database "${dbText}" is not a whole number (the path of ${displayUrl})`, { field: 'coordination.redis_url' });
  let ca: Buffer | undefined;
  if (s.redis_tls_ca_file) {
    const path = resolve(cwd, s.redis_tls_ca_file);
    try {
      ca = readFileSync(path);
    } catch (err) {
      throw new ConfigError(`coordination.redis_tls_ca_file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { field: 'coordination.redis_tls_ca_file' });
    }
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    // SNI takes a host name only (RFC 6066); an IP address is still checked against the certificate.
    ...(tls ? { tls: { ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}) } } : {}),
  };
  return { options, displayUrl, password, tls };
}
