// The access token and approval key shared across hosts through Redis (issue 11 item 2), behind the same
// port as the one-host file store (src/kis/auth/credential-store.ts): the record under
// `kisd:<fingerprint>:<name>` (the same JSON the 0600 file holds: the token, never the app key or secret),
// the issue lock as SET NX PX with an owner token (released and extended by compare-and-act scripts), and
// "one issue a minute per app key" as a key that Redis itself expires (`…:last-issue`, PX = the interval),
// so every host reads one clock: Redis's.
// The host's files stay underneath: every value is mirrored to them, their lock is taken first, their pacer
// is consulted too. When Redis cannot be reached each call falls back to them (at most one issue a minute
// from this host, never a burst); when Redis answers again, a token this host holds that Redis lacks, or
// one it issued meanwhile that is newer than Redis's, is published instead of issuing another.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { KisdError, errorMessage } from '../../core/errors.js';
import type { FallbackNotice } from './credential-fallback.js';

/** What a shared credential record holds (kis/auth CredentialRecord; declared here so coord does not import kis). */
interface SharedCredential {
  fingerprint: string;
  value: string;
  issuedAtEpochMs: number;
  expiresAtEpochMs: number;
}

type StoreRead<R> = { kind: 'absent' } | { kind: 'ok'; value: R } | { kind: 'corrupt'; reason: string; quarantinedTo: string | undefined };

/** The kis/auth CredentialStore port, structurally. */
interface Store<R> {
  readonly where: string;
  read(opts: { quarantine: boolean }): Promise<StoreRead<R>>;
  write(value: R): Promise<void>;
  remove(value: string): Promise<void>;
  withLock<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  issueDelayMs(): Promise<number>;
  recordIssueAttempt(): Promise<void>;
}

/** The kis/auth CredentialStoreSpec, structurally. */
interface Spec<R> {
  name: 'token' | 'approval';
  what: string;
  schema: z.ZodType<R>;
  fingerprint: string;
  minIssueIntervalMs: number;
  lockStaleMs: number;
  lockAcquireTimeoutMs: number;
  clock: Clock;
  log: Logger;
}

type Factory = <R extends SharedCredential>(spec: Spec<R>) => Store<R>;

export interface RedisCredentialStoresOptions {
  client: Redis;
  /** Shared with the kill-switch store: one warning and one alert per outage. */
  notice: FallbackNotice;
  /** The host's file stores (fileCredentialStores(stateDir)): mirror and fallback. */
  local: Factory;
  /** The Redis URL with its password masked, for `where`. */
  displayUrl: string;
}

