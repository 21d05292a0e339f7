// Regression tests for the order-path review findings: exits while trading is paused (1), refused
// cancel/revise notices (4), the position check against pending fills (6), stop() aborting a scheduled
// reconciliation (8), a fill notice with the same content twice (9, issue 9 item 6) and a revision racing a fill (10).
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, execution, harness, holding, lostReply, notice, turns, type Harness } from './fake-broker.js';
import type { DailyExecutions, OrderAck } from '../../../src/kis/rest/index.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.om.stop();
  h?.db.close();
  h = undefined;
});

async function ready(extra: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  h = harness(extra);
  expect((await h.om.start()).passed).toBe(true);
  return h;
}

/** Buys qty of code and fills it by notice; the balance shows the holding. */
async function own(x: Harness, code: string, qty: number): Promise<void> {
  const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: code, side: 'buy', qty, type: 'limit', price: 1000 });
  x.om.handleNotice(notice({ orderNo: o.kisOrderNo!, code, isFill: true, qty, price: 1000, time: '100002' }));
  x.broker.holdings = [...x.broker.holdings.filter((hh) => hh.code !== code), holding(code, qty, 1000)];
  x.broker.rows.push(execution({ orderNo: o.kisOrderNo!, code, side: 'buy', orderQty: qty, filledQty: qty, filledAmount: qty * 1000, remainingQty: 0 }));
  expect(x.om.get(o.clientOrderId)?.state).toBe('filled');
}

describe('finding 1: exits while a reconciliation has failed', () => {
  it('accepts a reducing KR sell, refuses buys and sells beyond held minus open sells', async () => {
    const x = await ready();
    await own(x, '005930', 10);
    await own(x, '000660', 5);
    expect((await x.om.reconcile()).passed).toBe(true);
    // A stop-loss whose reply is lost: the next pass cannot settle it within the grace period and fails.
    x.broker.onCash = () => Promise.reject(lostReply());
    const stop = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'sell', qty: 10, type: 'market' });
    expect(stop.state).toBe('unknown');
    x.broker.onCash = undefined;
    expect((await x.om.reconcile()).passed).toBe(false);
    expect(x.om.tradingAllowed).toBe(false);

    const exit = await x.om.submit({ strategy: 's', market: 'KR', symbol: '000660', side: 'sell', qty: 5, type: 'market' });
    expect(exit.state).toBe('acknowledged');
    // 000660: 5 held, 5 now being sold → nothing left to reduce.
    await expect(x.om.submit({ strategy: 's', market: 'KR', symbol: '000660', side: 'sell', qty: 1, type: 'market' })).rejects.toMatchObject({ code: 'KISD_TRADING_NOT_ALLOWED' });
    // 005930: 10 held, the unknown stop-loss of 10 counts as open.
    await expect(x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'sell', qty: 1, type: 'market' })).rejects.toMatchObject({ code: 'KISD_TRADING_NOT_ALLOWED' });
    await expect(x.om.submit({ strategy: 's', market: 'KR', symbol: '000660', side: 'buy', qty: 1, type: 'market' })).rejects.toMatchObject({ code: 'KISD_TRADING_NOT_ALLOWED' });
    expect(x.broker.cash.map((c) => [c.code, c.side, c.qty])).toEqual([['005930', 'buy', 10], ['000660', 'buy', 5], ['005930', 'sell', 10], ['000660', 'sell', 5]]);
  });

  it('refuses everything before the start-up reconciliation has run', async () => {
    h = harness();
    await expect(h.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'sell', qty: 1, type: 'market' })).rejects.toMatchObject({ code: 'KISD_TRADING_NOT_ALLOWED' });
    expect(h.broker.cash).toHaveLength(0);
  });
});

