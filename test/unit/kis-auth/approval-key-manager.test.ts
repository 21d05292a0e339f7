// WebSocket approval-key manager: same cache/lock/invalidate pattern as the token, on a fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFakeClock, settle, type FakeClock } from '../../helpers/fake-clock.js';
import { createApprovalKeyManager, type ApprovalKeyManager } from '../../../src/kis/auth/index.js';
import { FakeOAuthClient } from './fake-oauth-client.js';
import { memoryLogger, tempStateDir, type MemoryLogger } from './test-support.js';

const HOUR = 3_600_000;
let clock: FakeClock;
let oauth: FakeOAuthClient;
let dir: string;
let cleanup: () => Promise<void>;
let logs: MemoryLogger;
const managers: ApprovalKeyManager[] = [];

function manager(): ApprovalKeyManager {
  const m = createApprovalKeyManager({
    clock,
    log: logs.log,
    baseUrl: 'http://127.0.0.1:1',
    credentials: { appKey: 'PSapprovalAppKey0001', appSecret: 'approvalSecret0001==' },
    stateDir: dir,
    oauthClient: oauth,
  });
  managers.push(m);
  return m;
}

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

describe('approval key manager', () => {
  it('issues once, caches it in approval.json (0600) for 24 h, and shares it with other processes', async () => {
    const k1 = await manager().getApprovalKey();
    const rec = JSON.parse(await readFile(join(dir, 'approval.json'), 'utf8')) as Record<string, unknown>;
    expect(rec.value).toBe(k1);
    expect(rec.expiresAtEpochMs).toBe(clock.nowMs() + 24 * HOUR);
    expect((await stat(join(dir, 'approval.json'))).mode & 0o777).toBe(0o600);
    expect(await manager().getApprovalKey()).toBe(k1);
    expect(oauth.approvalCalls).toHaveLength(1);
    expect(oauth.tokenCalls).toHaveLength(0);
  });

  it('re-issues inside the last hour of its 24 h validity', async () => {
    const m = manager();
    const k1 = await m.getApprovalKey();
    await clock.tickAsync(22 * HOUR);
    expect(await m.getApprovalKey()).toBe(k1);
    await clock.tickAsync(HOUR + 1000);
    await m.getApprovalKey();
    await m.idle();
    const k2 = await m.getApprovalKey();
    expect(k2).not.toBe(k1);
    expect(oauth.approvalCalls).toHaveLength(2);
  });

  it('invalidate-if-current (OPSP0011): concurrent rejections cost one issue, paced by the 60 s rule', async () => {
    const m = manager();
    const k1 = await m.getApprovalKey();
    await m.invalidateApprovalKey('not-the-current-key');
    expect(await m.getApprovalKey()).toBe(k1);
    await Promise.all([m.invalidateApprovalKey(k1), m.invalidateApprovalKey(k1), m.invalidateApprovalKey(k1)]);
    const pending = Promise.all([m.getApprovalKey(), m.getApprovalKey()]);
    await logs.waitFor('waiting before issuing');
    expect(oauth.approvalCalls).toHaveLength(1);
    const [a, b] = await settle(clock, pending, { stepMs: 500 });
    expect(a).toBe(b);
    expect(a).not.toBe(k1);
    expect(oauth.approvalCalls).toHaveLength(2);
    expect((oauth.approvalCalls[1] ?? 0) - (oauth.approvalCalls[0] ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('quarantines a corrupt approval.json and issues a new key', async () => {
    await writeFile(join(dir, 'approval.json'), '{"version":1,', { mode: 0o600 });
    await manager().getApprovalKey();
    expect((await readdir(dir)).some((n) => n.startsWith('approval.json.corrupt-'))).toBe(true);
    expect(oauth.approvalCalls).toHaveLength(1);
  });
});
