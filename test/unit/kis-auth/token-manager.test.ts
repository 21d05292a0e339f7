// Token manager behaviour on a fake clock with an in-memory OAuth client and a real temp state dir.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { writeJsonAtomic } from '../../../src/core/atomic-file.js';
import { formatKstTimestamp } from '../../../src/core/kst.js';
import { createTokenManager, credentialFingerprint, type TokenManager, type TokenManagerOptions } from '../../../src/kis/auth/index.js';
import { FakeOAuthClient } from './fake-oauth-client.js';
import { memoryLogger, tempStateDir, type MemoryLogger } from './test-support.js';

const HOUR = 3_600_000;
const BASE_URL = 'http://127.0.0.1:1';
const APP_KEY = 'PSfakeAppKey0123456789';
const APP_SECRET = 'fakeSecret/abcdefghijklmnopqrstuvwxyz==';

let clock: FakeClock;
let oauth: FakeOAuthClient;
let dir: string;
let cleanup: () => Promise<void>;
let logs: MemoryLogger;
const managers: TokenManager[] = [];

function manager(over: Partial<TokenManagerOptions> = {}): TokenManager {
  const m = createTokenManager({
    clock,
    log: logs.log,
    baseUrl: BASE_URL,
    credentials: { appKey: APP_KEY, appSecret: APP_SECRET },
    stateDir: dir,
    oauthClient: oauth,
    ...over,
  });
  managers.push(m);
  return m;
}

const tokenPath = (): string => join(dir, 'token.json');
const readTokenFile = async (): Promise<Record<string, unknown>> => JSON.parse(await readFile(tokenPath(), 'utf8')) as Record<string, unknown>;

beforeEach(async () => {
  clock = createFakeClock('2026-11-23 08:00:00');
  oauth = new FakeOAuthClient(clock);
  logs = memoryLogger();
  ({ dir, cleanup } = await tempStateDir());
});

afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  await cleanup();
});

describe('token manager: issue and fast path', () => {
  it('issues once, stores token.json 0600 with fingerprint but no key, then serves from memory without the disk', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    expect(oauth.tokenCalls).toHaveLength(1);
    expect(t1.expiresAtEpochMs - clock.nowMs()).toBe(24 * HOUR);
    const st = await stat(tokenPath());
    expect(st.mode & 0o777).toBe(0o600);
    const onDisk = await readTokenFile();
    expect(onDisk.value).toBe(t1.value);
    expect(onDisk.expiresAtKst).toBe(formatKstTimestamp(t1.expiresAtEpochMs));
    expect(onDisk.fingerprint).toBe(credentialFingerprint(APP_KEY, BASE_URL));
    expect(JSON.stringify(onDisk)).not.toContain(APP_KEY);
    expect(JSON.stringify(onDisk)).not.toContain(APP_SECRET);

    await rm(tokenPath()); // the fast path must not notice: it never reads the disk
    await clock.tickAsync(HOUR);
    const t2 = await m.getAccessToken();
    expect(t2.value).toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(1);
  });

  it('a second manager (another process) adopts the token from the file instead of issuing', async () => {
    const t1 = await manager().getAccessToken();
    const t2 = await manager().getAccessToken();
    expect(t2.value).toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(1);
  });

  it('concurrent callers in one process share one issue', async () => {
    const m = manager();
    const all = await Promise.all(Array.from({ length: 8 }, () => m.getAccessToken()));
    expect(new Set(all.map((t) => t.value)).size).toBe(1);
    expect(oauth.tokenCalls).toHaveLength(1);
  });

  it('never reuses a token file written for another app key', async () => {
    await manager({ credentials: { appKey: 'PSotherAppKey999999', appSecret: APP_SECRET } }).getAccessToken();
    // The pacer file is per state dir, so the second app waits its minute too (conservative).
    const mine = await settle(clock, manager().getAccessToken(), { stepMs: 500 });
    expect(oauth.tokenCalls).toHaveLength(2);
    expect((await readTokenFile()).value).toBe(mine.value);
  });
});

