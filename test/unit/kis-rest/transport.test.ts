// Network error kinds: which failures prove the request never reached KIS.
import { describe, expect, it } from 'vitest';
import { errors as undiciErrors } from 'undici';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { createScriptedServer } from '../../helpers/scripted-server.js';
import { createUndiciTransport, toNetworkError } from '../../../src/kis/rest/transport.js';

const withCode = (code: string): Error => Object.assign(new Error(code), { code });

describe('toNetworkError', () => {
  it.each([
    ['ECONNREFUSED', 'connect-refused', 'no'],
    ['ENOTFOUND', 'dns', 'no'],
    ['EAI_AGAIN', 'dns', 'no'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect-timeout', 'no'],
    ['ECONNRESET', 'connection-reset', 'maybe'],
    ['EPIPE', 'connection-reset', 'maybe'],
    ['UND_ERR_SOCKET', 'socket-closed', 'maybe'],
    ['UND_ERR_HEADERS_TIMEOUT', 'read-timeout', 'maybe'],
    ['ETIMEDOUT', 'other', 'maybe'],
  ])('%s → %s (reached: %s)', (code, kind, reached) => {
    expect(toNetworkError(withCode(code))).toMatchObject({ kind, reachedServer: reached });
  });

  it('reads the code of an AggregateError (happy-eyeballs connect)', () => {
    const agg = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed');
    expect(toNetworkError(agg).kind).toBe('connect-refused');
  });

  it('recognises undici ConnectTimeoutError by class', () => {
    expect(toNetworkError(new undiciErrors.ConnectTimeoutError()).reachedServer).toBe('no');
  });
});

describe('undici transport', () => {
  it('reset() bumps the generation and the next request uses a new connection', async () => {
    const clock = createFakeClock();
    const server = await createScriptedServer();
    // One socket per pool, so reuse within a pool is deterministic.
    const t = createUndiciTransport({ baseUrl: server.url, clock, connections: 1 });
    try {
      await t.request({ method: 'GET', path: '/a', headers: {} });
      await t.request({ method: 'GET', path: '/b', headers: {} });
      t.reset();
      expect(t.generation).toBe(1);
      await t.request({ method: 'GET', path: '/c', headers: {} });
      const [a, b, c] = server.requests.map((r) => r.remotePort);
      expect(a).toBe(b);
      expect(c).not.toBe(b);
    } finally {
      await t.close();
      await server.close();
    }
  });

  it('honours a base URL path prefix', async () => {
    const clock = createFakeClock();
    const server = await createScriptedServer();
    const t = createUndiciTransport({ baseUrl: `${server.url}/kis/`, clock });
    try {
      await t.request({ method: 'GET', path: '/uapi/x?A=1', headers: {} });
      expect(server.requests[0]).toMatchObject({ path: '/kis/uapi/x', query: { A: '1' } });
    } finally {
      await t.close();
      await server.close();
    }
  });
});
