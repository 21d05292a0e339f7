// The rate-limit settings take one path: kis.rate_limits in the YAML → config.resolved.rateLimit → the broker's
// limiter. No process-wide registry: a second broker in the same process (same app key, other settings) gets
// its own limits, where the old registry silently handed it the first caller's limiter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/load.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { createBroker, type Broker } from '../../../src/daemon/broker.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

const dirs: string[] = [];
const brokers: Broker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function broker(clock: FakeClock, real: Record<string, number>, extra: Record<string, unknown> = {}): Broker {
  const varDir = mkdtempSync(join(tmpdir(), 'kisd-rl-'));
  dirs.push(varDir);
  const config = compileConfig({ mode: 'sim', paths: { var_dir: varDir }, kis: { rate_limits: { real, ...extra } } }, 'test.yaml', varDir);
  const b = createBroker({ config, credentials: SIM_CREDENTIALS, clock, logger: pino({ level: 'silent' }), restBaseUrl: 'http://127.0.0.1:9' });
  brokers.push(b);
  return b;
}

/** Grants handed out at once (before any time passes) out of `asked`. */
async function immediateGrants(clock: FakeClock, b: Broker, asked: number): Promise<number> {
  let granted = 0;
  const ac = new AbortController();
  for (let i = 0; i < asked; i++) void b.limiter.acquire({ signal: ac.signal }).then(() => granted++, () => undefined);
  await clock.tickAsync(0);
  ac.abort();
  return granted;
}

describe('rate-limit settings: schema → compiled config → limiter', () => {
  it('compiles kis.rate_limits for the server flavor into the limiter settings, spread_evenly as a spacing', () => {
    const varDir = mkdtempSync(join(tmpdir(), 'kisd-rl-'));
    dirs.push(varDir);
    const cfg = compileConfig({ mode: 'sim', paths: { var_dir: varDir }, kis: { rate_limits: { real: { per_second: 5 }, window_safety_ms: 40, spread_evenly: true } } }, 'x.yaml', varDir);
    expect(cfg.resolved.rateLimit).toEqual({ windows: { perSecond: 5, perMinute: 1_100, perHour: 66_000 }, windowSafetyMs: 40, minSpacingMs: 200 });
  });

  it('each broker gets the limits of its own config, even on the same app key in one process', async () => {
    const clock = createFakeClock();
    const three = broker(clock, { per_second: 3 }, { spread_evenly: false });
    const seven = broker(clock, { per_second: 7 }, { spread_evenly: false });
    expect(three.limiter).not.toBe(seven.limiter);
    expect(await immediateGrants(clock, three, 10)).toBe(3);
    expect(await immediateGrants(clock, seven, 10)).toBe(7);
  });
});
