// Who may read the health server. On loopback (the default) anyone on the machine may, as before. Bound to
// any other address the page, /status.json, /metrics and /healthz show the daemon's state to a network, so
// a bearer token is required and start-up is refused without one. The token comes from the environment
// (KISD_HEALTH_TOKEN, like every secret: never the YAML). Curl and Prometheus send `Authorization: Bearer
// <token>`; a browser gets a Basic-auth prompt whose password is the token (any user name).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../log/secrets.js';

export const HEALTH_TOKEN_ENV = 'KISD_HEALTH_TOKEN';
const MIN_TOKEN_CHARS = 24;

/** 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export interface HealthAuth {
  /** undefined on loopback without a token: no check. */
  token: string | undefined;
}

/**
 * The health server's auth for `host`. Throws ConfigError (naming health.host and the variable) when the
 * host is not loopback and no token of at least 24 characters is set.
 */
export function healthAuthFor(host: string, env: NodeJS.ProcessEnv = process.env, where = 'health.host'): HealthAuth {
  const raw = env[HEALTH_TOKEN_ENV];
  const token = raw === undefined || raw === '' ? undefined : raw;
  if (token !== undefined && token.length < MIN_TOKEN_CHARS) {
    throw new ConfigError(`environment: ${HEALTH_TOKEN_ENV} is too short (${token.length} characters; at least ${MIN_TOKEN_CHARS}: e.g. openssl rand -hex 24)`);
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new ConfigError(
      `${where}: "${host}" is not a loopback address, and the status page, /status.json and /metrics would be open to the network: ` +
        `set ${HEALTH_TOKEN_ENV} (at least ${MIN_TOKEN_CHARS} characters, e.g. openssl rand -hex 24) so they require it, or bind ${where}: 127.0.0.1`,
    );
  }
  if (token !== undefined) registerSecret(token, { pinned: true });
  return { token };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request carries the token (Bearer, or Basic with the token as password). */
export function isAuthorized(headers: IncomingHttpHeaders, auth: HealthAuth): boolean {
  if (auth.token === undefined) return true;
  const value = headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1];
  if (bearer !== undefined) return sameSecret(bearer, auth.token);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value)?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && sameSecret(decoded.slice(colon + 1), auth.token);
  }
  return false;
}
