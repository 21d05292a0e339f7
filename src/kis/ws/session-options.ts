// Options of the KIS WebSocket session: raw (what callers and the config mapper pass) -> compiled
// (defaults applied, bounds checked, frozen). Defaults follow the fact sheet §5 and seed 001 §4.
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import type { ApprovalKeyProvider } from '../auth/types.js';
import type { BackoffPolicy } from '../../core/retry.js';
import type { RealtimeEvent } from './events.js';
import type { SubscriptionKey } from './subscription-table.js';
import { ENCRYPTED_TRS } from './wire.js';

/** Reconnect backoff defaults: 1 s doubling to 60 s, plus up to 1 s of jitter so a restart storm spreads out. */
const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 1000, capMs: 60_000, jitterMs: 1000 });

export interface WsSessionOptions {
  clock: Clock;
  log: Logger;
  /** ws:// URL, e.g. ws://ops.koreainvestment.com:21000/tryitout (the path is cosmetic for KIS). */
  url: string;
  approvalKeys: ApprovalKeyProvider;
  /** Receives every decoded record, synchronously on the socket reader: keep it cheap (publish to a bus). */
  sink: (event: RealtimeEvent) => void;
  /** "P" individual (default) or "B" corporate. */
  custtype?: 'P' | 'B';
  /** Registrations per session; KIS allows 41, OTA/PK use 40. Default 40. */
  maxSubscriptions?: number;
  /** Gap between subscribe/release requests (OTA spaces 0.1-0.5 s). Default 150. */
  subscribeSpacingMs?: number;
  /** Application-level PINGPONG sent this often against L4 idle cut-offs (seed 001 §4.2). Default 30000. */
  keepaliveIntervalMs?: number;
  /** Declare the socket dead after this long with no frame at all (data, control or PINGPONG). Default 60000. */
  deadAfterSilenceMs?: number;
  /** Wait after releasing everything on a new connection before re-subscribing (seed 001 §4.1). Default 3000. */
  releaseGraceMs?: number;
  /** Give up on a connect attempt (TCP + WS handshake) after this long. Default 10000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff. Default { baseMs: 1000, capMs: 60000, jitterMs: 1000 }. */
  reconnect?: Partial<BackoffPolicy>;
  /** Minimum reconnect delay after OPSP8996 ALREADY IN USE (another session still holds the app key). Default 5000. */
  inUseRetryDelayMs?: number;
  /** stop(): release, close and wait at most this long before terminating the socket. Default 5000. */
  stopTimeoutMs?: number;
  /** [0, 1) source for jitter. Default Math.random. */
  random?: () => number;
  /** Attach raw fields to every event (recording/debugging). Default false. */
  keepFields?: boolean;
  /**
   * Subscribe order on every (re)connection: lower first, ties in desired order. Read each time a request is
   * picked, so it may follow live state (symbols with open positions). Default: encrypted TRs (our execution
   * notices) first, then the rest.
   */
  subscribeRank?: (key: SubscriptionKey) => number;
}

export interface CompiledWsSessionOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly url: string;
  readonly approvalKeys: ApprovalKeyProvider;
  readonly sink: (event: RealtimeEvent) => void;
  readonly custtype: 'P' | 'B';
  readonly maxSubscriptions: number;
  readonly subscribeSpacingMs: number;
  readonly keepaliveIntervalMs: number;
  readonly deadAfterSilenceMs: number;
  readonly releaseGraceMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnect: Readonly<BackoffPolicy>;
  readonly inUseRetryDelayMs: number;
  readonly stopTimeoutMs: number;
  readonly random: () => number;
  readonly keepFields: boolean;
  readonly subscribeRank: (key: SubscriptionKey) => number;
}

/** The default subscribe order: our execution notices (encrypted TRs) before quotes. */
export function noticesFirst(key: SubscriptionKey): number {
  return ENCRYPTED_TRS.has(key.trId) ? 0 : 1;
}

function bounded(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(`ws session option ${name} must be within ${min}..${max}, got ${String(value)}`, { field: name, min, max });
  }
  return v;
}

export function compileWsSessionOptions(raw: WsSessionOptions): CompiledWsSessionOptions {
  if (!/^wss?:\/\//.test(raw.url)) throw new ConfigError(`ws session url must start with ws:// or wss://, got ${raw.url}`, { field: 'url' });
  const deadAfterSilenceMs = bounded('deadAfterSilenceMs', raw.deadAfterSilenceMs, 60_000, 1000, 3_600_000);
  const keepaliveIntervalMs = bounded('keepaliveIntervalMs', raw.keepaliveIntervalMs, 30_000, 100, 3_600_000);
  const reconnect = {
    baseMs: bounded('reconnect.baseMs', raw.reconnect?.baseMs, DEFAULT_BACKOFF.baseMs, 1, 600_000),
    capMs: bounded('reconnect.capMs', raw.reconnect?.capMs, DEFAULT_BACKOFF.capMs, 1, 3_600_000),
    jitterMs: bounded('reconnect.jitterMs', raw.reconnect?.jitterMs, DEFAULT_BACKOFF.jitterMs, 0, 600_000),
  };
  if (reconnect.capMs < reconnect.baseMs) throw new ConfigError('ws session option reconnect.capMs must be >= reconnect.baseMs', { field: 'reconnect.capMs' });
  return Object.freeze({
    clock: raw.clock,
    log: raw.log,
    url: raw.url,
    approvalKeys: raw.approvalKeys,
    sink: raw.sink,
    custtype: raw.custtype ?? 'P',
    maxSubscriptions: bounded('maxSubscriptions', raw.maxSubscriptions, 40, 1, 41),
    subscribeSpacingMs: bounded('subscribeSpacingMs', raw.subscribeSpacingMs, 150, 0, 10_000),
    keepaliveIntervalMs,
    deadAfterSilenceMs,
    releaseGraceMs: bounded('releaseGraceMs', raw.releaseGraceMs, 3000, 0, 60_000),
    connectTimeoutMs: bounded('connectTimeoutMs', raw.connectTimeoutMs, 10_000, 100, 600_000),
    reconnect: Object.freeze(reconnect),
    inUseRetryDelayMs: bounded('inUseRetryDelayMs', raw.inUseRetryDelayMs, 5000, 0, 600_000),
    stopTimeoutMs: bounded('stopTimeoutMs', raw.stopTimeoutMs, 5000, 0, 600_000),
    random: raw.random ?? Math.random,
    keepFields: raw.keepFields ?? false,
    subscribeRank: raw.subscribeRank ?? noticesFirst,
  });
}
