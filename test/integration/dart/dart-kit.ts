// Shared set-up for the DART client ↔ DART simulator tests: both on a fake clock, the simulator on port 0.
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { createDartClient, DartApi, type DartClient, type DartClientOptions } from '../../../src/dart/index.js';
import { createDartSimulator, type DartSimulator, type DartSimulatorOptions } from '../../../src/sim/dart/index.js';
import { silentLogger } from '../../unit/kis-rest/support.js';

export const DART_KEY = 'kisdDartTestKey0000000000000000000000001';
export const SUSPENDED_KEY = 'kisdDartSuspendedKey00000000000000000002';

export interface DartKit {
  clock: FakeClock;
  sim: DartSimulator;
  client: DartClient;
  api: DartApi;
  close(): Promise<void>;
}

/** Simulator + client at a KST instant (default Monday 2026-11-23 10:00, mid Q3-report season). */
export async function startDart(o: { start?: string; clock?: FakeClock; sim?: Partial<DartSimulatorOptions>; client?: Partial<DartClientOptions> } = {}): Promise<DartKit> {
  const clock = o.clock ?? createFakeClock(o.start ?? '2026-11-23 10:00:00');
  const sim = await createDartSimulator({ clock, keys: [{ key: DART_KEY }, { key: SUSPENDED_KEY, suspended: true }], unlistedCount: 20, ...o.sim });
  const client = createDartClient({ apiKey: DART_KEY, baseUrl: sim.url, clock, log: silentLogger, random: () => 0, readTimeoutMs: 5_000, ...o.client });
  return {
    clock,
    sim,
    client,
    api: new DartApi(client),
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}
