// The Redis budget ledger against a real redis-server: the same answers as the SQLite ledger, on Redis's own
// clock. Time cannot be faked inside Redis, so instead of waiting, the tests plant state (grants, claims,
// members stamped in the past) and assert on the ledger's answers, which name how long to wait.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { compileWindows, type RateWindows } from '../../../src/net/rate-windows.js';
import { appKeyFingerprint, CLAIM_TTL_MS, MEMBER_TTL_MS } from '../../../src/net/budget/ledger.js';
import { budgetKeyPrefix, openRedisLedger, readRedisBudgetReports } from '../../../src/net/budget/redis-ledger.js';
import { describeWithRedis, startRedisServer, type TestRedis } from '../../helpers/redis-server.js';

const APP_KEY = 'PSabcdefghijklmnopqrstuvwxyz0123456789';
const FP = appKeyFingerprint(APP_KEY);
const P = budgetKeyPrefix(FP);

describeWithRedis('Redis budget ledger (real redis-server)', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.dispose();
  });
  beforeEach(async () => {
    await client.flushall();
  });

  const ledger = (windows: RateWindows, spacingMs = 0) => openRedisLedger({ client, keyFingerprint: FP, windows: compileWindows(windows), safetyMs: 25, spacingMs });
  const redisNowMs = async (): Promise<number> => {
    const [s, us] = await client.time();
    return Number(s) * 1000 + Number(us) / 1000;
  };

  it('grants up to the 1 s limit, then names the wait until the oldest grant leaves the window (+ safety)', async () => {
    const l = ledger({ perSecond: 4 });
    for (let i = 0; i < 4; i++) expect(await l.tryGrant(i % 2 ? 'a' : 'b', 1)).toEqual({ granted: true });
    const t0 = await redisNowMs();
    const answer = await l.tryGrant('a', 1);
    expect(answer).toMatchObject({ granted: false, reason: 'window' });
    const wait = (answer as { retryInMs: number }).retryInMs;
    // The first grant went a few ms before t0: it frees at (first + 1000 + 25).
    expect(wait).toBeGreaterThan(1025 - 200);
    expect(wait).toBeLessThanOrEqual(1025);
    expect(t0).toBeGreaterThan(0);
  });

  it('a grant older than the window no longer counts; the per-minute window still does', async () => {
    const l = ledger({ perSecond: 2, perMinute: 3 });
    const now = await redisNowMs();
    await client.zadd(`${P}grants`, now - 5_000, 'old1', now - 4_000, 'old2');
    expect(await l.tryGrant('a', 1)).toEqual({ granted: true });
    const answer = await l.tryGrant('a', 1);
    // 1 s window: one grant in it, room for another; the minute holds 3 already.
    expect(answer).toMatchObject({ granted: false, reason: 'window' });
    expect((answer as { retryInMs: number }).retryInMs).toBeGreaterThan(54_000);
    const usage = await l.usage();
    expect(usage.windows.map((w) => [w.windowMs, w.used])).toEqual([
      [1_000, 1],
      [60_000, 3],
    ]);
  });

  it('spreads grants: the next one waits for the spacing after the newest', async () => {
    const l = ledger({ perSecond: 4 }, 250);
    expect(await l.tryGrant('a', 1)).toEqual({ granted: true });
    const answer = await l.tryGrant('b', 1);
    expect(answer).toMatchObject({ granted: false, reason: 'window' });
    expect((answer as { retryInMs: number }).retryInMs).toBeGreaterThan(150);
    expect((answer as { retryInMs: number }).retryInMs).toBeLessThanOrEqual(250);
  });

  it('reserves a slot that frees within 20 ms: stamped at the instant it frees, the caller told to wait for it', async () => {
    const l = ledger({ perSecond: 4 }, 250);
    const now = await redisNowMs();
    await client.zadd(`${P}grants`, now - 240, 'planted');
    await client.set(`${P}seq`, '1');
    const answer = await l.tryGrant('a', 1);
    expect(answer.granted).toBe(true);
    const inMs = (answer as { inMs?: number }).inMs ?? 0;
    expect(inMs).toBeGreaterThan(0);
    expect(inMs).toBeLessThanOrEqual(10);
    const [, score] = await client.zrevrange(`${P}grants`, 0, 0, 'WITHSCORES');
    expect(Number(score) - (now - 240)).toBeCloseTo(250, 3);
    // The next slot is 250 ms after the reserved one, not after the request.
    const next = await l.tryGrant('b', 1);
    expect(next).toMatchObject({ granted: false, reason: 'window' });
  });

  it('an order claim holds back reads of another member; a stale claim (SIGKILLed holder) does not', async () => {
    const l = ledger({ perSecond: 1 });
    expect(await l.tryGrant('reader', 1)).toEqual({ granted: true });
    expect(await l.tryGrant('trader', 0)).toMatchObject({ granted: false, reason: 'window' });
    expect(await l.tryGrant('reader', 1)).toMatchObject({ granted: false, reason: 'priority' });
    await l.release('trader');
    expect(await l.tryGrant('reader', 1)).toMatchObject({ granted: false, reason: 'window' });
    // A claim last refreshed longer than CLAIM_TTL_MS ago is ignored (and dropped).
    const now = await redisNowMs();
    await client.hset(`${P}claims`, 'ghost', `0:${now - CLAIM_TTL_MS - 10}`);
    expect(await l.tryGrant('reader', 1)).toMatchObject({ granted: false, reason: 'window' });
    expect(await client.hexists(`${P}claims`, 'ghost')).toBe(0);
  });

  it('pause all holds every grant; pause reads holds reads but not orders; a shorter pause never shortens one', async () => {
    const l = ledger({ perSecond: 100 });
    await l.pause(5_000, 'reads');
    await l.pause(1_000, 'reads');
    const read = await l.tryGrant('a', 1);
    expect(read).toMatchObject({ granted: false, reason: 'pause' });
    expect((read as { retryInMs: number }).retryInMs).toBeGreaterThan(4_000);
    expect(await l.tryGrant('b', 0)).toEqual({ granted: true });
    await l.pause(2_000, 'all');
    expect(await l.tryGrant('b', 0)).toMatchObject({ granted: false, reason: 'pause' });
    expect((await l.usage()).pausedForMs).toBeGreaterThan(4_000);
    // Every pause key expires with the pause.
    const pttl = await client.pttl(`${P}pause:all`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(2_000);
  });

  it('lists live members, drops one silent longer than MEMBER_TTL_MS, and forgets one that leaves', async () => {
    const l = ledger({ perSecond: 10 });
    await l.heartbeat({ id: 'h1:1:x', pid: 1, host: 'h1', label: 'kisd run' });
    await l.heartbeat({ id: 'h2:2:y', pid: 2, host: 'h2', label: 'kisd collect quotes' });
    const now = await redisNowMs();
    await client.hset(`${P}members`, 'dead', `${now - MEMBER_TTL_MS - 1}|3|h3|kisd run`);
    const u = await l.usage();
    expect(u.members.map((m) => `${m.host}:${m.pid}:${m.label}`).sort()).toEqual(['h1:1:kisd run', 'h2:2:kisd collect quotes']);
    expect(await client.hexists(`${P}members`, 'dead')).toBe(0);
    await l.leave('h1:1:x');
    expect((await l.usage()).members.map((m) => m.host)).toEqual(['h2']);
  });

  it('keeps only the fingerprint in key names and values, and every key expires', async () => {
    const l = ledger({ perSecond: 10, perMinute: 100, perHour: 1000 });
    await l.heartbeat({ id: 'h:1:x', pid: 1, host: 'h', label: 'kisd' });
    await l.tryGrant('h:1:x', 1);
    await l.pause(1_000, 'all');
    const keys = await client.keys('*');
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const k of keys) {
      expect(k.startsWith(`kisd:${FP}:`)).toBe(true);
      expect(k).not.toContain(APP_KEY);
      const ttl = await client.pttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual(3_600_000 + 25 + 60_000);
    }
    const dump = JSON.stringify(await Promise.all(keys.map(async (k) => [k, await client.type(k)])));
    expect(dump).not.toContain(APP_KEY);
  });

  it('kisd status finds each app key budget by its key names and reads it as every host sees it', async () => {
    const l = ledger({ perSecond: 10 });
    await l.heartbeat({ id: 'h1:1:x', pid: 1, host: 'h1', label: 'kisd run' });
    await l.tryGrant('h1:1:x', 1);
    await l.tryGrant('h1:1:x', 1);
    const reports = await readRedisBudgetReports(client, compileWindows({ perSecond: 10, perMinute: 100 }));
    expect(reports).toEqual([{ key: FP, windows: [{ windowMs: 1_000, limit: 10, used: 2 }, { windowMs: 60_000, limit: 100, used: 2 }], members: [expect.objectContaining({ pid: 1, host: 'h1', label: 'kisd run' })] }]);
  });

  it('two processes racing for the last slots of a window never get more than the limit (atomic script)', async () => {
    const limit = 20;
    const ls = Array.from({ length: 4 }, () => ledger({ perSecond: limit }));
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => ls[i % 4]!.tryGrant(`m${i % 4}`, 1)));
    expect(answers.filter((a) => a.granted)).toHaveLength(limit);
  });

  it('survives a Redis restart that lost everything (script cache included)', async () => {
    const l = ledger({ perSecond: 10 });
    expect(await l.tryGrant('a', 1)).toEqual({ granted: true });
    await redis.restart();
    await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
    expect(await l.tryGrant('a', 1)).toEqual({ granted: true });
    expect((await l.usage()).windows[0]!.used).toBe(1);
  });
});
