// What a failed HTTP exchange says about the request, for every data-source adapter: the kind of network
// failure, and whether the bytes may have reached the server. Adapters wrap it in their own error classes
// (KisNetworkError, DartNetworkError); the decision "may this have reached the server?" is made once, here.
import { errors as undiciErrors } from 'undici';

/** Network failure kinds a transport distinguishes; see `reachedServer`. */
export type NetworkErrorKind = 'connect-refused' | 'dns' | 'connect-timeout' | 'connection-reset' | 'read-timeout' | 'socket-closed' | 'other';

/**
 * 'no': the request cannot have reached the server (refused, DNS, connect timeout) — safe to resend even an order.
 * 'maybe': the bytes may have been processed (reset after write, read timeout) — an order becomes unresolved.
 */
export type ReachedServer = 'no' | 'maybe';

export function reachedServer(kind: NetworkErrorKind): ReachedServer {
  return kind === 'connect-refused' || kind === 'dns' || kind === 'connect-timeout' ? 'no' : 'maybe';
}

function errCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[] } | undefined;
  if (typeof e?.code === 'string') return e.code;
  // Happy-eyeballs connects surface as AggregateError; the first attempt's code is representative.
  const first = Array.isArray(e?.errors) ? (e.errors[0] as { code?: unknown } | undefined) : undefined;
  return typeof first?.code === 'string' ? first.code : undefined;
}

/** Maps a Node/undici error to its kind. */
export function networkErrorKind(err: unknown): NetworkErrorKind {
  const code = errCode(err);
  if (err instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect-timeout';
  if (code === 'ECONNREFUSED') return 'connect-refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection-reset';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'read-timeout';
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'socket-closed';
  // ETIMEDOUT and anything unknown stay 'other' (may have reached the server): a wrong "no" could double an order.
  return 'other';
}
