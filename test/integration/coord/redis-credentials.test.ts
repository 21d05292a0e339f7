// The token, approval key, issue pacing and kill switch shared through a REAL redis-server (own port, password):
// two "hosts" are two managers with separate state dirs and separate Redis connections in this process, on one
// fake KIS OAuth client that counts issues. Redis stopped → each host falls back to its files without a burst
// and alerts once; Redis restarted (empty) → this host's token is published, not re-issued.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Alert } from '../../../src/core/alert.js';
import { systemClock } from '../../../src/core/clock.js';
import { openRedisConnection, type RedisConnection } from '../../../src/coord/redis/connection.js';
import { createFallbackNotice } from '../../../src/coord/redis/credential-fallback.js';
import { credentialKeys, redisCredentialStores } from '../../../src/coord/redis/credential-store.js';
import { killSwitchKey, redisKillSwitchStore } from '../../../src/coord/redis/kill-switch-store.js';
import { createTokenManager, credentialFingerprint, fileCredentialStores, type TokenManager } from '../../../src/kis/auth/index.js';
import { fileKillSwitchStore, KillSwitch, parseKillSwitchState } from '../../../src/trade/risk/index.js';
import { describeWithRedis, startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { FakeOAuthClient } from '../../unit/kis-auth/fake-oauth-client.js';

const BASE_URL = 'http://127.0.0.1:1';
const APP_KEY = 'PSredisAppKey0123456789';
const APP_SECRET = 'redisSecret/abcdefghijklmnopqrstuvwxyz==';
const FP = credentialFingerprint(APP_KEY, BASE_URL);
const log = pino({ level: 'silent' });

interface Host {
  dir: string;
  conn: RedisConnection;
  tokens: TokenManager;
  killSwitch: KillSwitch;
  alerts: Alert[];
}

let redis: TestRedis;
let oauth: FakeOAuthClient;
const hosts: Host[] = [];

async function host(o: { minIssueIntervalSec?: number } = {}): Promise<Host> {
  const dir = await mkdtemp(join(tmpdir(), 'kisd-redis-host-'));
  const conn = openRedisConnection({ settings: { redis_url: redis.url, allow_unauthenticated: false }, commandTimeoutMs: 500, connectTimeoutMs: 1000 });
  const alerts: Alert[] = [];
  const alertPort = { send: async (a: Alert) => void alerts.push(a) };
  const notice = createFallbackNotice({ link: conn, clock: systemClock, log, alerts: alertPort });
  const stores = redisCredentialStores({ client: conn.client, notice, local: fileCredentialStores(dir), displayUrl: conn.displayUrl });
  const tokens = createTokenManager({ clock: systemClock, log, baseUrl: BASE_URL, credentials: { appKey: APP_KEY, appSecret: APP_SECRET }, stateDir: dir, oauthClient: oauth, stores, ...o });
  const ksStore = redisKillSwitchStore({
    client: conn.client,
    notice,
    local: fileKillSwitchStore({ stateDir: dir, clock: systemClock }),
    parse: parseKillSwitchState,
    keyFingerprint: FP,
    displayUrl: conn.displayUrl,
    clock: systemClock,
    log,
  });
  const killSwitch = new KillSwitch({ stateDir: dir, clock: systemClock, logger: log, store: ksStore });
  const h = { dir, conn, tokens, killSwitch, alerts };
  hosts.push(h);
  await conn.settled();
  return h;
}

function becomes(conn: RedisConnection, state: 'up' | 'down'): Promise<void> {
  if (conn.state() === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = conn.onChange((s) => {
      if (s !== state) return;
      off();
      resolve();
    });
  });
}

