// Builds a KIS REST client on a scripted loopback server and a fake clock for the unit tests.
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { createScriptedServer, type ScriptedServer, type ScriptStep } from '../../helpers/scripted-server.js';
import { createKisRestClient, type KisRestClient } from '../../../src/kis/rest/client.js';
import type { KisRestClientOptions } from '../../../src/kis/rest/client-options.js';
import { createRateLimiter } from '../../../src/net/rate-limiter.js';
import { FakeTokenProvider, TEST_CREDENTIALS, silentLogger } from './support.js';

export interface Rig {
  clock: FakeClock;
  tokens: FakeTokenProvider;
  server: ScriptedServer;
  client: KisRestClient;
  close(): Promise<void>;
}

export async function createRig(script: ScriptStep[], over: Partial<KisRestClientOptions> = {}, opts: { port?: number } = {}): Promise<Rig> {
  const clock = createFakeClock();
  const server = await createScriptedServer({ script, clock, port: opts.port });
  const tokens = new FakeTokenProvider();
  const client = createKisRestClient({
    baseUrl: server.url,
    mode: 'real',
    credentials: TEST_CREDENTIALS,
    tokens,
    clock,
    log: silentLogger,
    limiter: createRateLimiter({ clock, windows: { perSecond: 100 } }),
    random: () => 0,
    ...over,
  });
  const rig: Rig = {
    clock,
    tokens,
    server,
    client,
    close: async () => {
      await rig.client.close();
      await server.close();
    },
  };
  return rig;
}
