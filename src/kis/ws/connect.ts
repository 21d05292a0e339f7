// Opens one ws:// connection with a connect deadline on the injected Clock (ws's own handshakeTimeout
// would use the real timers) and an AbortSignal; never leaves a half-made socket behind.
import WebSocket from 'ws';
import { networkTimeoutMs, type Clock } from '../../core/clock.js';
import { AbortedError, KisdError } from '../../core/errors.js';

/** Resolves with an open socket; rejects with KIS_WS_CONNECT / KIS_WS_CONNECT_TIMEOUT (retryable) or AbortedError. */
export function openWebSocket(url: string, clock: Clock, connectTimeoutMs: number, signal: AbortSignal): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortedError('websocket connect aborted'));
      return;
    }
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      ws.off('open', onOpen);
      ws.off('error', onError);
      if (err === undefined) {
        resolve(ws);
        return;
      }
      ws.on('error', () => undefined); // terminate() on a connecting socket emits one more error
      ws.terminate();
      reject(err);
    };
    const onOpen = (): void => finish();
    const onError = (e: Error): void => finish(new KisdError('KIS_WS_CONNECT', `websocket connect failed: ${e.message}`, { disposition: 'retryable' }));
    const onAbort = (): void => finish(new AbortedError('websocket connect aborted'));
    const timer = clock.setTimeout(
      () => finish(new KisdError('KIS_WS_CONNECT_TIMEOUT', `websocket connect timed out after ${connectTimeoutMs} ms`, { disposition: 'retryable' })),
      networkTimeoutMs(clock, connectTimeoutMs),
    );
    ws.once('open', onOpen);
    ws.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