describeWithRedis('token, approval key and kill switch in Redis (real redis-server)', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) {
      await h.tokens.close();
      await h.conn.close();
      await rm(h.dir, { recursive: true, force: true });
    }
    const flush = openRedisConnection({ settings: { redis_url: redis.url, allow_unauthenticated: false } });
    if ((await flush.settled()) === 'up') await flush.client.flushall();
    await flush.close();
  });

  it('two hosts asking at once cost one issue; the token lives in Redis under the fingerprint, never the app key', async () => {
    oauth = new FakeOAuthClient(systemClock);
    const [a, b] = [await host(), await host()];
    const [ta, tb] = await Promise.all([a.tokens.getAccessToken(), b.tokens.getAccessToken()]);
    expect(oauth.tokenCalls).toHaveLength(1);
    expect(tb.value).toBe(ta.value);
    const keys = await a.conn.client.keys('*');
    expect(keys.sort()).toEqual([credentialKeys(FP, 'token').value, credentialKeys(FP, 'token').lastIssue].sort());
    const stored = await a.conn.client.get(credentialKeys(FP, 'token').value);
    expect(stored).toContain(ta.value);
    expect(stored).not.toContain(APP_KEY);
    expect(stored).not.toContain(APP_SECRET);
    // Each host mirrors it to its own 0600 file: the copy it falls back to if Redis goes away.
    for (const h of [a, b]) {
      expect((await stat(join(h.dir, 'token.json'))).mode & 0o777).toBe(0o600);
      expect(await readFile(join(h.dir, 'token.json'), 'utf8')).toContain(ta.value);
    }
  });

  it('pacing holds across hosts on Redis time: a forced refresh on both within the interval is one issue, spaced a full interval from the last', async () => {
    oauth = new FakeOAuthClient(systemClock);
    // A 1 s interval instead of KIS's 60 s keeps the test short; the mechanism is the same.
    const [a, b] = [await host({ minIssueIntervalSec: 1 }), await host({ minIssueIntervalSec: 1 })];
    const t0 = await a.tokens.getAccessToken();
    const pttl = await a.conn.client.pttl(credentialKeys(FP, 'token').lastIssue);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1000);
    const [ra, rb] = await Promise.all([a.tokens.forceRefresh(), b.tokens.forceRefresh()]);
    expect(oauth.tokenCalls).toHaveLength(2);
    expect(ra.value).not.toBe(t0.value);
    expect(rb.value).toBe(ra.value);
    // The fake KIS saw the two issues at least the interval apart (less a little clock granularity).
    expect(oauth.tokenCalls[1]! - oauth.tokenCalls[0]!).toBeGreaterThanOrEqual(950);
  });

  it('a kill switch tripped on host A is seen on host B; a reset on B is seen on A', async () => {
    oauth = new FakeOAuthClient(systemClock);
    const [a, b] = [await host(), await host()];
    await Promise.all([a.killSwitch.load(), b.killSwitch.load()]);
    expect(b.killSwitch.isTripped()).toBe(false);
    await a.killSwitch.trip('daily loss limit reached (test)', { lossKrw: 123 });
    await b.killSwitch.load();
    expect(b.killSwitch.isTripped()).toBe(true);
    expect(b.killSwitch.snapshot()?.reason).toBe('daily loss limit reached (test)');
    expect(await a.conn.client.exists(killSwitchKey(FP))).toBe(1);
    await b.killSwitch.reset('operator-b');
    await a.killSwitch.load();
    expect(a.killSwitch.isTripped()).toBe(false);
    expect(a.killSwitch.snapshot()?.resetBy).toBe('operator-b');
  });

  it('Redis stopped: falls back to the host files without a burst and alerts once; restarted empty: publishes, does not re-issue', async () => {
    oauth = new FakeOAuthClient(systemClock);
    const a = await host({ minIssueIntervalSec: 1 });
    const first = await a.tokens.getAccessToken();
    await redis.stop();
    await becomes(a.conn, 'down');

    // KIS rejects the token twice while Redis is down: the host issues from its own files, each issue a full
    // interval after the previous one (its own pacer), never in a burst.
    await a.tokens.invalidateAccessToken(first.value);
    const second = await a.tokens.getAccessToken();
    await a.tokens.invalidateAccessToken(second.value);
    const third = await a.tokens.getAccessToken();
    expect(oauth.tokenCalls).toHaveLength(3);
    expect(new Set([first.value, second.value, third.value]).size).toBe(3);
    expect(oauth.tokenCalls[1]! - oauth.tokenCalls[0]!).toBeGreaterThanOrEqual(950);
    expect(oauth.tokenCalls[2]! - oauth.tokenCalls[1]!).toBeGreaterThanOrEqual(950);
    expect(await readFile(join(a.dir, 'token.json'), 'utf8')).toContain(third.value);
    // A trip during the outage is kept on the host.
    await a.killSwitch.trip('tripped while Redis was down');
    expect(a.alerts.filter((x) => x.key === 'coordination-redis-fallback:credentials')).toHaveLength(1);

    await redis.restart();
    await becomes(a.conn, 'up');
    // Host B joins the restarted (empty) Redis; A's next reads publish its trip and its token, then B sees both.
    await a.killSwitch.load();
    await a.tokens.check();
    const b = await host();
    await b.killSwitch.load();
    expect(b.killSwitch.isTripped()).toBe(true);
    expect(b.killSwitch.snapshot()?.reason).toBe('tripped while Redis was down');
    expect((await b.tokens.getAccessToken()).value).toBe(third.value);
    expect(oauth.tokenCalls).toHaveLength(3);
    expect(a.alerts.filter((x) => x.key === 'coordination-redis-fallback:credentials')).toHaveLength(1);
  });

  it('a token KIS refused on one host is not put back into Redis by another host that still holds it', async () => {
    oauth = new FakeOAuthClient(systemClock);
    const [a, b] = [await host(), await host()];
    const t = await a.tokens.getAccessToken();
    expect((await b.tokens.getAccessToken()).value).toBe(t.value);
    await b.tokens.invalidateAccessToken(t.value); // KIS said EGW00123 to host B
    expect(await a.conn.client.exists(credentialKeys(FP, 'token').value)).toBe(0);
    // Host A re-reads (its 30-minute check): Redis lacks the token, A's mirror has the refused one.
    await a.tokens.check();
    expect(await a.conn.client.exists(credentialKeys(FP, 'token').value)).toBe(0);
    expect(await a.conn.client.smembers(credentialKeys(FP, 'token').rejected)).not.toContain(t.value);
  });

  it('Redis restarted empty: the token a host holds is published for the others instead of a new issue', async () => {
    oauth = new FakeOAuthClient(systemClock);
    const a = await host();
    const t = await a.tokens.getAccessToken();
    await redis.restart();
    await becomes(a.conn, 'up');
    expect(await a.conn.client.exists(credentialKeys(FP, 'token').value)).toBe(0);
    await a.tokens.check();
    const b = await host();
    expect((await b.tokens.getAccessToken()).value).toBe(t.value);
    expect(oauth.tokenCalls).toHaveLength(1);
  });
});
