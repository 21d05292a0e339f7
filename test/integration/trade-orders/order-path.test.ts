// The order manager against the simulator: journal-before-send, acks, partial fills arriving as encrypted
// execution notices, revise and cancel through order-rvsecncl, KIS refusals, and positions that match the
// simulator's balance exactly.
import { afterEach, describe, expect, it } from 'vitest';
import { TradingNotAllowedError, type Fill, type OrderState } from '../../../src/trade/orders/index.js';
import { krTickSize } from '../../../src/sim/index.js';
import { APP, orderCashCount, startRig, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function ready(start?: string): Promise<Rig> {
  rig = await startRig(start ? { start } : {});
  const first = await rig.run(rig.om.start());
  expect(first.passed).toBe(true);
  return rig;
}

function simHolding(r: Rig, code: string): number {
  r.sim.exchange.sweep(APP.accountNo);
  return r.sim.exchange.ledger(APP.accountNo)?.holding('KR', code)?.qty ?? 0;
}

describe('order manager vs simulator', () => {
  it('refuses to trade before start-up reconciliation has passed', async () => {
    rig = await startRig();
    await expect(rig.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 1, type: 'market' })).rejects.toBeInstanceOf(TradingNotAllowedError);
    expect(orderCashCount(rig.sim)).toBe(0);
    expect(rig.om.tradingAllowed).toBe(false);
  });

  it('journals before sending, acks, and books partial fills from execution notices exactly once', async () => {
    const r = await ready();
    await r.connectNotices();
    r.sim.exchange.configure({ maxQtyPerMatch: 3 });
    const stopMatching = r.sim.exchange.startMatching(1_000);
    const states: OrderState[] = [];
    const fills: Fill[] = [];
    r.om.onOrderUpdate((u) => states.push(u.order.state));
    r.om.onFill((f) => fills.push(f));
    // Journal-before-send: when the simulator sees the request, the row is already `sent`.
    const atArrival: (OrderState | undefined)[] = [];
    r.sim.stats.subscribe(() => atArrival.push(r.om.openOrders()[0]?.state));
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' }));
    expect(atArrival[0]).toBe('sent');
    expect(o.kisOrderNo).toMatch(/^\d{10}$/);
    expect(['acknowledged', 'partially_filled']).toContain(o.state);
    await r.until(() => r.om.get(o.clientOrderId)?.state === 'filled', 'filled by notices');
    stopMatching();
    const done = r.om.get(o.clientOrderId)!;
    expect(done.filledQty).toBe(10);
    expect(fills.map((f) => f.qty)).toEqual([3, 3, 3, 1]);
    expect(fills.every((f) => f.source === 'notice')).toBe(true);
    expect(states).toContain('partially_filled');
    const simOrder = r.sim.exchange.orders(APP.accountNo)[0]!;
    expect(done.avgFillPrice).toBeCloseTo(simOrder.filledAmount / simOrder.filledQty, 6);
    expect(r.om.positions()).toEqual([expect.objectContaining({ market: 'KR', symbol: '005930', qty: simHolding(r, '005930') })]);
    expect(orderCashCount(r.sim)).toBe(1);
    // A reconciliation afterwards finds nothing to add: the notices were counted once.
    const rec = await r.run(r.om.reconcile());
    expect(rec).toMatchObject({ passed: true, addedFillQty: 0, differences: [] });
  });

  it('revises a resting limit order to a new price and cancels it through order-rvsecncl', async () => {
    const r = await ready();
    await r.connectNotices();
    const q = r.sim.market.krQuote('000660', r.clock.nowMs())!;
    const tick = krTickSize(q.price);
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '000660', side: 'buy', qty: 4, type: 'limit', price: q.price - 20 * tick }));
    expect(o.state).toBe('acknowledged');
    const revised = await r.run(r.om.revise(o.clientOrderId, { price: q.price - 10 * tick }));
    expect(revised.price).toBe(q.price - 10 * tick);
    expect(revised.kisOrderNo).not.toBe(o.kisOrderNo);
    expect(revised.state).toBe('acknowledged');
    const cancelled = await r.run(r.om.cancel(o.clientOrderId));
    expect(cancelled.state).toBe('cancelled');
    expect(r.om.openOrders()).toEqual([]);
    const simOrders = r.sim.exchange.orders(APP.accountNo);
    expect(simOrders.map((s) => s.kind)).toEqual(['new', 'revise', 'cancel']);
    expect(simOrders[1]).toMatchObject({ price: q.price - 10 * tick, status: 'cancelled', cancelledQty: 4 });
    await r.until(() => r.om.noticeStats().applied >= 3, 'acks applied');
    expect(r.om.get(o.clientOrderId)?.state).toBe('cancelled'); // late acks change nothing
  });

  it('journals KIS refusals as rejected and never resends them', async () => {
    const r = await ready();
    const q = r.sim.market.krQuote('005930', r.clock.nowMs())!;
    const offTick = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 1, type: 'limit', price: q.price + Math.floor(krTickSize(q.price) / 2) }));
    expect(offTick).toMatchObject({ state: 'rejected', lastError: expect.stringContaining('APBK0506') });
    const oversell = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'sell', qty: 5, type: 'market' }));
    expect(oversell).toMatchObject({ state: 'rejected', lastError: expect.stringContaining('APBK0400') });
    const tooBig = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: Math.ceil(100_000_000 / q.price) + 1, type: 'limit', price: q.price }));
    expect(tooBig).toMatchObject({ state: 'rejected', lastError: expect.stringContaining('APBK0952') });
    expect(orderCashCount(r.sim)).toBe(3);
    expect(r.sim.exchange.orders(APP.accountNo)).toHaveLength(0);
  });

  it('outside 09:00-15:30 KST the simulator refuses with APBK0919 (market closed)', async () => {
    const r = await ready('2026-11-23 15:31:00');
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 1, type: 'market' }));
    expect(o).toMatchObject({ state: 'rejected', lastError: expect.stringContaining('APBK0919') });
  });
});