describe('token manager: refresh margin', () => {
  it('keeps the token until 1 h before expiry, then refreshes in the background while still serving the old one', async () => {
    const m = manager();
    const events: string[] = [];
    m.onTokenChanged((e) => events.push(`${e.source}:${e.token.value}`));
    const t1 = await m.getAccessToken();
    await clock.tickAsync(23 * HOUR - 1000);
    expect((await m.getAccessToken()).value).toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(1);

    await clock.tickAsync(2000); // now inside the 60-minute margin
    expect((await m.getAccessToken()).value).toBe(t1.value); // still valid: no caller waits
    await m.idle();
    expect(oauth.tokenCalls).toHaveLength(2);
    const t2 = await m.getAccessToken();
    expect(t2.value).not.toBe(t1.value);
    expect(events).toEqual([`issued:${t2.value}`]);
  });

  it('waits for a new token when the one it has is about to expire', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await clock.tickAsync(24 * HOUR - 30_000); // 30 s left < minUsableSec 60
    const t2 = await m.getAccessToken();
    expect(t2.value).not.toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its life, not in an issue-every-minute loop', async () => {
    oauth.lifetimeMs = 10 * 60_000;
    const m = manager();
    const t1 = await m.getAccessToken();
    await clock.tickAsync(4 * 60_000);
    expect((await m.getAccessToken()).value).toBe(t1.value);
    await m.idle();
    expect(oauth.tokenCalls).toHaveLength(1);
    await clock.tickAsync(61_000);
    await m.getAccessToken();
    await m.idle();
    expect(oauth.tokenCalls).toHaveLength(2);
  });
});

describe('token manager: invalidate-if-current', () => {
  it('ignores a rejection of a value that is not current', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await m.invalidateAccessToken('some-older-token-value');
    expect((await readTokenFile()).value).toBe(t1.value);
    expect((await m.getAccessToken()).value).toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(1);
  });

  it('N concurrent rejections of the current token cost one issue', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await clock.tickAsync(61_000);
    await Promise.all(Array.from({ length: 5 }, () => m.invalidateAccessToken(t1.value)));
    const after = await Promise.all(Array.from({ length: 5 }, () => m.getAccessToken()));
    expect(new Set(after.map((t) => t.value)).size).toBe(1);
    expect(after[0]?.value).not.toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(2);
    // A late rejection of the old value changes nothing.
    await m.invalidateAccessToken(t1.value);
    expect((await readTokenFile()).value).toBe(after[0]?.value);
    expect(oauth.tokenCalls).toHaveLength(2);
  });

  it('across processes: the second process to see the rejection adopts the first one\'s new token', async () => {
    const a = manager();
    const b = manager();
    const t1 = await a.getAccessToken();
    expect((await b.getAccessToken()).value).toBe(t1.value);
    const bEvents: string[] = [];
    b.onTokenChanged((e) => bEvents.push(e.source));
    await clock.tickAsync(61_000);
    await a.invalidateAccessToken(t1.value);
    const t2 = await a.getAccessToken();
    await b.invalidateAccessToken(t1.value);
    expect((await b.getAccessToken()).value).toBe(t2.value);
    expect(oauth.tokenCalls).toHaveLength(2);
    expect(bEvents).toEqual(['file']);
  });
});

describe('token manager: bad files', () => {
  for (const [name, content] of [
    ['unparseable', 'garbage{'],
    ['schema-invalid', JSON.stringify({ version: 1, kind: 'kis-access-token', value: 'x' })],
  ] as const) {
    it(`quarantines a ${name} token file and issues a new token`, async () => {
      await writeFile(tokenPath(), content, { mode: 0o600 });
      const t = await manager().getAccessToken();
      expect(oauth.tokenCalls).toHaveLength(1);
      const names = await readdir(dir);
      const corrupt = names.filter((n) => n.startsWith('token.json.corrupt-'));
      expect(corrupt).toHaveLength(1);
      expect(await readFile(join(dir, corrupt[0] ?? ''), 'utf8')).toBe(content);
      expect((await readTokenFile()).value).toBe(t.value);
      expect(logs.lines.some((l) => String(l.msg).includes('moved aside'))).toBe(true);
    });
  }

  it('tightens a group/other-readable token file to 0600 and still uses it', async () => {
    const t1 = await manager().getAccessToken();
    await chmod(tokenPath(), 0o644);
    const t2 = await manager().getAccessToken();
    expect(t2.value).toBe(t1.value);
    expect((await stat(tokenPath())).mode & 0o777).toBe(0o600);
    expect(oauth.tokenCalls).toHaveLength(1);
    expect(logs.lines.some((l) => String(l.msg).includes('tightened to 0600'))).toBe(true);
  });
});

