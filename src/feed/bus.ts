// In-process fan-out of realtime events that never blocks the socket reader: publish() only appends to
// each subscriber's bounded ring queue; every queue is drained asynchronously (after pending I/O), one
// event at a time, awaiting async handlers. A full queue drops and counts per subscriber.
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';

/**
 * 'drop-oldest' (default): a full queue discards its oldest event — for market data the newest tick is
 * worth more than a stale one, and a slow quote cache then catches up on fresh prices.
 * 'drop-newest': the incoming event is discarded — keeps an unbroken prefix, e.g. for a recorder that
 * would rather lose the tail of a burst than have holes in the middle.
 */
export type DropPolicy = 'drop-oldest' | 'drop-newest';

export interface BusSubscriberOptions {
  /** Used in stats and logs. */
  name: string;
  /** Queue bound. Default 10000. */
  capacity?: number;
  dropPolicy?: DropPolicy;
  /** Events handled per drain turn before yielding to I/O again. Default 256. */
  batchSize?: number;
}

export interface BusSubscriberStats {
  name: string;
  capacity: number;
  queued: number;
  highWater: number;
  delivered: number;
  dropped: number;
  errors: number;
}

export interface BusSubscription {
  readonly name: string;
  stats(): BusSubscriberStats;
  unsubscribe(): void;
}

export interface EventBusOptions {
  log: Logger;
  /** How a drain is deferred past the current I/O callback. Default setImmediate (not a timer: no Clock needed). */
  schedule?: (fn: () => void) => void;
}

type Handler<T> = (event: T) => void | Promise<void>;

class Subscriber<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private size = 0;
  private draining = false;
  active = true;
  readonly counters = { delivered: 0, dropped: 0, errors: 0, highWater: 0 };

  constructor(
    readonly name: string,
    private readonly handler: Handler<T>,
    readonly capacity: number,
    private readonly dropPolicy: DropPolicy,
    private readonly batchSize: number,
    private readonly bus: EventBus<T>,
  ) {
    this.ring = new Array<T | undefined>(capacity);
  }

  get queued(): number {
    return this.size;
  }

  get busy(): boolean {
    return this.draining || this.size > 0;
  }

  push(event: T): void {
    if (this.size === this.capacity) {
      this.counters.dropped++;
      if (this.dropPolicy === 'drop-newest') return;
      this.head = (this.head + 1) % this.capacity; // overwrite the oldest
      this.size--;
    }
    this.ring[(this.head + this.size) % this.capacity] = event;
    this.size++;
    if (this.size > this.counters.highWater) this.counters.highWater = this.size;
    if (!this.draining) {
      this.draining = true;
      this.bus.scheduleDrain(() => void this.drain());
    }
  }

  private shift(): T {
    const ev = this.ring[this.head] as T;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return ev;
  }

  private async drain(): Promise<void> {
    let handled = 0;
    while (this.active && this.size > 0 && handled < this.batchSize) {
      const ev = this.shift();
      handled++;
      try {
        const r = this.handler(ev);
        if (r !== undefined && typeof (r as Promise<void>).then === 'function') await r;
        this.counters.delivered++;
      } catch (err) {
        this.counters.errors++;
        this.bus.handlerFailed(this, err);
      }
    }
    if (this.active && this.size > 0) {
      this.bus.scheduleDrain(() => void this.drain()); // yield to the socket reader between batches
      return;
    }
    this.draining = false;
    this.bus.notifyIdle();
  }

  clear(): void {
    this.active = false;
    this.ring.fill(undefined);
    this.size = 0;
  }
}

export class EventBus<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private readonly log: Logger;
  private readonly schedule: (fn: () => void) => void;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: EventBusOptions) {
    this.log = opts.log.child({ component: 'feed-bus' });
    this.schedule = opts.schedule ?? ((fn) => setImmediate(fn));
  }

  /** Appends to every subscriber's queue; O(subscribers), never awaits, never throws. */
  publish(event: T): void {
    for (const s of this.subscribers) s.push(event);
  }

  subscribe(handler: Handler<T>, opts: BusSubscriberOptions): BusSubscription {
    const capacity = Math.max(1, Math.floor(opts.capacity ?? 10_000));
    const sub = new Subscriber<T>(opts.name, handler, capacity, opts.dropPolicy ?? 'drop-oldest', Math.max(1, opts.batchSize ?? 256), this);
    this.subscribers.add(sub);
    return {
      name: opts.name,
      stats: () => this.statsOf(sub),
      unsubscribe: () => {
        this.subscribers.delete(sub);
        sub.clear();
        this.notifyIdle();
      },
    };
  }

  stats(): BusSubscriberStats[] {
    return [...this.subscribers].map((s) => this.statsOf(s));
  }

  /** Resolves once every queue is empty and no handler is running (tests, orderly shutdown). */
  idle(): Promise<void> {
    if (![...this.subscribers].some((s) => s.busy)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** @internal */
  scheduleDrain(fn: () => void): void {
    this.schedule(fn);
  }

  /** @internal */
  handlerFailed(sub: Subscriber<T>, err: unknown): void {
    const n = sub.counters.errors;
    if (n <= 10 || n % 1000 === 0) this.log.error({ subscriber: sub.name, errors: n, err: errorMessage(err) }, 'feed subscriber threw');
  }

  /** @internal */
  notifyIdle(): void {
    if (this.idleWaiters.length === 0 || [...this.subscribers].some((s) => s.busy)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private statsOf(s: Subscriber<T>): BusSubscriberStats {
    return { name: s.name, capacity: s.capacity, queued: s.queued, ...s.counters };
  }
}
