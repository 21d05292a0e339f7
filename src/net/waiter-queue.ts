// The callers waiting for a rate grant, in priority order (order → normal → bulk, FIFO within one), with
// abort handling. Shared by the in-process limiter and the cross-process one so both queue alike.
import type { Clock } from '../core/clock.js';
import { AbortedError } from '../core/errors.js';

export type RatePriority = 'order' | 'normal' | 'bulk';

export const PRIORITY_RANK: Record<RatePriority, number> = { order: 0, normal: 1, bulk: 2 };

export interface AcquireOptions {
  /** 'order' jumps ahead of 'normal' (reads), which jumps ahead of 'bulk' (collection). Default 'normal'. */
  priority?: RatePriority;
  signal?: AbortSignal;
}

interface Waiter {
  rank: number;
  enqueuedMs: number;
  resolve: (v: { waitedMs: number }) => void;
  cleanup: () => void;
}

export class WaiterQueue {
  private readonly queue: Waiter[] = [];

  /** onChange runs after a waiter joins or leaves by abort (the owner re-pumps). */
  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  /** The best (lowest) rank waiting, or undefined when nobody waits. */
  get headRank(): number | undefined {
    return this.queue[0]?.rank;
  }

  /** A promise for one grant; rejects with AbortedError when the signal fires first. */
  enqueue(o: AcquireOptions = {}): Promise<{ waitedMs: number }> {
    const signal = o.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError('rate limiter wait aborted'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new AbortedError('rate limiter wait aborted'));
        this.onChange();
      };
      const waiter: Waiter = {
        rank: PRIORITY_RANK[o.priority ?? 'normal'],
        enqueuedMs: this.clock.monotonicMs(),
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Stable priority order: after every waiter of equal or higher priority.
      let i = this.queue.length;
      while (i > 0 && this.queue[i - 1]!.rank > waiter.rank) i--;
      this.queue.splice(i, 0, waiter);
      this.onChange();
    });
  }

  /** Grants the head waiter (if any) and reports how long it waited. */
  grantHead(): boolean {
    const w = this.queue.shift();
    if (!w) return false;
    w.cleanup();
    w.resolve({ waitedMs: this.clock.monotonicMs() - w.enqueuedMs });
    return true;
  }
}
