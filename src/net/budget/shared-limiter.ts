// A RateLimiter over a BudgetLedger: this process's callers queue here in priority order, and the head of the
// queue asks the ledger for a slot of the app key's one budget. Between attempts it waits for the time the
// ledger names, at most MAX_WAIT_MS so its priority claim stays fresh; a ledger that fails is retried,
// never bypassed (a budget nobody checks is how EGW00201 happens).
import { unrefTimer, type Clock, type TimerHandle } from '../../core/clock.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { BudgetShare, RateWindowUsage } from '../rate-windows.js';
import { WaiterQueue } from '../waiter-queue.js';
import type { BudgetLedger, BudgetMember, LedgerUsage } from './ledger.js';

export interface SharedLimiterOptions {
  clock: Clock;
  ledger: BudgetLedger;
  member: BudgetMember;
  backend: BudgetShare['backend'];
  /** backend redis: whether the budget is shared now or this host uses its fallback share. */
  coordination?: () => NonNullable<BudgetShare['coordination']>;
  /** Told when the ledger fails (the attempt is retried after RETRY_AFTER_ERROR_MS). */
  onLedgerError?: (err: unknown) => void;
}

/** Longest wait between two attempts while callers wait; keeps the claim under CLAIM_TTL_MS old. */
const MAX_WAIT_MS = 250;
const RETRY_AFTER_ERROR_MS = 100;
const HEARTBEAT_MS = 5_000;

export function createSharedLimiter(o: SharedLimiterOptions): RateLimiter {
  const { clock, ledger, member } = o;
  const queue = new WaiterQueue(clock, () => pump());
  let attempting = false;
  let again = false;
  let claimed = false;
  let closed = false;
  let timer: TimerHandle | undefined;
  let lastUsage: LedgerUsage | undefined;

  const failed = (err: unknown): void => o.onLedgerError?.(err);

  function pump(): void {
    if (attempting) {
      again = true;
      return;
    }
    cancelTimer();
    if (queue.length === 0) {
      if (claimed) {
        claimed = false;
        ledger.release(member.id).catch(failed);
      }
      return;
    }
    attempting = true;
    again = false;
    claimed = true;
    ledger.tryGrant(member.id, queue.headRank!).then(
      (answer) => {
        if (answer.granted && answer.inMs !== undefined && answer.inMs > 0) {
          // A reserved slot: the pump stays busy until its instant, then hands it out as a grant.
          clock.setTimeout(() => {
            attempting = false;
            queue.grantHead();
            pump();
          }, answer.inMs);
          return;
        }
        attempting = false;
        // A granted slot goes to whoever heads the queue now (a waiter that aborted meanwhile leaves it to the next).
        if (answer.granted) queue.grantHead();
        if (answer.granted || again) pump();
        else wait(answer.retryInMs);
      },
      (err: unknown) => {
        attempting = false;
        failed(err);
        wait(RETRY_AFTER_ERROR_MS);
      },
    );
  }

  function wait(ms: number): void {
    if (closed) return;
    cancelTimer();
    timer = clock.setTimeout(() => {
      timer = undefined;
      pump();
    }, Math.min(Math.max(0, ms), MAX_WAIT_MS));
  }

  function cancelTimer(): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  }

  function refreshUsage(): void {
    ledger.usage().then((u) => (lastUsage = u), failed);
  }

  const heartbeat = (): void => {
    ledger.heartbeat(member).catch(failed);
    refreshUsage();
  };
  heartbeat();
  const beat = clock.setInterval(heartbeat, HEARTBEAT_MS);
  unrefTimer(beat);

  return {
    acquire: (a = {}) => queue.enqueue(a),
    pauseFor(ms: number): void {
      ledger.pause(ms, 'all').then(() => pump(), failed);
    },
    pauseReadsFor(ms: number): void {
      ledger.pause(ms, 'reads').then(() => pump(), failed);
    },
    get pending() {
      return queue.length;
    },
    usage(): RateWindowUsage[] {
      refreshUsage();
      return (lastUsage?.windows ?? []).map((w) => ({ ...w, waiting: queue.length }));
    },
    async sharedUsage(): Promise<BudgetShare> {
      const u = await ledger.usage();
      lastUsage = u;
      return {
        backend: o.backend,
        windows: u.windows.map((w) => ({ ...w, waiting: queue.length })),
        members: u.members.map((m) => ({ pid: m.pid, host: m.host, label: m.label, seenAgoMs: m.seenAgoMs })),
        pausedForMs: u.pausedForMs,
        ...(o.coordination ? { coordination: o.coordination() } : {}),
      };
    },
    async close(): Promise<void> {
      closed = true;
      cancelTimer();
      clock.clearInterval(beat);
      await ledger.leave(member.id).catch(failed);
      await ledger.close();
    },
  };
}