describe('token manager: one issue per minute', () => {
  it('waits out the 60 s rule on the clock instead of calling', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await clock.tickAsync(10_000);
    await m.invalidateAccessToken(t1.value);
    const pending = m.getAccessToken();
    const waitLine = await logs.waitFor('waiting before issuing');
    expect(waitLine.reason).toBe('min-issue-interval');
    expect(waitLine.waitMs).toBe(50_000);
    await clock.tickAsync(49_000);
    expect(oauth.tokenCalls).toHaveLength(1);
    const t2 = await settle(clock, pending);
    expect(t2.value).not.toBe(t1.value);
    expect(oauth.tokenCalls).toHaveLength(2);
    const gap = (oauth.tokenCalls[1] ?? 0) - (oauth.tokenCalls[0] ?? 0);
    expect(gap).toBeGreaterThanOrEqual(60_000);
    expect(gap).toBeLessThan(61_000);
  });

  it('the rule holds across processes: another process forcing a refresh waits for the first one\'s minute', async () => {
    await manager().getAccessToken();
    const pending = manager().forceRefresh();
    await logs.waitFor('waiting before issuing');
    expect(oauth.tokenCalls).toHaveLength(1);
    await settle(clock, pending, { stepMs: 500 });
    expect((oauth.tokenCalls[1] ?? 0) - (oauth.tokenCalls[0] ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('records the attempt time on disk before the request is sent', async () => {
    let recorded: unknown;
    oauth.onCall = async () => {
      recorded = JSON.parse(await readFile(join(dir, 'token.last-issue.json'), 'utf8'));
    };
    await manager().getAccessToken();
    expect(recorded).toMatchObject({ lastAttemptEpochMs: clock.nowMs() });
  });

  it('counts the minute from the reply, so a slow reply cannot provoke EGW00133', async () => {
    const m = manager();
    oauth.onCall = () => clock.tickAsync(5000); // the first tokenP reply takes 5 s
    const t1 = await m.getAccessToken();
    oauth.onCall = undefined;
    await m.invalidateAccessToken(t1.value);
    await settle(clock, m.getAccessToken(), { stepMs: 500 });
    expect((oauth.tokenCalls[1] ?? 0) - (oauth.tokenCalls[0] ?? 0)).toBeGreaterThanOrEqual(65_000);
  });

  it('on EGW00133 waits one interval and retries', async () => {
    oauth.script.push('EGW00133');
    const pending = manager().getAccessToken();
    const line = await logs.waitFor('waiting before issuing');
    expect(line.reason).toBe('broker-rate-limit');
    expect(oauth.tokenCalls).toHaveLength(1);
    await settle(clock, pending, { stepMs: 500 });
    expect(oauth.tokenCalls).toHaveLength(2);
    expect((oauth.tokenCalls[1] ?? 0) - (oauth.tokenCalls[0] ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('gives up after maxRateLimitedRetries EGW00133 replies with a retryable typed error', async () => {
    oauth.script.push('EGW00133', 'EGW00133', 'EGW00133');
    const pending = manager({ maxRateLimitedRetries: 2 }).getAccessToken();
    await expect(settle(clock, pending, { stepMs: 500 })).rejects.toMatchObject({ code: 'KIS_AUTH_ISSUE_TOO_OFTEN', disposition: 'retryable' });
    expect(oauth.tokenCalls).toHaveLength(3);
  });

  it('does not retry a bad app key (fatal)', async () => {
    oauth.script.push('EGW00103');
    await expect(manager().getAccessToken()).rejects.toMatchObject({ code: 'KIS_AUTH_INVALID_APP_KEY', disposition: 'fatal' });
    expect(oauth.tokenCalls).toHaveLength(1);
  });

  it('an aborted caller stops waiting', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await m.invalidateAccessToken(t1.value);
    const ac = new AbortController();
    const pending = m.getAccessToken(ac.signal);
    await logs.waitFor('waiting before issuing');
    ac.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
  });
});

describe('token manager: change detection and check()', () => {
  it('emits token-changed with source "file" when another process wrote a new token', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    const events: Array<{ source: string; value: string }> = [];
    m.onTokenChanged((e) => events.push({ source: e.source, value: e.token.value }));
    await clock.tickAsync(2 * HOUR);
    // "Another process" refreshed: written the way any kisd process writes it.
    const other = {
      ...(await readTokenFile()),
      value: 'token-written-by-another-process-0001',
      issuedAtEpochMs: clock.nowMs(),
      issuedAtKst: formatKstTimestamp(clock.nowMs()),
      expiresAtEpochMs: clock.nowMs() + 24 * HOUR,
      expiresAtKst: formatKstTimestamp(clock.nowMs() + 24 * HOUR),
    };
    await writeJsonAtomic(tokenPath(), other, { mode: 0o600 });
    const result = await m.check();
    expect(result).toEqual({
      remainingMs: 24 * HOUR,
      expiresAtEpochMs: other.expiresAtEpochMs,
      expiresAtKst: other.expiresAtKst,
      changed: true,
      refreshed: false,
    });
    expect(events).toEqual([{ source: 'file', value: other.value }]);
    expect((await m.getAccessToken()).value).toBe(other.value);
    expect(oauth.tokenCalls).toHaveLength(1);
    expect(t1.value).not.toBe(other.value);
  });

  it('check() reports a valid token and logs the remaining time', async () => {
    const m = manager();
    await m.getAccessToken();
    await clock.tickAsync(4 * HOUR + 30 * 60_000);
    const result = await m.check();
    expect(result.remainingMs).toBe(19 * HOUR + 30 * 60_000);
    expect(result.changed).toBe(false);
    expect(result.refreshed).toBe(false);
    expect(logs.lines.some((l) => l.msg === 'token check: token valid (19 h 30 min left)')).toBe(true);
  });

  it('check() refreshes inside the margin and says so', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await clock.tickAsync(23 * HOUR + 30 * 60_000);
    const result = await m.check();
    expect(result.refreshed).toBe(true);
    expect(result.changed).toBe(true);
    expect(result.remainingMs).toBe(24 * HOUR);
    expect((await m.getAccessToken()).value).not.toBe(t1.value);
  });

  it('status() masks the value and classifies the token', async () => {
    const m = manager();
    expect((await m.status()).state).toBe('absent');
    const t = await m.getAccessToken();
    const s = await m.status();
    expect(s.state).toBe('valid');
    expect(s.maskedValue).not.toContain(t.value);
    expect(s.maskedValue?.length).toBeLessThan(20);
    expect(s.expiresAtKst).toBe(formatKstTimestamp(t.expiresAtEpochMs));
    await clock.tickAsync(23 * HOUR + 1000);
    expect((await m.status()).state).toBe('refresh-due');
    await clock.tickAsync(HOUR);
    expect((await m.status()).state).toBe('expired');
  });

  it('forceRefresh() issues a new token even when the current one is fresh', async () => {
    const m = manager();
    const events: string[] = [];
    m.onTokenChanged((e) => events.push(e.source));
    const t1 = await m.getAccessToken();
    await clock.tickAsync(61_000);
    const t2 = await m.forceRefresh();
    expect(t2.value).not.toBe(t1.value);
    expect((await m.getAccessToken()).value).toBe(t2.value);
    expect(events).toEqual(['issued']);
  });

  it('never writes a token, the app key or the secret into the log', async () => {
    const m = manager();
    const t1 = await m.getAccessToken();
    await clock.tickAsync(61_000);
    await m.invalidateAccessToken(t1.value);
    const t2 = await m.getAccessToken();
    await m.check();
    const text = logs.text();
    for (const secret of [t1.value, t2.value, APP_KEY, APP_SECRET]) expect(text).not.toContain(secret);
    expect(logs.lines.length).toBeGreaterThan(2);
  });
});

describe('token manager: the issue lock', () => {
  it('takes over a lock left behind by a dead process (stale mtime)', async () => {
    const lockDir = join(dir, 'token.lock');
    await mkdir(lockDir);
    const past = new Date(Date.now() - 60_000); // real time: proper-lockfile judges staleness on real mtimes
    await utimes(lockDir, past, past);
    const t = await manager().getAccessToken();
    expect(t.value).toMatch(/^fake-token-/);
    expect(oauth.tokenCalls).toHaveLength(1);
  });

  it('gives up with a retryable KISD_LOCK_TIMEOUT while a live process holds the lock, without calling KIS', async () => {
    await mkdir(join(dir, 'token.lock')); // fresh mtime: a live holder
    const pending = manager({ lockAcquireTimeoutMs: 2000 }).getAccessToken();
    await expect(settle(clock, pending)).rejects.toMatchObject({ code: 'KISD_LOCK_TIMEOUT', disposition: 'retryable' });
    expect(oauth.tokenCalls).toHaveLength(0);
  });
});
