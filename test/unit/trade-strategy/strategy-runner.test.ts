import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/types.js';
import { kstHms, kstInstant } from '../../../src/core/kst.js';
import { BarBuilder, StrategyRunner, type Strategy, type StrategyBar } from '../../../src/trade/strategy/index.js';
import type { BackfilledBar } from '../../../src/feed/gap-filler.js';
import { krTick, makeRig } from './support.js';

let runner: StrategyRunner | undefined;
afterEach(async () => {
  await runner?.stop(1000);
  runner = undefined;
});

describe('BarBuilder', () => {
  it('closes a minute bar on the next minute\'s trade or on flush, and drops late trades', () => {
    const b = new BarBuilder();
    const t0 = kstInstant('2026-11-23 09:00:00');
    expect(b.onTrade('A', 100, 1, t0 + 1_000)).toBeUndefined();
    b.onTrade('A', 105, 2, t0 + 20_000);
    b.onTrade('A', 99, 3, t0 + 59_999);
    const bar = b.onTrade('A', 101, 1, t0 + 60_000);
    expect(bar).toEqual({ symbol: 'A', startMs: t0, open: 100, high: 105, low: 99, close: 99, volume: 6, ticks: 3, backfilled: false });
    expect(b.onTrade('A', 500, 1, t0 + 30_000)).toBeUndefined(); // late trade of a closed minute
    expect(b.flush(t0 + 119_999)).toEqual([]);
    expect(b.flush(t0 + 120_000)).toEqual([{ symbol: 'A', startMs: t0 + 60_000, open: 101, high: 101, low: 101, close: 101, volume: 1, ticks: 1, backfilled: false }]);
    expect(b.onTrade('A', 7, 1, t0 + 61_000)).toBeUndefined();
    expect(b.flush(t0 + 10 * 60_000)).toEqual([]);
  });
});

describe('BarBuilder on KIS\'s exchange time', () => {
  it('puts a trade of 09:30:59 received at 09:31:00.05 in the 09:30 bar, as KIS\'s minute chart does', () => {
    const b = new BarBuilder();
    const t0 = kstInstant('2026-11-23 09:30:00');
    b.onTrade('A', 100, 1, t0 + 10_050, kstHms(t0 + 10_000));
    expect(b.onTrade('A', 101, 2, t0 + 60_050, kstHms(t0 + 59_000))).toBeUndefined(); // still 09:30 (receive time said 09:31)
    const bar = b.onTrade('A', 102, 1, t0 + 61_050, kstHms(t0 + 61_000));
    expect(bar).toMatchObject({ startMs: t0, open: 100, close: 101, volume: 3, ticks: 2 });
  });

  it('with the host clock 30 s fast, bars follow the exchange minute and flush waits for it to end there', () => {
    const b = new BarBuilder();
    const t0 = kstInstant('2026-11-23 09:30:00'); // exchange time
    const host = (exchangeMs: number): number => exchangeMs + 30_000 + 20; // 30 s fast, 20 ms delivery
    for (let s = 0; s < 60; s += 5) b.onTrade('A', 100 + s, 1, host(t0 + s * 1000 + 400), kstHms(t0 + s * 1000 + 400));
    expect(b.lagMs()).toBeGreaterThanOrEqual(30_020);
    expect(b.lagMs()).toBeLessThan(30_500);
    // The host's 09:31:00 is the exchange's 09:30:30: the 09:30 bar is still open at KIS.
    expect(b.flush(t0 + 60_000)).toEqual([]);
    expect(b.onTrade('A', 200, 1, host(t0 + 59_500), kstHms(t0 + 59_500))).toBeUndefined(); // its last trade still counts
    const [bar] = b.flush(host(t0 + 60_000) + 500);
    expect(bar).toMatchObject({ startMs: t0, open: 100, close: 200, ticks: 13 });
  });

  it('falls back to the receive time when the stamp is missing or malformed', () => {
    const b = new BarBuilder();
    const t0 = kstInstant('2026-11-23 09:30:00');
    b.onTrade('A', 100, 1, t0 + 59_900, '');
    const bar = b.onTrade('A', 101, 1, t0 + 60_100, '09x100');
    expect(bar).toMatchObject({ startMs: t0, ticks: 1 });
    expect(b.lagMs()).toBe(0);
  });
});

