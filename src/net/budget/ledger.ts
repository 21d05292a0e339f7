// The port a cross-process rate budget stands on: one atomic "grant now or say when" per attempt, shared
// pauses, priority claims and a membership list. The SQLite ledger (one host, `budget.db` in the state dir)
// and the Redis ledger (several hosts) implement it; the shared limiter queues callers in front of it.
import { createHash } from 'node:crypto';
import type { RateWindowUsage } from '../rate-windows.js';

/** A process drawing on the budget, as `kisd status` lists it. */
export interface BudgetMember {
  /** Unique per process instance (host, pid and a random part). */
  id: string;
  pid: number;
  host: string;
  /** What the process is, e.g. "kisd run" or "kisd collect quotes". */
  label: string;
}

export type GrantAnswer =
  | {
      granted: true;
      /** The slot is reserved this many ms from now (Redis: a slot about to free); the call may go only then. */
      inMs?: number;
    }
  | {
      granted: false;
      /** Try again after this many ms (the ledger's own time base never leaves it). */
      retryInMs: number;
      /** window: a window or the spacing is full; pause: EGW00201 or a cooldown; priority: another process has a better-ranked waiter. */
      reason: 'window' | 'pause' | 'priority';
    };

export interface LedgerMemberView {
  id: string;
  pid: number;
  host: string;
  label: string;
  /** ms since the member last showed it is alive. */
  seenAgoMs: number;
}

export interface LedgerUsage {
  windows: Omit<RateWindowUsage, 'waiting'>[];
  members: LedgerMemberView[];
  /** ms until every grant may go again (0 = no pause). */
  pausedForMs: number;
}

export type PauseScope = 'all' | 'reads';

export interface BudgetLedger {
  /**
   * One atomic attempt for `member`, whose best waiting caller has `rank` (0 order, 1 read, 2 bulk): records
   * a grant now, or says how long to wait. The member's priority claim is kept until `release`.
   */
  tryGrant(member: string, rank: number): Promise<GrantAnswer>;
  /** The member has nobody waiting: drop its priority claim. */
  release(member: string): Promise<void>;
  /** No grant ('all') or no read grant ('reads') for `ms` from now, for every member. */
  pause(ms: number, scope: PauseScope): Promise<void>;
  /** The member is alive (listed by usage() until a few heartbeats are missed). */
  heartbeat(member: BudgetMember): Promise<void>;
  /** The member stops (its claim and listing go at once). */
  leave(member: string): Promise<void>;
  usage(): Promise<LedgerUsage>;
  close(): Promise<void>;
}

/** How long a priority claim holds other members back without being refreshed (a SIGKILLed claimer). */
export const CLAIM_TTL_MS = 1_000;
/** A member missing heartbeats for this long is no longer listed. */
export const MEMBER_TTL_MS = 15_000;

/**
 * Names an app key in shared storage without revealing it: the first 16 hex digits of its SHA-256.
 * 64 bits identify a key among a handful; they do not help guess a 36-character random key.
 */
export function appKeyFingerprint(appKey: string): string {
  return createHash('sha256').update(appKey, 'utf8').digest('hex').slice(0, 16);
}
