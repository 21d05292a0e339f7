// The own-position cache on the strategy tick path: one journal read per symbol until an order changes,
// then a fresh read — so a tick storm does not query SQLite per tick, and a fill is never missed.
import { describe, expect, it } from 'vitest';
import { createOwnPositionCache } from '../../../src/trade/strategy/strategy-context.js';
import { makeRig } from './support.js';

describe('own-position cache', () => {
  it('reads the journal once between order events and again after a fill', async () => {
    const rig = await makeRig('2026-11-23 09:10:00');
    rig.om.autoFill = false;
    let reads = 0;
    const orders = new Proxy(rig.om, {
      get(target, prop, receiver) {
        if (prop === 'ordersOfDay') return (dayMs?: number) => (reads++, target.ordersOfDay(dayMs));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const cache = createOwnPositionCache(orders, 'orb', rig.clock);
    const order = await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 50_000 });
    expect(cache.get('005930').qty).toBe(0);
    for (let i = 0; i < 100; i += 1) cache.get('005930');
    expect(reads).toBe(1);
    rig.om.fill(order.clientOrderId, 10, 50_000);
    expect(cache.get('005930')).toEqual({ qty: 10, avgPrice: 50_000 });
    expect(reads).toBe(2);
    cache.close();
  });

  it('re-reads the account cap once a second without re-reading the journal', async () => {
    const rig = await makeRig('2026-11-23 09:10:00');
    rig.om.autoFill = false;
    let reads = 0;
    const account: { rows?: { market: 'KR'; symbol: string; qty: number; avgPrice: number; realizedPnl: number }[] } = {};
    const orders = new Proxy(rig.om, {
      get(target, prop, receiver) {
        if (prop === 'ordersOfDay') return (dayMs?: number) => (reads++, target.ordersOfDay(dayMs));
        if (prop === 'positions') return () => account.rows ?? target.positions();
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const cache = createOwnPositionCache(orders, 'orb', rig.clock);
    const order = await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 50_000 });
    rig.om.fill(order.clientOrderId, 10, 50_000);
    expect(cache.get('005930')).toEqual({ qty: 10, avgPrice: 50_000 });
    // A manual sale outside kisd (reconciliation rewrites the account, no order event): seen within a second.
    account.rows = [{ market: 'KR', symbol: '005930', qty: 4, avgPrice: 50_000, realizedPnl: 0 }];
    expect(cache.get('005930').qty).toBe(10);
    await rig.clock.tickAsync(1_001);
    expect(cache.get('005930')).toEqual({ qty: 4, avgPrice: 50_000 });
    for (let i = 0; i < 5; i += 1) {
      await rig.clock.tickAsync(1_001);
      cache.get('005930');
    }
    expect(reads).toBe(1);
    cache.close();
  });
});