describe('StrategyRunner', () => {
  it('hands back-filled bars of its symbols to onBar marked backfilled; one supersedes the open live bar of its minute', async () => {
    const rig = await makeRig('2026-11-23 10:00:00');
    const t0 = kstInstant('2026-11-23 10:00');
    const bars: StrategyBar[] = [];
    let listener: ((bars: readonly BackfilledBar[]) => void) | undefined;
    const backfill = { onBars: (l: (bars: readonly BackfilledBar[]) => void) => ((listener = l), () => (listener = undefined)) };
    runner = new StrategyRunner({
      strategies: [{ name: 'a', onBar: (b) => void bars.push(b) }],
      bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, clock: rig.clock, logger: rig.log, symbols: ['005930'], backfill,
    });
    await runner.start();
    rig.bus.publish(krTick('005930', 100, t0 + 500)); // a partial live minute 10:00 (the feed then dropped)
    await rig.bus.idle();
    await runner.idle();
    const filled = (symbol: string, minute: number, price: number): BackfilledBar => ({
      symbol, startMs: t0 + minute * 60_000, open: price, high: price + 5, low: price - 5, close: price + 1, volume: 1000 + minute, backfilled: true, gapId: 7,
    });
    listener!([filled('005930', 0, 100), filled('005930', 1, 102)]);
    listener!([filled('000660', 0, 900)]); // not this runner's symbol
    await runner.idle();
    expect(bars).toEqual([
      { symbol: '005930', startMs: t0, open: 100, high: 105, low: 95, close: 101, volume: 1000, ticks: 0, backfilled: true },
      { symbol: '005930', startMs: t0 + 60_000, open: 102, high: 107, low: 97, close: 103, volume: 1001, ticks: 0, backfilled: true },
    ]);
    await rig.clock.tickAsync(3 * 60_000); // the superseded live bar of 10:00 is never emitted
    await runner.idle();
    expect(bars).toHaveLength(2);
    expect(runner.stats()).toMatchObject({ bars: 2, backfilledBars: 2 });
    await runner.stop(1000);
    expect(listener).toBeUndefined();
    runner = undefined;
  });


  it('feeds ticks of its symbols, bars on the timer, fills only to the owning strategy', async () => {
    const rig = await makeRig('2026-11-23 09:00:00');
    const seen: string[] = [];
    const bars: StrategyBar[] = [];
    const mk = (name: string): Strategy => ({
      name,
      onTick: (t) => void seen.push(`${name}:tick:${t.code}:${t.price}`),
      onBar: (b) => void (name === 'a' && bars.push(b)),
      onFill: (f) => void seen.push(`${name}:fill:${f.side}:${f.qty}`),
    });
    runner = new StrategyRunner({ strategies: [mk('a'), mk('b')], bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, clock: rig.clock, logger: rig.log, symbols: ['005930'] });
    await runner.start();
    rig.bus.publish(krTick('005930', 100, rig.clock.nowMs()));
    rig.bus.publish(krTick('000660', 999, rig.clock.nowMs())); // not today's symbol
    await rig.bus.idle();
    await runner.idle();
    expect(seen).toEqual(['a:tick:005930:100', 'b:tick:005930:100']);
    await rig.clock.tickAsync(60_000);
    await runner.idle();
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatchObject({ symbol: '005930', open: 100, close: 100 });
    rig.px.set('005930', 100);
    await rig.om.submit({ strategy: 'b', market: 'KR', symbol: '005930', side: 'buy', qty: 2, type: 'market' });
    await runner.idle();
    expect(seen.filter((s) => s.includes('fill'))).toEqual(['b:fill:buy:2']);
  });

  it('never blocks the publisher: a slow strategy only makes its own bounded queue drop the oldest', async () => {
    const rig = await makeRig('2026-11-23 09:00:00');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const prices: number[] = [];
    runner = new StrategyRunner({
      strategies: [{ name: 'slow', onTick: async (t) => { prices.push(t.price); if (prices.length === 1) await gate; } }],
      bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, clock: rig.clock, logger: rig.log, symbols: ['005930'], queueCapacity: 3,
    });
    await runner.start();
    rig.bus.publish(krTick('005930', 1, rig.clock.nowMs()));
    await new Promise((r) => setImmediate(r));
    for (let p = 2; p <= 10; p++) rig.bus.publish(krTick('005930', p, rig.clock.nowMs())); // returns at once
    expect(rig.quotes.krTick('005930')).toBeDefined();
    release();
    await rig.bus.idle();
    await runner.idle();
    expect(prices).toEqual([1, 8, 9, 10]);
    expect(runner.stats().droppedEvents).toBe(6);
  });

  it('switches a strategy off after maxHandlerErrors and says so through the alert port', async () => {
    const rig = await makeRig('2026-11-23 09:00:00');
    const alerts: Alert[] = [];
    let calls = 0;
    runner = new StrategyRunner({
      strategies: [{ name: 'broken', onTick: () => { calls++; throw new Error('boom'); } }],
      bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, clock: rig.clock, logger: rig.log, symbols: ['005930'],
      maxHandlerErrors: 3, alerts: { send: async (a) => void alerts.push(a) },
    });
    await runner.start();
    for (let i = 0; i < 5; i++) rig.bus.publish(krTick('005930', 100 + i, rig.clock.nowMs()));
    await rig.bus.idle();
    await runner.idle();
    expect(calls).toBe(3);
    expect(runner.stats().strategies).toEqual([{ name: 'broken', errors: 3, disabled: true }]);
    expect(alerts[0]).toMatchObject({ level: 'ERROR', key: 'strategy-disabled:broken' });
  });

  it('stop waits for the handler in progress up to the deadline on the clock', async () => {
    const rig = await makeRig('2026-11-23 09:00:00');
    let stopped = false;
    runner = new StrategyRunner({
      strategies: [{ name: 'hang', onTick: () => new Promise<void>(() => undefined), onStop: () => void (stopped = true) }],
      bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, clock: rig.clock, logger: rig.log, symbols: ['005930'],
    });
    await runner.start();
    rig.bus.publish(krTick('005930', 1, rig.clock.nowMs()));
    await new Promise((r) => setImmediate(r));
    const result = runner.stop(5_000);
    await rig.clock.tickAsync(5_000);
    expect(await result).toBe(false);
    expect(stopped).toBe(false);
    runner = undefined;
  });
});
