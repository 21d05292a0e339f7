// Who may read the health server: loopback needs nothing; another address needs KISD_HEALTH_TOKEN (refused
// without it), and then every route wants it as a Bearer token or as a Basic-auth password.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { ConfigError } from '../../../src/core/errors.js';
import { createKisdMetrics } from '../../../src/health/metrics.js';
import { HealthServer } from '../../../src/health/health-server.js';
import { healthAuthFor, isAuthorized, isLoopbackHost } from '../../../src/health/health-auth.js';
import { scrubSecrets } from '../../../src/log/secrets.js';
import type { StatusJson } from '../../../src/health/status-model.js';

const TOKEN = 'a-health-token-of-enough-length-0001';

describe('healthAuthFor', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.4.5', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['192.168.1.20', false],
    ['::', false],
    ['kisd.example', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('refuses a non-loopback host without a token, naming the field, the variable and the fix', () => {
    expect(() => healthAuthFor('0.0.0.0', {}, '/etc/kisd/kisd.yaml: health.host')).toThrow(ConfigError);
    expect(() => healthAuthFor('0.0.0.0', {}, '/etc/kisd/kisd.yaml: health.host')).toThrow(/\/etc\/kisd\/kisd\.yaml: health\.host: "0\.0\.0\.0" is not a loopback address.*KISD_HEALTH_TOKEN.*127\.0\.0\.1/);
    expect(healthAuthFor('127.0.0.1', {})).toEqual({ token: undefined });
  });

  it('refuses a short token and registers a good one for scrubbing', () => {
    expect(() => healthAuthFor('0.0.0.0', { KISD_HEALTH_TOKEN: 'short' })).toThrow(/too short \(5 characters; at least 24/);
    expect(healthAuthFor('0.0.0.0', { KISD_HEALTH_TOKEN: TOKEN })).toEqual({ token: TOKEN });
    expect(scrubSecrets(`token=${TOKEN}`)).not.toContain(TOKEN);
  });

  it('accepts the token as Bearer or as a Basic password, nothing else', () => {
    const auth = { token: TOKEN };
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    expect(isAuthorized({ authorization: `Bearer ${TOKEN}` }, auth)).toBe(true);
    expect(isAuthorized({ authorization: basic('anyone', TOKEN) }, auth)).toBe(true);
    expect(isAuthorized({ authorization: `Bearer ${TOKEN}x` }, auth)).toBe(false);
    expect(isAuthorized({ authorization: basic(TOKEN, 'x') }, auth)).toBe(false);
    expect(isAuthorized({}, auth)).toBe(false);
    expect(isAuthorized({}, { token: undefined })).toBe(true);
  });
});

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('health server routes with a token', () => {
  it('answers 401 with a Basic challenge without the token; serves the page, the JSON and reports with it; nothing else', async () => {
    const status = { now: '2026-11-23 10:00:00' } as StatusJson;
    server = new HealthServer(
      { host: '127.0.0.1', port: 0, env: { KISD_HEALTH_TOKEN: TOKEN } },
      {
        source: { snapshot: () => ({ ready: true, token: null, feed: null, lastPhase: null, queueDepth: 0 }) },
        metrics: createKisdMetrics({ defaultMetrics: false }),
        clock: systemClock,
        logger: pino({ level: 'silent' }),
        status: { status: async () => status },
        reports: async (name) => (name === 'daily_20261123.html' ? '<html>report</html>' : undefined),
      },
    );
    const base = `http://127.0.0.1:${await server.start()}`;
    const bearer = { authorization: `Bearer ${TOKEN}` };
    for (const path of ['/', '/status.json', '/healthz', '/metrics', '/reports/daily_20261123.html']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic realm="kisd"');
    }
    const page = await fetch(`${base}/`, { headers: bearer });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-/);
    expect(await page.text()).toContain('<title>kisd status</title>');
    expect(await (await fetch(`${base}/status.json`, { headers: bearer })).json()).toEqual(status);
    expect(await (await fetch(`${base}/reports/daily_20261123.html`, { headers: bearer })).text()).toBe('<html>report</html>');
    expect((await fetch(`${base}/reports/daily_20261124.html`, { headers: bearer })).status).toBe(404);
    expect((await fetch(`${base}/reports/..%2Fstate%2Ftoken.json`, { headers: bearer })).status).toBe(404);
    expect((await fetch(`${base}/status.json`, { method: 'DELETE', headers: bearer })).status).toBe(405);
  });
});
