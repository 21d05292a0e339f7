// EventBus: publish never blocks or throws, each subscriber has its own bounded queue and drop count.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/feed/bus.js';

const log = pino({ level: 'silent' });

describe('EventBus', () => {
  it('fans out to every subscriber in order, asynchronously', async () => {
    const bus = new EventBus<number>({ log });
    const a: number[] = [];
    const b: number[] = [];
    bus.subscribe((n) => void a.push(n), { name: 'a' });
    bus.subscribe((n) => void b.push(n), { name: 'b' });
    for (let i = 0; i < 5; i++) bus.publish(i);
    expect(a).toEqual([]); // publish only enqueues
    await bus.idle();
    expect(a).toEqual([0, 1, 2, 3, 4]);
    expect(b).toEqual([0, 1, 2, 3, 4]);
  });

  it('a slow subscriber drops (oldest by default) without slowing a fast one or the publisher', async () => {
    const bus = new EventBus<number>({ log });
    const fast: number[] = [];
    const slow: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowSub = bus.subscribe(async (n) => {
      if (n === 0) await gate; // stuck on the first event
      slow.push(n);
    }, { name: 'slow', capacity: 3 });
    const fastSub = bus.subscribe((n) => void fast.push(n), { name: 'fast', capacity: 100 });
    bus.publish(0);
    await new Promise((r) => setImmediate(r)); // slow handler now holds event 0
    for (let i = 1; i <= 10; i++) bus.publish(i);
    await new Promise((r) => setImmediate(r));
    expect(fast).toHaveLength(11);
    release();
    await bus.idle();
    expect(slow).toEqual([0, 8, 9, 10]); // newest three kept
    expect(slowSub.stats()).toMatchObject({ name: 'slow', dropped: 7, delivered: 4, queued: 0, highWater: 3 });
    expect(fastSub.stats().dropped).toBe(0);
  });

  it('drop-newest keeps the oldest queued events', async () => {
    const bus = new EventBus<number>({ log });
    const got: number[] = [];
    const sub = bus.subscribe((n) => void got.push(n), { name: 'rec', capacity: 2, dropPolicy: 'drop-newest' });
    for (let i = 0; i < 5; i++) bus.publish(i);
    await bus.idle();
    expect(got).toEqual([0, 1]);
    expect(sub.stats().dropped).toBe(3);
  });

  it('a throwing handler is counted and the queue keeps draining', async () => {
    const bus = new EventBus<number>({ log });
    const got: number[] = [];
    const sub = bus.subscribe((n) => {
      if (n % 2 === 0) throw new Error('even');
      got.push(n);
    }, { name: 'picky' });
    for (let i = 0; i < 6; i++) bus.publish(i);
    await bus.idle();
    expect(got).toEqual([1, 3, 5]);
    expect(sub.stats()).toMatchObject({ errors: 3, delivered: 3 });
  });

  it('yields to I/O between batches', async () => {
    const bus = new EventBus<number>({ log });
    let handled = 0;
    bus.subscribe(() => void handled++, { name: 'batched', batchSize: 10 });
    for (let i = 0; i < 35; i++) bus.publish(i);
    await new Promise((r) => setImmediate(r));
    expect(handled).toBe(10);
    await bus.idle();
    expect(handled).toBe(35);
  });

  it('unsubscribe stops delivery and discards the queue', async () => {
    const bus = new EventBus<number>({ log });
    const got: number[] = [];
    const sub = bus.subscribe((n) => void got.push(n), { name: 'gone' });
    bus.publish(1);
    sub.unsubscribe();
    bus.publish(2);
    await bus.idle();
    expect(got).toEqual([]);
    expect(bus.stats()).toEqual([]);
  });
});