describe('finding 4: refused cancel / revise notices', () => {
  it('a refused cancel (RCTF_CLS 2, RFUS_YN 1) clears the pending cancel and leaves the order live', async () => {
    const x = await ready();
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 3, type: 'limit', price: 1000 });
    x.broker.onCancel = () => Promise.reject(lostReply());
    await x.om.cancel(o.clientOrderId);
    x.om.handleNotice(notice({ orderNo: '0000000099', originalOrderNo: o.kisOrderNo!, correctionCode: '2', rejected: true, qty: 3 }));
    expect(x.om.get(o.clientOrderId)).toMatchObject({ state: 'acknowledged', lastError: expect.stringMatching(/cancel refused/) });
    expect(x.db.prepare('SELECT closed FROM order_legs').all()).toEqual([{ closed: 0 }]);
    // The cancel is no longer pending: a new one may be sent.
    x.broker.onCancel = undefined;
    expect((await x.om.cancel(o.clientOrderId)).state).toBe('cancelled');
    expect(x.broker.cancels).toHaveLength(2);
  });

  it('a refused revision (RCTF_CLS 1, RFUS_YN 1) attaches no leg and keeps the price', async () => {
    const x = await ready();
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 3, type: 'limit', price: 1000 });
    x.broker.onRevise = () => Promise.reject(lostReply());
    await x.om.revise(o.clientOrderId, { price: 1100 });
    x.om.handleNotice(notice({ orderNo: '0000000099', originalOrderNo: o.kisOrderNo!, correctionCode: '1', rejected: true, orderQty: 3, orderPrice: 1100 }));
    expect(x.om.get(o.clientOrderId)).toMatchObject({ state: 'acknowledged', price: 1000, kisOrderNo: o.kisOrderNo, lastError: expect.stringMatching(/revise refused/) });
    expect(x.db.prepare('SELECT kis_order_no AS no, closed FROM order_legs').all()).toEqual([{ no: '1', closed: 0 }]);
  });
});

describe('finding 6: the position check does not take fills that are still on their way', () => {
  it('defers a symbol with an order in flight (its reply and buffered notice apply the fill later)', async () => {
    const x = await ready();
    const reply = deferred<OrderAck>();
    x.broker.onCash = () => reply.promise;
    const p = x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market' });
    await turns();
    // KIS filled it; the notice arrives before the reply (buffered); the balance already shows it.
    x.om.handleNotice(notice({ orderNo: '0000000001', isFill: true, qty: 10, price: 1000 }));
    x.broker.holdings = [holding('005930', 10, 1000)];
    x.broker.rows = [execution({ orderNo: '0000000001', code: '005930', side: 'buy', orderQty: 10, ordDvsn: '01', filledQty: 10, filledAmount: 10_000, remainingQty: 0 })];
    await x.om.reconcile();
    expect(x.om.positions().find((q) => q.symbol === '005930')?.qty ?? 0).toBe(0);
    reply.resolve(x.broker.ack());
    expect((await p).state).toBe('filled');
    expect(x.om.positions()).toEqual([expect.objectContaining({ symbol: '005930', qty: 10 })]);
    expect((await x.om.reconcile()).differences.filter((d) => d.kind === 'position')).toEqual([]);
  });

  it('defers a symbol with an unknown order not yet in daily executions', async () => {
    const x = await ready();
    x.broker.onCash = () => Promise.reject(lostReply());
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market' });
    expect(o.state).toBe('unknown');
    x.broker.holdings = [holding('005930', 10, 1000)]; // the balance is ahead of daily executions
    await x.om.reconcile();
    expect(x.om.positions().find((q) => q.symbol === '005930')?.qty ?? 0).toBe(0);
    x.broker.rows = [execution({ orderNo: '0000000001', code: '005930', side: 'buy', orderQty: 10, ordDvsn: '01', orderPrice: 0, filledQty: 10, filledAmount: 10_000, remainingQty: 0 })];
    const rep = await x.om.reconcile();
    expect(rep.passed).toBe(true);
    expect(x.om.get(o.clientOrderId)).toMatchObject({ state: 'filled', filledQty: 10 });
    expect(x.om.positions()).toEqual([expect.objectContaining({ symbol: '005930', qty: 10 })]);
  });
});

describe('finding 8: stop() aborts a scheduled reconciliation', () => {
  it('the scheduled pass gets a signal and stop() aborts it instead of waiting', async () => {
    const x = await ready({ reconcileIntervalMs: 1_000, idleReconcileIntervalMs: 1_000 }); // nothing open: idle passes due as often
    const never = deferred<DailyExecutions>();
    x.broker.onCcld = (q) =>
      new Promise<DailyExecutions>((resolve, reject) => {
        q.signal?.addEventListener('abort', () => reject(q.signal?.reason), { once: true });
        void never.promise.then(resolve);
      });
    await x.clock.tickAsync(1_000);
    expect(x.broker.ccldSignals.at(-1)).toBeInstanceOf(AbortSignal);
    let stopped = false;
    const s = x.om.stop().then(() => (stopped = true));
    await turns(50);
    expect(stopped).toBe(true);
    never.resolve({ executions: [], totals: undefined, pages: 1 });
    await s;
  });
});

