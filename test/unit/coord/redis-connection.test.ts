import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/load.js';
import { openRedisConnection, type RedisConnection } from '../../../src/coord/redis/connection.js';
import { displayRedisUrl, resolveRedis } from '../../../src/coord/redis/redis-options.js';
import { ConfigError } from '../../../src/core/errors.js';
import { scrubSecrets } from '../../../src/log/secrets.js';
import { describeWithRedis, startRedisServer, type TestRedis } from '../../helpers/redis-server.js';

const base = { allow_unauthenticated: false };

describe('Redis settings', () => {
  it('refuses a URL without a password unless allow_unauthenticated, and says what to do', () => {
    const err = (() => {
      try {
        resolveRedis({ ...base, redis_url: 'redis://10.0.0.5:6379' }, {});
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/coordination\.redis_url: redis:\/\/10\.0\.0\.5:6379 has no password/);
    expect(err!.message).toMatch(/KISD_REDIS_PASSWORD/);
    expect(err!.message).toMatch(/allow_unauthenticated: true/);
    expect(resolveRedis({ allow_unauthenticated: true, redis_url: 'redis://10.0.0.5:6379' }, {}).password).toBeUndefined();
  });

  it('takes the password from KISD_REDIS_PASSWORD, an ACL user from the URL, and TLS from rediss://', () => {
    const r = resolveRedis({ ...base, redis_url: 'rediss://kisd@redis.example:6380/2' }, { KISD_REDIS_PASSWORD: 'pw-from-env-123' });
    expect(r.options).toMatchObject({ host: 'redis.example', port: 6380, db: 2, username: 'kisd', password: 'pw-from-env-123', tls: { servername: 'redis.example' } });
    expect(r.tls).toBe(true);
    expect(r.displayUrl).toBe('rediss://kisd@redis.example:6380/2');
  });

  it('never shows the URL password: display form, CA file errors, and every log line', () => {
    expect(displayRedisUrl('redis://kisd:s3cret-pass@h:6379/0')).toBe('redis://kisd:***@h:6379/0');
    const r = resolveRedis({ ...base, redis_url: 'redis://kisd:s3cret-pass@h:6379' }, {});
    expect(r.password).toBe('s3cret-pass');
    expect(r.displayUrl).not.toContain('s3cret-pass');
    expect(() => resolveRedis({ ...base, redis_url: 'rediss://:s3cret-pass@h', redis_tls_ca_file: '/nonexistent/ca.pem' }, {})).toThrow(/coordination\.redis_tls_ca_file: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
    // The log scrubber masks a password in any URL, registered or not.
    expect(scrubSecrets('{"msg":"connect redis://kisd:other-pass@h:6379 failed"}')).toBe('{"msg":"connect redis://kisd:[REDACTED]@h:6379 failed"}');
    expect(scrubSecrets('see https://example.com/a:b@c')).toBe('see https://example.com/a:b@c');
  });

  it('config errors name the field and the accepted values', () => {
    expect(() => compileConfig({ coordination: { backend: 'etcd' } }, 'k.yaml')).toThrow(/k\.yaml: coordination\.backend: expected "local" \(one host, the default\) or "redis"/);
    expect(() => compileConfig({ coordination: { backend: 'redis' } }, 'k.yaml')).toThrow(/coordination\.redis_url: coordination\.backend "redis" needs redis_url/);
    expect(() => compileConfig({ coordination: { backend: 'redis', redis_url: 'http://h' } }, 'k.yaml')).toThrow(/coordination\.redis_url: expected a URL "redis:\/\/host:6379"/);
    expect(() => compileConfig({ coordination: { fallback_share: 1.5 } }, 'k.yaml')).toThrow(/coordination\.fallback_share: must be at most 1/);
    expect(compileConfig({}, 'k.yaml').coordination).toEqual({ backend: 'local', allow_unauthenticated: false, fallback_share: 0.1 });
  });
});

function nextState(c: RedisConnection): Promise<{ state: string; reason: string | undefined }> {
  return new Promise((resolve) => {
    const off = c.onChange((state, reason) => {
      off();
      resolve({ state, reason });
    });
  });
}

describeWithRedis('Redis connection (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('comes up, reports down once when Redis stops, and up again when it returns', async () => {
    const c = openRedisConnection({ settings: { ...base, redis_url: redis.urlWithoutPassword }, env: { KISD_REDIS_PASSWORD: redis.password } });
    try {
      expect(await c.settled()).toBe('up');
      expect(await c.client.ping()).toBe('PONG');
      const seen: string[] = [];
      c.onChange((s) => seen.push(s));
      const down = nextState(c);
      await redis.stop();
      expect((await down).state).toBe('down');
      // Commands fail fast while down instead of queueing.
      await expect(c.client.ping()).rejects.toThrow();
      const up = nextState(c);
      await redis.restart();
      expect((await up).state).toBe('up');
      expect(seen).toEqual(['down', 'up']);
      expect(await c.client.ping()).toBe('PONG');
    } finally {
      await c.close();
    }
  });

  it('close() is silent: no "down; reconnecting" warning and no down transition for a connection closed on purpose', async () => {
    const lines: { level: string; msg: string }[] = [];
    const log = { info: (_f: Record<string, unknown>, msg: string) => lines.push({ level: 'info', msg }), warn: (_f: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', msg }) };
    const c = openRedisConnection({ settings: { ...base, redis_url: redis.urlWithoutPassword }, env: { KISD_REDIS_PASSWORD: redis.password }, log });
    expect(await c.settled()).toBe('up');
    const seen: string[] = [];
    c.onChange((s) => seen.push(s));
    const ended = new Promise<void>((resolve) => (c.client.status === 'end' ? resolve() : c.client.once('end', () => resolve())));
    await c.close();
    // Every event of the close has fired once the client has ended (ioredis emits 'close' before 'end').
    await ended;
    expect(lines).toEqual([{ level: 'info', msg: 'Redis coordination is up' }]);
    expect(seen).toEqual([]);
  });

  it('a wrong password is "down" with an error that does not contain it', async () => {
    const wrong = 'not-the-password-42';
    const c = openRedisConnection({ settings: { ...base, redis_url: redis.urlWithoutPassword.replace('redis://', `redis://:${wrong}@`) } });
    try {
      expect(await c.settled()).toBe('down');
      expect(c.lastError()).toMatch(/WRONGPASS|invalid password|NOAUTH/i);
      expect(c.lastError()).not.toContain(wrong);
    } finally {
      await c.close();
    }
  });
});

describeWithRedis('Redis connection over TLS (rediss://, real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedisServer({ tls: true });
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('connects with the configured CA and refuses a server the CA did not sign', async () => {
    const good = openRedisConnection({ settings: { ...base, redis_url: redis.url, redis_tls_ca_file: redis.caFile } });
    const bad = openRedisConnection({ settings: { ...base, redis_url: redis.url } });
    try {
      expect(await good.settled()).toBe('up');
      expect(await good.client.ping()).toBe('PONG');
      expect(await bad.settled()).toBe('down');
      expect(bad.lastError()).toMatch(/certificate/i);
    } finally {
      await good.close();
      await bad.close();
    }
  });
});
