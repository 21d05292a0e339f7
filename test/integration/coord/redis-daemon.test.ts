// The real `kisd run` on coordination.backend redis (a REAL redis-server, password from KISD_REDIS_PASSWORD)
// next to a second "host" in this process with its own state directory: the daemon's token is in Redis (the
// other host gets it without an issue), and a kill switch tripped on the other host reaches the daemon
// within its one-second poll.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { openRedisConnection } from '../../../src/coord/index.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { openSharedState } from '../../../src/daemon/shared-state.js';
import { createTokenManager } from '../../../src/kis/auth/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { KillSwitch } from '../../../src/trade/risk/index.js';
import { describeWithRedis, startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { DaemonProcess, killDaemons, requireBuild, startTestSimulator, writeTestConfig } from '../daemon/daemon-harness.js';

const TOKEN_PATH = '/oauth2/tokenP';
const silent = pino({ level: 'silent' });
let redis: TestRedis;
let sim: Simulator;

describeWithRedis('kisd run with coordination.backend redis (process, real redis-server)', () => {
  beforeAll(async () => {
    requireBuild();
    redis = await startRedisServer();
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    killDaemons();
    await sim?.close();
    await redis?.dispose();
  });

  it('shares its token through Redis and sees a kill switch tripped on another host within its poll', async () => {
    const { configPath } = writeTestConfig(sim, { feed: { enabled: false }, coordination: { backend: 'redis', redis_url: redis.urlWithoutPassword } });
    const d = new DaemonProcess(configPath, { KISD_REDIS_PASSWORD: redis.password });
    const conn = openRedisConnection({ settings: { redis_url: redis.url, allow_unauthenticated: false } });
    const otherDir = mkdtempSync(join(tmpdir(), 'kisd-other-host-'));
    try {
      await d.ready();
      expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1);
      const shared = openSharedState({ stateDir: otherDir, appKey: () => SIM_CREDENTIALS.appKey, clock: systemClock, logger: silent, coordination: conn });
      const tokens = createTokenManager({ clock: systemClock, log: silent, baseUrl: sim.restUrl, credentials: SIM_CREDENTIALS, stateDir: otherDir, stores: shared.credentials });
      await tokens.getAccessToken();
      await tokens.close();
      expect(sim.stats.count({ path: TOKEN_PATH })).toBe(1); // the other host took the daemon's token from Redis

      const ks = new KillSwitch({ stateDir: otherDir, clock: systemClock, logger: silent, store: shared.killSwitch });
      await ks.load();
      await ks.trip('daily loss over the limit on the other host');
      const seen = await d.waitFor((l) => /kill switch is tripped/.test(l.msg), 'the daemon sees the trip');
      expect(seen['reason']).toBe('daily loss over the limit on the other host');
      expect(d.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(redis.password);
    } finally {
      await conn.close();
      d.child.kill('SIGTERM');
      await d.exited;
    }
  });
});