describe('finding 9 / issue 9 item 6: a fill notice with the same content twice', () => {
  it('a notice delivered twice counts as one fill, and daily executions agree', async () => {
    const x = await ready();
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
    const n = notice({ orderNo: o.kisOrderNo!, isFill: true, qty: 3, price: 1000, time: '100005' });
    x.om.handleNotice(n);
    x.om.handleNotice({ ...n, receivedAtMs: n.receivedAtMs + 700 }); // re-pushed, parsed again
    expect(x.om.get(o.clientOrderId)).toMatchObject({ filledQty: 3, state: 'partially_filled' });
    expect(x.om.positions()).toEqual([expect.objectContaining({ symbol: '005930', qty: 3 })]);
    expect(x.om.noticeStats().repeated).toBe(1);
    x.broker.rows = [execution({ orderNo: o.kisOrderNo!, code: '005930', side: 'buy', orderQty: 10, filledQty: 3, filledAmount: 3_000, remainingQty: 7 })];
    x.broker.holdings = [holding('005930', 3, 1000)];
    const rep = await x.om.reconcile();
    expect(rep.addedFillQty).toBe(0);
    expect(x.om.get(o.clientOrderId)?.filledQty).toBe(3);
  });

  it('two real fills with the same content: the second is added by the reconciliation the repeat schedules', async () => {
    const x = await ready({ unknownRecheckMs: 3_000 });
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
    const fill = { orderNo: o.kisOrderNo!, isFill: true, qty: 3, price: 1000, time: '100005' };
    x.om.handleNotice(notice(fill));
    x.om.handleNotice(notice(fill));
    expect(x.om.get(o.clientOrderId)?.filledQty).toBe(3);
    x.broker.rows = [execution({ orderNo: o.kisOrderNo!, code: '005930', side: 'buy', orderQty: 10, filledQty: 6, filledAmount: 6_000, remainingQty: 4 })];
    x.broker.holdings = [holding('005930', 6, 1000)];
    expect(x.om.lastReconcile()?.addedFillQty).toBe(0); // the start-up pass only
    await x.clock.tickAsync(3_000);
    await turns(50);
    expect(x.om.lastReconcile()).toMatchObject({ addedFillQty: 3, passed: true });
    expect(x.om.get(o.clientOrderId)).toMatchObject({ filledQty: 6, state: 'partially_filled' });
    expect(x.om.positions()).toEqual([expect.objectContaining({ symbol: '005930', qty: 6 })]);
  });
});

describe('finding 10: a revision racing a fill', () => {
  it('a fill landing during the revise request leaves the revised leg at the true remainder', async () => {
    const x = await ready();
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
    const reply = deferred<OrderAck>();
    x.broker.onRevise = () => reply.promise;
    const p = x.om.revise(o.clientOrderId, { price: 1100 });
    await turns();
    x.om.handleNotice(notice({ orderNo: o.kisOrderNo!, isFill: true, qty: 4, price: 1000 }));
    reply.resolve(x.broker.ack());
    const revised = await p;
    expect(revised).toMatchObject({ qty: 10, filledQty: 4, price: 1100, kisOrderNo: '0000000002' });
    expect(x.db.prepare("SELECT qty FROM order_legs WHERE kis_order_no = '2'").get()).toEqual({ qty: 6 });
    x.om.handleNotice(notice({ orderNo: '0000000002', isFill: true, qty: 6, price: 1100 }));
    expect(x.om.get(o.clientOrderId)).toMatchObject({ state: 'filled', filledQty: 10 });
  });

  it('a fill of the old leg notified after the reply is corrected by the revision notice', async () => {
    const x = await ready();
    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
    await x.om.revise(o.clientOrderId, { price: 1100 });
    // KIS had filled 4 before it processed the revise, so the revision carries 6; both notices come late.
    x.om.handleNotice(notice({ orderNo: o.kisOrderNo!, isFill: true, qty: 4, price: 1000 }));
    x.om.handleNotice(notice({ orderNo: '0000000002', originalOrderNo: o.kisOrderNo!, correctionCode: '1', orderQty: 6, orderPrice: 1100, qty: 6, price: 1100 }));
    expect(x.db.prepare("SELECT qty FROM order_legs WHERE kis_order_no = '2'").get()).toEqual({ qty: 6 });
    expect(x.om.get(o.clientOrderId)).toMatchObject({ qty: 10, filledQty: 4 });
    x.om.handleNotice(notice({ orderNo: '0000000002', isFill: true, qty: 6, price: 1100 }));
    expect(x.om.get(o.clientOrderId)).toMatchObject({ state: 'filled', filledQty: 10 });
  });
});
