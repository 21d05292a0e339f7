// The daily request budget (KST calendar day), the key from the environment, the option ranges, and that the
// key never reaches a log line even when a log call is handed the full URL.
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log/logger.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { clearSecretsForTest, scrubSecrets } from '../../../src/log/secrets.js';
import { compileDartClientOptions, createDailyQuota, DART_API_KEY_ENV, loadDartApiKey } from '../../../src/dart/index.js';
import { silentLogger } from '../kis-rest/support.js';

afterEach(() => clearSecretsForTest());

const KEY = 'a1B2c3D4e5F6a1B2c3D4e5F6a1B2c3D4e5F6a1B2';

describe('createDailyQuota', () => {
  it('counts per KST day and refills at KST midnight (15:00 UTC)', async () => {
    const clock = createFakeClock('2026-11-23 23:59:30');
    const q = createDailyQuota(clock, 2);
    expect([q.tryTake(), q.tryTake(), q.tryTake()]).toEqual([true, true, false]);
    expect(q.used).toBe(2);
    expect(new Date(q.resumeAtEpochMs()).toISOString()).toBe('2026-11-23T15:00:00.000Z');
    await clock.tickAsync(30_000);
    expect(q.tryTake()).toBe(true);
    expect(q.used).toBe(1);
    expect(() => createDailyQuota(clock, 0)).toThrow(RangeError);
  });
});

describe('loadDartApiKey', () => {
  it('reads KISD_DART_API_KEY, registers it for scrubbing, and is optional unless required', () => {
    expect(loadDartApiKey({})).toBeUndefined();
    expect(() => loadDartApiKey({}, { required: true })).toThrow(DART_API_KEY_ENV);
    expect(loadDartApiKey({ [DART_API_KEY_ENV]: ` ${KEY} ` })).toBe(KEY);
    expect(scrubSecrets(`GET /api/list.json?crtfc_key=${KEY}&page_no=1`)).toBe('GET /api/list.json?crtfc_key=[REDACTED]&page_no=1');
  });
  it('a malformed key is refused naming the variable and the length, never the value', () => {
    const bad = 'short-secret-value';
    let message = '';
    try {
      loadDartApiKey({ [DART_API_KEY_ENV]: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(DART_API_KEY_ENV);
    expect(message).toContain('18 characters');
    expect(message).not.toContain(bad);
  });
});

describe('compileDartClientOptions', () => {
  const clock = createFakeClock();
  it('fills the documented defaults', () => {
    expect(compileDartClientOptions({ apiKey: KEY, clock, log: silentLogger })).toMatchObject({ baseUrl: 'https://opendart.fss.or.kr', perMinute: 900, perDay: 19_000, rateLimitedWaitMs: 60_000, maintenanceWaitMs: 300_000 });
  });
  it('names the option and its range; a bad key is refused without echoing it', () => {
    expect(() => compileDartClientOptions({ apiKey: KEY, clock, log: silentLogger, perMinute: 5000 })).toThrow('perMinute must be an integer in 1..1000');
    expect(() => compileDartClientOptions({ apiKey: 'nope', clock, log: silentLogger })).toThrow(/40-character/);
  });
});

describe('logs', () => {
  it('the project logger scrubs the key from a line carrying the full URL once the key is loaded', async () => {
    loadDartApiKey({ [DART_API_KEY_ENV]: KEY });
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = await createLogger({ level: 'info', maxSizeMb: 1, maxFiles: 1, console: 'json', consoleStream: sink });
    log.logger.warn({ url: `https://opendart.fss.or.kr/api/list.json?crtfc_key=${KEY}` }, `failed ${KEY}`);
    log.flush();
    await log.close();
    expect(lines.join('')).not.toContain(KEY);
    expect(lines.join('').match(/\[REDACTED\]/g)).toHaveLength(2);
  });
});
