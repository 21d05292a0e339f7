// How `kisd run` reaches OpenDART: in sim mode the DART simulator starts beside the KIS one and answers with
// the simulator key; outside sim mode the key must come from KISD_DART_API_KEY, and preflight refuses to start
// without it — naming the file, the setting and the variable, never the value.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { compileConfig } from '../../../src/config/load.js';
import { preflight } from '../../../src/daemon/preflight.js';
import { resolveDartEndpoint, type DartEndpoint } from '../../../src/daemon/dart-endpoint.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const logger = pino({ level: 'silent' });
const KIS_ENV = { KISD_APP_KEY: 'PSenvkey0000000000', KISD_APP_SECRET: 'envsecret000000000000', KISD_ACCOUNT_NO: '12345678-01' };
const opened: DartEndpoint[] = [];
afterEach(async () => {
  for (const e of opened.splice(0)) await e.sim?.close();
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('the DART endpoint', () => {
  it('sim mode: starts the DART simulator, which answers list.json for the key kisd will use', async () => {
    const config = compileConfig({ mode: 'sim', dart: { enabled: true } }, 'test.yaml');
    const clock = createFakeClock('2026-11-23 10:00:00');
    const dart = await resolveDartEndpoint({ config, env: {}, clock, logger });
    expect(dart?.sim).toBeDefined();
    opened.push(dart!);
    expect(dart!.baseUrl).toBe(dart!.sim!.url);
    const res = await fetch(`${dart!.baseUrl}/api/list.json?crtfc_key=${dart!.apiKey}&bgn_de=20261116&end_de=20261120&page_count=1`);
    expect(((await res.json()) as { status: string }).status).toBe('000');
    const wrong = await fetch(`${dart!.baseUrl}/api/list.json?crtfc_key=${'x'.repeat(40)}&bgn_de=20261116&end_de=20261120`);
    expect(((await wrong.json()) as { status: string }).status).toBe('010');
  });

  it('off by default: no simulator, no key needed', async () => {
    const config = compileConfig({ mode: 'paper' }, 'test.yaml');
    expect(await resolveDartEndpoint({ config, env: {}, clock: createFakeClock(), logger })).toBeUndefined();
    expect(() => preflight(config, KIS_ENV)).not.toThrow();
  });

  it('paper/real: the key comes from KISD_DART_API_KEY; without it run refuses to start', async () => {
    const config = compileConfig({ mode: 'paper', dart: { enabled: true } }, '/etc/kisd/kisd.yaml');
    const missing = errorOf(() => preflight(config, KIS_ENV));
    expect(missing.message).toMatch(/^\/etc\/kisd\/kisd\.yaml: dart\.enabled: .*KISD_DART_API_KEY is not set; get a key at opendart\.fss\.or\.kr/);
    const badKey = 'short-but-secret-value';
    const bad = errorOf(() => preflight(config, { ...KIS_ENV, KISD_DART_API_KEY: badKey }));
    expect(bad.message).toMatch(/KISD_DART_API_KEY must be the 40-character key .* \(value not shown\)/);
    expect(bad.message).not.toContain(badKey);
    const key = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0';
    expect(() => preflight(config, { ...KIS_ENV, KISD_DART_API_KEY: key })).not.toThrow();
    const dart = await resolveDartEndpoint({ config, env: { KISD_DART_API_KEY: key }, clock: createFakeClock(), logger });
    expect(dart).toEqual({ baseUrl: 'https://opendart.fss.or.kr', apiKey: key, sim: undefined });
  });
});
