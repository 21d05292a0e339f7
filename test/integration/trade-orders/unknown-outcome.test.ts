// Lost replies on the order path: the simulator accepts the order (afterAccept) and then hangs past the read
// timeout, resets the connection or answers 5xx — for order-cash and for order-rvsecncl. The order becomes
// `unknown`, is never resent, and reconciliation settles it from daily executions. Also start-up recovery
// of `new`/`sent` rows and positions taken from the balance when KIS disagrees.
import { afterEach, describe, expect, it } from 'vitest';
import { krTickSize } from '../../../src/sim/index.js';
import { APP, orderCashCount, startRig, type Rig } from './rig.js';

const ORDER_CASH = '/uapi/domestic-stock/v1/trading/order-cash';
const RVSECNCL = '/uapi/domestic-stock/v1/trading/order-rvsecncl';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function ready(manager: Parameters<typeof startRig>[0] = {}): Promise<Rig> {
  rig = await startRig(manager);
  expect((await rig.run(rig.om.start())).passed).toBe(true);
  return rig;
}

describe('timeout after accept', () => {
  it('a reply hanging past the read timeout leaves the order unknown, never resent, and reconciliation settles it as filled', async () => {
    const r = await ready();
    r.sim.faults.add({ kind: 'hang', afterAccept: true, count: 1, match: { path: ORDER_CASH } });
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 7, type: 'market' }));
    expect(o.state).toBe('unknown');
    expect(o.kisOrderNo).toBeUndefined();
    expect(orderCashCount(r.sim)).toBe(1);
    expect(r.sim.exchange.orders(APP.accountNo)).toHaveLength(1); // KIS did take it
    expect(r.alerts.map((a) => a.key)).toContain(`order-unknown:${o.clientOrderId}`);
    const rec = await r.run(r.om.reconcile());
    expect(rec.passed).toBe(true);
    const settled = r.om.get(o.clientOrderId)!;
    expect(settled).toMatchObject({ state: 'filled', filledQty: 7, kisOrderNo: r.sim.exchange.orders(APP.accountNo)[0]!.odno });
    expect(r.om.positions()).toEqual([expect.objectContaining({ symbol: '005930', qty: 7 })]);
    expect(orderCashCount(r.sim)).toBe(1);
  });

  it('a reset after accept of a resting limit order settles as acknowledged, then a cancel whose reply is a 500 settles as cancelled', async () => {
    const r = await ready();
    const q = r.sim.market.krQuote('035420', r.clock.nowMs())!;
    r.sim.faults.add({ kind: 'reset', afterAccept: true, count: 1, match: { path: ORDER_CASH } });
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '035420', side: 'buy', qty: 3, type: 'limit', price: q.price - 10 * krTickSize(q.price) }));
    expect(o.state).toBe('unknown');
    // Daily executions show it resting: reconciliation attaches its KIS number.
    await r.run(r.om.reconcile());
    expect(r.om.get(o.clientOrderId)?.state).toBe('acknowledged');
    expect(r.om.tradingAllowed).toBe(true);
    r.sim.faults.add({ kind: 'http500', afterAccept: true, count: 1, match: { path: RVSECNCL } });
    const c = await r.run(r.om.cancel(o.clientOrderId));
    expect(c.state).toBe('acknowledged');
    expect(c.lastError).toMatch(/cancel outcome unknown/);
    await expect(r.run(r.om.cancel(o.clientOrderId))).rejects.toMatchObject({ code: 'KISD_ORDER_NOT_CHANGEABLE' });
    expect(r.sim.stats.count({ path: RVSECNCL })).toBe(1);
    await r.run(r.om.reconcile());
    expect(r.om.get(o.clientOrderId)).toMatchObject({ state: 'cancelled', filledQty: 0 });
    expect(orderCashCount(r.sim)).toBe(1);
  });

  it('an order whose request never reached KIS is closed as cancelled only after the grace period', async () => {
    const r = await ready({ manager: { notFoundGraceMs: 30_000 } });
    // 503 before processing (no afterAccept): KIS never booked it, but the client cannot know that.
    r.sim.faults.add({ kind: 'http503', count: 1, match: { path: ORDER_CASH } });
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 2, type: 'market' }));
    expect(o.state).toBe('unknown');
    const early = await r.run(r.om.reconcile());
    expect(early).toMatchObject({ passed: false, unresolved: [o.clientOrderId] });
    expect(r.om.tradingAllowed).toBe(false);
    await r.clock.tickAsync(30_000);
    const late = await r.run(r.om.reconcile());
    expect(late.passed).toBe(true);
    expect(r.om.get(o.clientOrderId)).toMatchObject({ state: 'cancelled', lastError: expect.stringMatching(/never reached KIS/) });
    expect(orderCashCount(r.sim)).toBe(1);
  });
});

