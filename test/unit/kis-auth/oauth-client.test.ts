// The undici OAuth client against a loopback server speaking the KIS wire format.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { scrubSecrets } from '../../../src/log/secrets.js';
import { createOAuthClient } from '../../../src/kis/auth/oauth-client.js';
import { startFakeOAuthServer, type FakeOAuthServer } from '../../fixtures/kis-auth/fake-oauth-server.js';

const APP_KEY = 'PSclientTestAppKey0001';
const APP_SECRET = 'clientTestSecret+/==abcdef';

let clock: FakeClock;
let server: FakeOAuthServer;

beforeEach(async () => {
  clock = createFakeClock('2026-11-23 08:00:00');
  server = await startFakeOAuthServer({ clock, appKey: APP_KEY, appSecret: APP_SECRET });
});
afterEach(async () => {
  await server.close();
});

describe('oauth client', () => {
  it('POSTs tokenP with grant_type/appkey/appsecret and parses the KST expiry; registers the token as a secret', async () => {
    const client = createOAuthClient({ clock, baseUrl: `${server.url}/`, appKey: APP_KEY, appSecret: APP_SECRET });
    const t = await client.issueAccessToken();
    expect(server.bodies[0]).toEqual({ path: '/oauth2/tokenP', body: { grant_type: 'client_credentials', appkey: APP_KEY, appsecret: APP_SECRET } });
    expect(t.expiresAtEpochMs).toBe(clock.nowMs() + 86_400_000);
    expect(server.tokens.has(t.value)).toBe(true);
    expect(scrubSecrets(`header ${t.value}`)).toBe('header [REDACTED]');
  });

  it('POSTs Approval with secretkey (not appsecret)', async () => {
    const client = createOAuthClient({ clock, baseUrl: server.url, appKey: APP_KEY, appSecret: APP_SECRET });
    const k = await client.issueApprovalKey();
    expect(server.bodies[0]).toEqual({ path: '/oauth2/Approval', body: { grant_type: 'client_credentials', appkey: APP_KEY, secretkey: APP_SECRET } });
    expect(k.value.length).toBeGreaterThan(10);
  });

  it('maps 403 EGW00133 / EGW00103 / EGW00105 to typed errors without the key or secret in the message', async () => {
    const client = createOAuthClient({ clock, baseUrl: server.url, appKey: APP_KEY, appSecret: APP_SECRET });
    await client.issueAccessToken();
    await expect(client.issueAccessToken()).rejects.toMatchObject({ code: 'KIS_AUTH_ISSUE_TOO_OFTEN', kisCode: 'EGW00133', httpStatus: 403, disposition: 'retryable' });
    const badKey = createOAuthClient({ clock, baseUrl: server.url, appKey: 'PSwrongKey123456', appSecret: APP_SECRET });
    const e1 = await badKey.issueAccessToken().catch((e: Error) => e);
    expect(e1).toMatchObject({ code: 'KIS_AUTH_INVALID_APP_KEY', disposition: 'fatal' });
    expect((e1 as Error).message).not.toContain('PSwrongKey123456');
    const badSecret = createOAuthClient({ clock, baseUrl: server.url, appKey: APP_KEY, appSecret: 'wrong-secret-value' });
    const e2 = await badSecret.issueAccessToken().catch((e: Error) => e);
    expect(e2).toMatchObject({ code: 'KIS_AUTH_INVALID_APP_SECRET' });
    expect((e2 as Error).message).not.toContain('wrong-secret-value');
    expect((e2 as Error).message).not.toContain(APP_SECRET);
  });

  it('revokes a token', async () => {
    const client = createOAuthClient({ clock, baseUrl: server.url, appKey: APP_KEY, appSecret: APP_SECRET });
    const t = await client.issueAccessToken();
    await client.revokeAccessToken(t.value);
    expect(server.stats.revoke).toBe(1);
    expect(server.tokens.has(t.value)).toBe(false);
  });

  it('a network failure is a retryable KIS_AUTH_NETWORK error', async () => {
    const url = server.url;
    await server.close();
    const client = createOAuthClient({ clock, baseUrl: url, appKey: APP_KEY, appSecret: APP_SECRET });
    await expect(client.issueAccessToken()).rejects.toMatchObject({ code: 'KIS_AUTH_NETWORK', disposition: 'retryable' });
    server = await startFakeOAuthServer({ clock, appKey: APP_KEY, appSecret: APP_SECRET });
  });
});

describe('oauth client timeout', () => {
  let silent: Server;
  afterEach(async () => {
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });

  it('times out on the Clock, not on real time', async () => {
    let received!: () => void;
    const gotRequest = new Promise<void>((r) => (received = r));
    silent = createServer(() => received()); // never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    const client = createOAuthClient({ clock, baseUrl: `http://127.0.0.1:${port}`, appKey: APP_KEY, appSecret: APP_SECRET, timeoutMs: 5000 });
    const pending = client.issueAccessToken();
    pending.catch(() => undefined);
    await gotRequest;
    await clock.tickAsync(4999);
    let settled = false;
    void pending.finally(() => (settled = true)).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await clock.tickAsync(1);
    await expect(pending).rejects.toMatchObject({ code: 'KIS_AUTH_TIMEOUT', disposition: 'retryable' });
  });
});
