// Typed events of the REST client, for Prometheus counters and tests (one listener map, no string typos).
import type { ReplyOutcome } from './classify.js';
import type { RatePriority } from '../../net/rate-limiter.js';

export interface KisRestEventMap {
  /** An HTTP attempt is about to be sent. */
  attempt: [{ trId: string; path: string; attempt: number; requestKind: 'read' | 'order'; atMonoMs: number }];
  /** How one attempt ended. */
  outcome: [{ trId: string; path: string; attempt: number; outcome: ReplyOutcome; rule: string; httpStatus?: number; msgCd?: string; durationMs: number }];
  /** A retry was decided; delayMs is the backoff sleep (0 for token retries; the limiter pause for EGW00201). */
  retry: [{ trId: string; attempt: number; rule: string; delayMs: number }];
  /** The limiter made this request wait. */
  'rate-limit-wait': [{ trId: string; waitedMs: number; priority: RatePriority }];
  /** KIS rejected the token the request used; it was invalidated. */
  'token-rejected': [{ trId: string; msgCd?: string; httpStatus?: number }];
  /** The connection pool was replaced. */
  'session-reset': [{ trId: string; attempt: number; generation: number }];
  /** N retryable errors in a row: every caller pauses. */
  cooldown: [{ consecutiveErrors: number; cooldownSec: number; untilMonoMs: number }];
  /** A reply that is not the KIS envelope. */
  malformed: [{ trId: string; httpStatus?: number; bodyKind: string }];
  /** Fields that failed to parse in an otherwise valid reply (endpoint layer). */
  'parse-error': [{ trId: string; issues: number; paths: string[] }];
}
