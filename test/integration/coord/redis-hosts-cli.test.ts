// Two "hosts" — separate state directories, separate `kisd` processes — on one app key against a simulator,
// sharing a REAL redis-server (own port, password from KISD_REDIS_PASSWORD): one token issue between them, the
// issue pacing seen across hosts, a kill switch tripped on one host seen by the other's `kisd risk status`,
// Redis restarted empty → the token a host holds is published for the other instead of a new issue. Each
// `kisd` start costs about a second (more under load), so the steps are few; the fallback while Redis is down
// is covered in-process by redis-credentials.test.ts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { openRedisConnection } from '../../../src/coord/index.js';
import { openSharedState } from '../../../src/daemon/shared-state.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import type { Simulator } from '../../../src/sim/index.js';
import { KillSwitch } from '../../../src/trade/risk/index.js';
import { describeWithRedis, startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { collect, requireBuild, runCli, spawnCli, startTestSimulator, waitForStdout, writeTestConfig, type TestDirs } from '../cli/cli-harness.js';

const TOKEN_PATH = '/oauth2/tokenP';

let redis: TestRedis;
let sim: Simulator;
let a: TestDirs;
let b: TestDirs;

const run = (host: TestDirs, ...args: string[]) => runCli(['--config', host.configPath, ...args], { env: { KISD_REDIS_PASSWORD: redis.password } });
const tokenIn = (host: TestDirs): string => (JSON.parse(readFileSync(join(host.stateDir, 'token.json'), 'utf8')) as { value: string }).value;
const masked = (value: string): string => `${value.slice(0, 4)}…(${value.length} chars)`;

describeWithRedis('two hosts on one Redis (separate kisd processes, real redis-server)', () => {
  beforeAll(async () => {
    requireBuild();
    redis = await startRedisServer();
    sim = await startTestSimulator();
    // The password is not in the URL (nor in the config file): it comes from KISD_REDIS_PASSWORD.
    const settings = { kis: { rest_base_url: sim.restUrl }, coordination: { backend: 'redis', redis_url: redis.urlWithoutPassword } };
    [a, b] = [writeTestConfig(settings), writeTestConfig(settings)];
  });
  afterAll(async () => {
    await sim?.close();
    await redis?.dispose();
  });

  it('one token issue for both hosts, and a forced refresh on the other host within the minute waits on the shared pacing', async () => {
    const [ka, kb] = await Promise.all([run(a, 'keys', 'verify'), run(b, 'keys', 'verify')]);
    expect(ka.code, ka.stdout + ka.stderr).toBe(0);
    expect(kb.code, kb.stdout + kb.stderr).toBe(0);
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1);
    expect(tokenIn(b)).toBe(tokenIn(a));

    // The host that did not issue (it adopted the other's token from Redis) has no issue in its own files:
    // only Redis knows of the other host's issue a moment ago.
    const issuer = existsSync(join(a.stateDir, 'token.last-issue.json')) ? a : b;
    const other = issuer === a ? b : a;
    expect(existsSync(join(other.stateDir, 'token.last-issue.json'))).toBe(false);
    const child = spawnCli(['--config', other.configPath, 'token', 'refresh'], { env: { KISD_REDIS_PASSWORD: redis.password } });
    const done = collect(child);
    const seen = await waitForStdout(child, /asking http:\/\/\S+ for a new access token/);
    // Tens of seconds ("53.78 s"; "1 min" when read the instant after the issue): a full interval, not this host's 0.
    expect(seen).toMatch(/waiting (\d+(\.\d+)? s|1 min): KIS allows one token issue per 60 s and a kisd sharing this app key through Redis issued one recently/);
    const seconds = /waiting (\d+(?:\.\d+)?) s/.exec(seen)?.[1];
    if (seconds !== undefined) expect(Number(seconds)).toBeGreaterThanOrEqual(30);
    child.kill('SIGINT');
    expect((await done).code).toBe(1);
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1);
    expect(seen).not.toContain(redis.password);
  });

  it('a kill switch tripped on one host is reported by `kisd risk status` on the other', async () => {
    const conn = openRedisConnection({ settings: { redis_url: redis.url, allow_unauthenticated: false } });
    try {
      const shared = openSharedState({ stateDir: a.stateDir, appKey: () => SIM_CREDENTIALS.appKey, clock: systemClock, logger: pino({ level: 'silent' }), coordination: conn });
      const ks = new KillSwitch({ stateDir: a.stateDir, clock: systemClock, logger: pino({ level: 'silent' }), store: shared.killSwitch });
      await ks.load();
      await ks.trip('daily loss 1,500,000 KRW over the 1,000,000 KRW limit (host A)');

      const status = await run(b, 'risk', 'status');
      expect(status.code, status.stdout + status.stderr).toBe(1);
      expect(status.stdout).toMatch(/TRIPPED since .*host A/);
    } finally {
      await conn.close();
    }
  });

  it('Redis restarted empty (no persistence): the token a host holds is published for the other, not re-issued', async () => {
    const before = tokenIn(a);
    await redis.restart();
    rmSync(join(b.stateDir, 'token.json')); // B's token can then only come from Redis
    // A reads first: Redis lacks the token, so A publishes the one it holds; B then sees it in Redis.
    const upA = await run(a, 'token', 'status');
    expect(upA.code, upA.stdout + upA.stderr).toBe(0);
    expect(upA.stdout).toContain('key kisd:');
    const upB = await run(b, 'token', 'status');
    expect(upB.code, upB.stdout + upB.stderr).toBe(0);
    expect(upB.stdout).toContain(masked(before));
    expect(tokenIn(b)).toBe(before); // and mirrored back to B's files
    expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1);
  });
});
