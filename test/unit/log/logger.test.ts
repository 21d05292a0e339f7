import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log/logger.js';
import { registerSecret, clearSecretsForTest, scrubSecrets } from '../../../src/log/secrets.js';

afterEach(() => clearSecretsForTest());

function collector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  it('masks secret fields by path and secret values anywhere, including error messages', async () => {
    const { stream, lines } = collector();
    const { logger } = await createLogger({ level: 'info', maxSizeMb: 10, maxFiles: 5, console: 'json', consoleStream: stream });
    registerSecret('TOKEN-abcdef-123456');
    logger.info({ headers: { authorization: 'Bearer whatever', appkey: 'k' }, appsecret: 's' }, 'request dump');
    logger.error({ err: new Error('upstream said TOKEN-abcdef-123456 is bad') }, 'failed with TOKEN-abcdef-123456');
    const text = lines.join('\n');
    expect(text).not.toContain('TOKEN-abcdef-123456');
    expect(text).not.toContain('whatever');
    expect(text).toContain('[REDACTED]');
    expect(lines).toHaveLength(2);
  });

  it('writes one "component" (the innermost) for a child of a child, and durations without float noise', async () => {
    const { stream, lines } = collector();
    const { logger } = await createLogger({ level: 'info', maxSizeMb: 10, maxFiles: 5, console: 'json', consoleStream: stream });
    logger.child({ component: 'orders' }).child({ component: 'order-manager' }).info({ durationMs: 0.006351999999992586, elapsedSec: 1.23456789, price: 123.4567 }, 'reconciliation finished');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"component":/g)).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ component: 'order-manager', durationMs: 0.006, elapsedSec: 1.235, price: 123.4567 });
  });

  it('scrubs the longest secret first', () => {
    registerSecret('abcdefgh');
    registerSecret('abcdefgh-extended');
    expect(scrubSecrets('x abcdefgh-extended y abcdefgh')).toBe('x [REDACTED] y [REDACTED]');
  });

  it('rotates files at the size limit, keeps at most max_files, and loses no recent line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kisd-log-'));
    const { logger, close } = await createLogger({ level: 'info', file: join(dir, 'kisd.log'), maxSizeMb: 1, maxFiles: 3, console: 'off' });
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 5_000; i += 1) {
      logger.info({ i, filler }, 'line');
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    await close();
    const logs = readdirSync(dir).filter((f) => /^kisd\.\d+\.log$/.test(f));
    expect(logs.length).toBeGreaterThanOrEqual(2); // it rotated
    // pino-roll removes old files asynchronously after each roll; a roll just before close may leave one extra
    // until the next roll (or start-up) cleans it up.
    expect(logs.length).toBeLessThanOrEqual(3 + 1);
    // Files in rotation order, concatenated: a line may straddle a rotation boundary (pino-roll rotates
    // between buffered writes), but none may be lost or garbled.
    const ordered = logs.map((f) => Number(f.split('.')[1])).sort((a, b) => a - b);
    const text = ordered.map((n) => readFileSync(join(dir, `kisd.${n}.log`), 'utf8')).join('');
    const lines = text.split('\n').filter(Boolean);
    const seen = lines.slice(1).map((line) => JSON.parse(line).i as number); // the first may be a tail of a removed file
    for (let k = 1; k < seen.length; k += 1) expect(seen[k]).toBe((seen[k - 1] as number) + 1);
    expect(seen[seen.length - 1]).toBe(4_999);
  });
});

describe('scrubSecrets on JSON lines', () => {
  it('masks an all-digit account number only as a whole number, and keeps the line valid JSON', () => {
    registerSecret('50000001');
    const line = JSON.stringify({ cano: 50000001, url: '/x?CANO=50000001&n=1', turnover: 2350000001, list: [50000001] });
    const out = scrubSecrets(line);
    expect(out).not.toMatch(/(?<![0-9])50000001(?![0-9])/);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed['turnover']).toBe(2350000001);
    expect(parsed['cano']).toBe('[REDACTED]');
    expect(parsed['url']).toBe('/x?CANO=[REDACTED]&n=1');
  });
});

describe('secret registry', () => {
  it('keeps pinned credentials forever but only the newest rotating tokens', () => {
    registerSecret('APPKEY-pinned-0001', { pinned: true });
    for (let i = 0; i < 40; i += 1) registerSecret(`token-value-${String(i).padStart(4, '0')}`);
    expect(scrubSecrets('APPKEY-pinned-0001')).toBe('[REDACTED]');
    expect(scrubSecrets('token-value-0039')).toBe('[REDACTED]');
    expect(scrubSecrets('token-value-0000')).toBe('token-value-0000'); // evicted: 8 oldest of 40 beyond the 32 kept
  });
});