/** Key names: never the app key, only its fingerprint (credentialFingerprint: app key + server). */
export function credentialKeys(fingerprint: string, name: string): { value: string; lock: string; lastIssue: string; rejected: string } {
  const base = `kisd:${fingerprint}:${name}`;
  return { value: base, lock: `${base}:lock`, lastIssue: `${base}:last-issue`, rejected: `${base}:rejected` };
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
// Redis's own clock, so hosts with skewed clocks still space their issues a full interval apart.
const RECORD_ATTEMPT = `local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ms, 'PX', ARGV[1])
return ms`;
// Publishes ARGV[1] unless Redis already holds a record issued at or after ARGV[2] (a newer token wins), or
// the value was rejected by KIS on some host (KEYS[2] holds the SHA-1 of rejected values): a host whose mirror
// still holds a token another host saw refused must not put it back while that host issues a new one.
const PUBLISH_IF_NEWER = `local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, rec = pcall(cjson.decode, cur)
  if ok and type(rec) == 'table' and tonumber(rec.issuedAtEpochMs) and tonumber(rec.issuedAtEpochMs) >= tonumber(ARGV[2]) then return 0 end
end
local mine = cjson.decode(ARGV[1])
if redis.call('SISMEMBER', KEYS[2], redis.sha1hex(tostring(mine.value))) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;
// Drops the record only if it still holds the rejected value (another host may have replaced it), and
// remembers the value as rejected (its SHA-1, never the value) for a day.
const REMOVE_IF_VALUE = `redis.call('SADD', KEYS[2], redis.sha1hex(ARGV[1]))
redis.call('PEXPIRE', KEYS[2], 86400000)
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, rec = pcall(cjson.decode, cur)
if (not ok) or type(rec) ~= 'table' or rec.value == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const LOCK_RETRY_MS = 50;
const CORRUPT_KEEP_SEC = 7 * 86_400;

export function redisCredentialStores(o: RedisCredentialStoresOptions): Factory {
  const { client, notice } = o;
  return <R extends SharedCredential>(spec: Spec<R>): Store<R> => {
    const { clock, log, what } = spec;
    const local = o.local(spec);
    const keys = credentialKeys(spec.fingerprint, spec.name);
    // Issued (or adopted) while Redis was unreachable: published when Redis answers, if still newer.
    let unpublished: R | undefined;
    // The value last written to the host file, so a re-read does not rewrite it.
    let mirrored: string | undefined;
    const ttlMs = (r: R): number => Math.max(1000, r.expiresAtEpochMs - clock.nowMs());

    async function mirror(r: R): Promise<void> {
      if (mirrored === r.value) return;
      try {
        await local.write(r);
        mirrored = r.value;
      } catch (err) {
        log.warn({ path: local.where, err: errorMessage(err) }, `could not mirror the ${what} to this host's file (the fallback if Redis goes away)`);
      }
    }

    async function publish(r: R, why: string): Promise<boolean> {
      const done = (await client.eval(PUBLISH_IF_NEWER, 2, keys.value, keys.rejected, JSON.stringify(r), String(r.issuedAtEpochMs), String(ttlMs(r)))) === 1;
      if (done) log.info({ key: keys.value, expiresAtEpochMs: r.expiresAtEpochMs }, `${what} published to Redis (${why}), not re-issued`);
      return done;
    }

    function parse(text: string): { ok: true; value: R } | { ok: false; reason: string } {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { ok: false, reason: 'not valid JSON' };
      }
      const parsed = spec.schema.safeParse(json);
      if (parsed.success) return { ok: true, value: parsed.data };
      return { ok: false, reason: `schema mismatch at ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}` };
    }

    async function readRedis(opts: { quarantine: boolean }): Promise<StoreRead<R>> {
      const text = await client.get(keys.value);
      if (text === null) {
        // Redis lost it (restarted without persistence, flushed) or never had it: offer this host's copy.
        const mine = await local.read(opts);
        if (mine.kind === 'ok' && mine.value.fingerprint === spec.fingerprint && mine.value.expiresAtEpochMs > clock.nowMs()) {
          await publish(mine.value, 'Redis had none');
          unpublished = undefined;
        }
        return mine;
      }
      const parsed = parse(text);
      if (!parsed.ok) {
        if (!opts.quarantine) {
          log.warn({ key: keys.value, reason: parsed.reason }, `the ${what} in Redis is invalid; ignoring it until it can be set aside under the lock`);
          return { kind: 'corrupt', reason: parsed.reason, quarantinedTo: undefined };
        }
        const aside = `${keys.value}:corrupt:${clock.nowMs()}`;
        await client.rename(keys.value, aside).catch(() => undefined);
        await client.expire(aside, CORRUPT_KEEP_SEC).catch(() => undefined);
        log.error({ key: keys.value, reason: parsed.reason, quarantinedTo: aside }, `the ${what} in Redis is invalid; moved aside and will be replaced`);
        return { kind: 'corrupt', reason: parsed.reason, quarantinedTo: aside };
      }
      if (unpublished) {
        const mine = unpublished;
        unpublished = undefined;
        if (mine.issuedAtEpochMs > parsed.value.issuedAtEpochMs && mine.expiresAtEpochMs > clock.nowMs() && (await publish(mine, 'issued while Redis was unreachable'))) {
          return { kind: 'ok', value: mine };
        }
      }
      await mirror(parsed.value);
      return { kind: 'ok', value: parsed.value };
    }

    /** Runs a Redis step, or the local one when Redis is down or the step fails. */
    async function either<T>(step: string, viaRedis: () => Promise<T>, viaLocal: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (!(await notice.usable())) return viaLocal();
      let result: T;
      try {
        result = await viaRedis();
      } catch (err) {
        // Our own verdicts (lock timeout, a stop signal) are not Redis trouble.
        if (err instanceof KisdError || signal?.aborted) throw err;
        notice.failed(`${step} (${what})`, err);
        return viaLocal();
      }
      notice.succeeded();
      return result;
    }

    async function acquire(owner: string, signal: AbortSignal | undefined): Promise<void> {
      const started = clock.monotonicMs();
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        if ((await client.set(keys.lock, owner, 'PX', spec.lockStaleMs, 'NX')) === 'OK') return;
        if (clock.monotonicMs() - started >= spec.lockAcquireTimeoutMs) {
          throw new KisdError('KISD_LOCK_TIMEOUT', `could not take the Redis lock ${keys.lock} within ${spec.lockAcquireTimeoutMs} ms`, {
            disposition: 'retryable',
            details: { lock: keys.lock, attempts: attempt },
          });
        }
        await clock.sleep(Math.round(LOCK_RETRY_MS * (0.5 + Math.random())), signal);
      }
    }

    return {
      where: `${o.displayUrl} key ${keys.value}`,
      read: (opts) => either('reading', () => readRedis(opts), () => local.read(opts)),
      async write(value) {
        const shared = await either(
          'writing',
          async () => {
            await client.set(keys.value, JSON.stringify(value), 'PX', ttlMs(value));
            unpublished = undefined;
            return true;
          },
          async () => {
            unpublished = value;
            return false;
          },
        );
        if (!shared) {
          await local.write(value); // the only copy now: a failure here is the caller's to see
          mirrored = value.value;
          return;
        }
        await mirror(value);
      },
      async remove(value) {
        if (unpublished?.value === value) unpublished = undefined;
        mirrored = undefined;
        await local.remove(value);
        await either('dropping a rejected value', async () => void (await client.eval(REMOVE_IF_VALUE, 2, keys.value, keys.rejected, value)), async () => undefined);
      },
      withLock(fn, signal) {
        // The host lock first: processes of one host queue there, and it is all that is left if Redis is down.
        return local.withLock(async () => {
          const owner = randomBytes(12).toString('hex');
          const held = await either(
            'taking the issue lock',
            async () => {
              await acquire(owner, signal);
              return true;
            },
            async () => false,
            signal,
          );
          if (!held) return fn();
          // A slow issue must not outlive the lock: extend it while fn runs (a dead holder's lock still expires).
          const keepAlive = clock.setInterval(() => {
            client.eval(EXTEND, 1, keys.lock, owner, String(spec.lockStaleMs)).catch(() => undefined);
          }, Math.max(500, Math.floor(spec.lockStaleMs / 3)));
          try {
            return await fn();
          } finally {
            clock.clearInterval(keepAlive);
            await client.eval(RELEASE, 1, keys.lock, owner).catch((err: unknown) => log.warn({ lock: keys.lock, err: errorMessage(err) }, 'Redis issue lock release failed; it expires by itself'));
          }
        }, signal);
      },
      async issueDelayMs() {
        // Both: Redis knows every host's attempts; the host file still knows ours if Redis lost its keys.
        const localMs = await local.issueDelayMs();
        const redisMs = await either('reading the issue pacing', async () => Math.min(spec.minIssueIntervalMs, Math.max(0, await client.pttl(keys.lastIssue))), async () => 0);
        return Math.max(localMs, redisMs);
      },
      async recordIssueAttempt() {
        await local.recordIssueAttempt();
        await either('recording an issue attempt', async () => void (await client.eval(RECORD_ATTEMPT, 1, keys.lastIssue, String(spec.minIssueIntervalMs))), async () => undefined);
      },
    };
  };
}