describe('start-up recovery', () => {
  it('closes never-sent rows, matches a sent row that reached KIS, and takes positions from the balance', async () => {
    rig = await startRig({ manager: { notFoundGraceMs: 0 } });
    const r = rig;
    // Simulate a previous process: one row `new`, one `sent` that reached KIS, one `sent` that did not.
    const insert = r.db.prepare(`INSERT INTO order_journal (client_order_id, strategy, market, symbol, side, order_type, qty, state, created_at, sent_at, updated_at)
      VALUES (?, 'old', 'KR', ?, 'buy', 'market', ?, ?, ?, ?, ?)`);
    const now = r.clock.nowMs();
    insert.run('never-sent', '005930', 1, 'new', now, null, now);
    insert.run('reached', '000660', 5, 'sent', now, now, now);
    insert.run('lost', '005930', 9, 'sent', now, now, now);
    expect(r.sim.exchange.placeKr(APP.accountNo, { side: 'buy', pdno: '000660', ordDvsn: '01', qty: '5', price: '0' }).ok).toBe(true);
    // And a holding bought outside kisd (HTS): the ledger adopts it.
    expect(r.sim.exchange.placeKr(APP.accountNo, { side: 'buy', pdno: '035720', ordDvsn: '01', qty: '2', price: '0' }).ok).toBe(true);
    await r.clock.tickAsync(1_000);
    const rep = await r.run(r.om.start());
    expect(rep.passed).toBe(true);
    expect(r.om.get('never-sent')).toMatchObject({ state: 'cancelled', lastError: expect.stringMatching(/before send/) });
    expect(r.om.get('reached')).toMatchObject({ state: 'filled', filledQty: 5 });
    expect(r.om.get('lost')).toMatchObject({ state: 'cancelled' });
    expect(r.om.positions().map((p) => [p.symbol, p.qty])).toEqual([['000660', 5], ['035720', 2]]);
    expect(rep.differences.filter((d) => d.kind === 'position').map((d) => d.symbol)).toEqual(['035720']);
    expect(r.alerts.map((a) => a.key)).toContain('reconcile:position:035720');
    expect(orderCashCount(r.sim)).toBe(0);
  });

  it('a fill missed while the process was down is added from daily executions on restart, exactly once', async () => {
    const r = await ready();
    const q = r.sim.market.krQuote('005930', r.clock.nowMs())!;
    const o = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'sell', qty: 1, type: 'market' }));
    expect(o.state).toBe('rejected'); // nothing held yet
    const b = await r.run(r.om.submit({ strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 6, type: 'limit', price: q.price - krTickSize(q.price) * 2 }));
    expect(b.state).toBe('acknowledged');
    await r.restart({ notFoundGraceMs: 0 });
    // While "down": the price moves through the limit and the order fills (no notices: no session).
    let t = 0;
    while (r.sim.exchange.orders(APP.accountNo)[0]!.status === 'open' && t < 6 * 3_600_000) {
      await r.clock.tickAsync(60_000);
      t += 60_000;
      r.sim.exchange.sweep(APP.accountNo);
    }
    const simOrder = r.sim.exchange.orders(APP.accountNo)[0]!;
    const rep = await r.run(r.om.start());
    expect(rep.passed).toBe(true);
    expect(simOrder.status).toBe('filled'); // seed 1: 005930 trades through the limit that afternoon
    expect(r.om.get(b.clientOrderId)).toMatchObject({ state: 'filled', filledQty: 6, avgFillPrice: b.price });
    expect(rep.addedFillQty).toBe(6);
    const again = await r.run(r.om.reconcile());
    expect(again.addedFillQty).toBe(0);
    expect(r.om.positions().find((p) => p.symbol === '005930')?.qty ?? 0).toBe(r.sim.exchange.ledger(APP.accountNo)?.holding('KR', '005930')?.qty ?? 0);
  });
});
