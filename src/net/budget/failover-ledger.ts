// The Redis budget with its safety net: grants come from Redis (shared by every host) while the link is up;
// when Redis cannot answer, from a local ledger holding only a share of each window (fallback_share), so a
// host cut off from the others never exceeds what KIS allows. Each switch first lets one shortest window
// (1 s + safety) pass with no grant: what this host was granted on the other side may still count in it, and
// the side it switches to cannot see those grants.
import type { Clock } from '../../core/clock.js';
import type { BudgetLedger, BudgetMember, GrantAnswer, LedgerUsage, PauseScope } from './ledger.js';

export type CoordinationMode = 'shared' | 'fallback';

/** The Redis link as this ledger needs it (src/coord's RedisConnection satisfies it). */
export interface LinkState {
  state(): 'connecting' | 'up' | 'down';
  lastError(): string | undefined;
  /** The first settled state (at once when already settled). */
  settled(): Promise<'up' | 'down'>;
  onChange(fn: (state: 'up' | 'down', reason: string | undefined) => void): () => void;
}

export interface FailoverLedgerOptions {
  clock: Clock;
  /** The shared ledger (Redis). */
  primary: BudgetLedger;
  /** The local ledger with fallback_share of each window. */
  fallback: BudgetLedger;
  link: LinkState;
  /** No grant for this long after a switch: the shortest window plus its safety margin. */
  quietMs: number;
  /** Told once per switch: to 'fallback' (with why) and back to 'shared'. */
  onSwitch?: (mode: CoordinationMode, reason: string | undefined) => void;
}

export interface FailoverLedger extends BudgetLedger {
  mode(): CoordinationMode;
  /** Monotonic ms of the last switch (undefined before any). */
  switchedAtMs(): number | undefined;
}

/** In fallback with the link up (a command failed, the connection did not): retry Redis after this long. */
const RETRY_SHARED_AFTER_MS = 5_000;

export function createFailoverLedger(o: FailoverLedgerOptions): FailoverLedger {
  const { clock, primary, fallback, link } = o;
  // Before the first answer from Redis this host has granted nothing through it: start shared, no quiet time.
  let mode: CoordinationMode = link.state() === 'down' ? 'fallback' : 'shared';
  let quietUntilMs = -Infinity;
  let switchedAt: number | undefined;

  function switchTo(next: CoordinationMode, reason: string | undefined): void {
    if (mode === next) return;
    mode = next;
    switchedAt = clock.monotonicMs();
    quietUntilMs = switchedAt + o.quietMs;
    o.onSwitch?.(next, reason);
  }
  if (mode === 'fallback') o.onSwitch?.('fallback', link.lastError() ?? 'Redis unreachable at start-up');
  const unsubscribe = link.onChange((state, reason) => switchTo(state === 'up' ? 'shared' : 'fallback', reason));

  const quiet = (): GrantAnswer | undefined => {
    const left = quietUntilMs - clock.monotonicMs();
    return left > 0 ? { granted: false, retryInMs: left, reason: 'pause' } : undefined;
  };
  /** Best effort on Redis: a failure there is the link's business (it reports down), never the caller's. */
  const onPrimary = async (fn: (l: BudgetLedger) => Promise<void>): Promise<void> => {
    if (mode === 'shared') await fn(primary).catch(() => undefined);
  };

  return {
    mode: () => mode,
    switchedAtMs: () => switchedAt,
    async tryGrant(member: string, rank: number): Promise<GrantAnswer> {
      // Still connecting (start-up): wait for the first answer rather than switch twice.
      if (link.state() === 'connecting') await link.settled();
      const wait = quiet();
      if (wait) return wait;
      // A call that failed while the link stayed up (a command timeout on a slow Redis): try Redis again
      // after a while; a link that went down comes back through onChange.
      if (mode === 'fallback' && link.state() === 'up' && clock.monotonicMs() - (switchedAt ?? 0) >= RETRY_SHARED_AFTER_MS) {
        switchTo('shared', undefined);
        return quiet()!;
      }
      if (mode === 'fallback') return fallback.tryGrant(member, rank);
      try {
        return await primary.tryGrant(member, rank);
      } catch (err) {
        // Redis did not answer (timeout, reset): whether that grant was recorded is unknown, so count it
        // as taken: switch and sit out the quiet time.
        switchTo('fallback', (err as Error).message);
        return quiet() ?? { granted: false, retryInMs: o.quietMs, reason: 'pause' };
      }
    },
    async release(member: string): Promise<void> {
      await onPrimary((l) => l.release(member));
      await fallback.release(member);
    },
    async pause(ms: number, scope: PauseScope): Promise<void> {
      await onPrimary((l) => l.pause(ms, scope));
      await fallback.pause(ms, scope);
    },
    async heartbeat(m: BudgetMember): Promise<void> {
      await onPrimary((l) => l.heartbeat(m));
      await fallback.heartbeat(m);
    },
    async leave(member: string): Promise<void> {
      await primary.leave(member).catch(() => undefined);
      await fallback.leave(member);
    },
    async usage(): Promise<LedgerUsage> {
      if (mode === 'shared') {
        try {
          return await primary.usage();
        } catch {
          // fall through to the local view
        }
      }
      return fallback.usage();
    },
    async close(): Promise<void> {
      unsubscribe();
      await primary.close();
      await fallback.close();
    },
  };
}
