// Issue 9 item 1, the order send seam, against the simulator on loopback: the journal records when an order's
// bytes actually left (not when it was decided), reconciliation looks for it there and in KIS's clock, and an
// order that could not leave within its send deadline is abandoned, never sent late. Each test failed before
// the fix: a delayed send or a fast host clock closed a live, filled order as "never reached KIS", and a
// delayed order went out half a minute after its decision.
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../helpers/fake-clock.js';
import { APP, orderCashCount, startRig, type Rig, type RigOptions } from './rig.js';

const ORDER_CASH = '/uapi/domestic-stock/v1/trading/order-cash';
// Enough retries (5, 10, 20, 30, 30, … s apart) for an order to outlast a two-minute outage.
const PATIENT_CLIENT: RigOptions['client'] = { maxRetries: 12, backoffBaseMs: 5_000, backoffCapMs: 30_000 };

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function ready(o: RigOptions): Promise<Rig> {
  rig = await startRig(o);
  expect((await rig.run(rig.om.start())).passed).toBe(true);
  return rig;
}

/** KIS unreachable for outageMs of virtual time while `work` runs (connects refused), then reachable again. */
async function withOutage<T>(r: Rig, outageMs: number, work: () => Promise<T>): Promise<{ pending: Promise<T> }> {
  await r.sim.outage.begin();
  const p = work();
  p.catch(() => undefined);
  const until = r.clock.nowMs() + outageMs;
  while (r.clock.nowMs() < until) {
    await new Promise((res) => setTimeout(res, 1)); // real turn: the refused connect
    await r.clock.tickAsync(250);
  }
  await r.sim.outage.end();
  return { pending: p };
}

const BUY_7 = { strategy: 'test', market: 'KR', symbol: '005930', side: 'buy', qty: 7, type: 'market' } as const;

describe('send seam: reconciliation looks where the bytes left', () => {
  it('KIS unreachable ~2 minutes, then the order leaves and its reply is lost: its fill is attributed to it, not closed as cancelled', async () => {
    const r = await ready({ client: PATIENT_CLIENT, manager: { sendDeadlineMs: 300_000 } });
    r.sim.faults.add({ kind: 'hang', afterAccept: true, count: 1, match: { path: ORDER_CASH } });
    const decidedAt = r.clock.nowMs();
    const { pending } = await withOutage(r, 130_000, () => r.om.submit(BUY_7));
    const o = await settle(r.clock, pending, { stepMs: 100 });
    expect(o.state).toBe('unknown');
    expect(orderCashCount(r.sim)).toBe(1);
    const attempts = r.om.sendAttempts(o.clientOrderId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]! - decidedAt).toBeGreaterThan(130_000); // it left after the outage, not at the decision
    await r.clock.tickAsync(15_000); // past the not-found grace counted from the decision
    const rep = await r.run(r.om.reconcile());
    expect(rep.passed).toBe(true);
    expect(r.om.get(o.clientOrderId)).toMatchObject({ state: 'filled', filledQty: 7, kisOrderNo: r.sim.exchange.orders(APP.accountNo)[0]!.odno });
    expect(r.om.positions()).toEqual([expect.objectContaining({ symbol: '005930', qty: 7 })]);
    expect(orderCashCount(r.sim)).toBe(1);
  });

  it.each([
    ['30 s fast', -30_000],
    ['30 s slow', 30_000],
  ])('host clock %s against KIS: the lost reply is matched by KIS time, from the estimated clock offset', async (_name, kisMinusHostMs) => {
    const r = await ready({ kisClockOffsetMs: kisMinusHostMs });
    const est = r.api.clockOffset();
    expect(est?.offsetMs).toBeGreaterThanOrEqual(-kisMinusHostMs - 1_000);
    expect(est?.offsetMs).toBeLessThanOrEqual(-kisMinusHostMs + 1_000);
    r.sim.faults.add({ kind: 'hang', afterAccept: true, count: 1, match: { path: ORDER_CASH } });
    const o = await r.run(r.om.submit(BUY_7));
    expect(o.state).toBe('unknown');
    await r.clock.tickAsync(15_000);
    await r.run(r.om.reconcile());
    expect(r.om.get(o.clientOrderId)).toMatchObject({ state: 'filled', filledQty: 7 });
    expect(orderCashCount(r.sim)).toBe(1);
  });
});

describe('send seam: the send deadline', () => {
  it('an order that cannot leave within its deadline is abandoned as not sent, and never sent late', async () => {
    const r = await ready({ client: PATIENT_CLIENT });
    expect(r.om.options.sendDeadlineMs).toBe(10_000);
    const { pending } = await withOutage(r, 30_000, () => r.om.submit(BUY_7));
    const o = await settle(r.clock, pending, { stepMs: 100 });
    expect(o).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/not sent/) });
    expect(r.om.sendAttempts(o.clientOrderId)).toEqual([]);
    expect(r.alerts.map((a) => a.key)).toContain(`order-not-sent:${o.clientOrderId}`);
    // KIS is reachable again and time goes on: nothing goes out late, and reconciliation leaves it failed.
    await r.clock.tickAsync(120_000);
    await r.run(r.om.reconcile());
    expect(orderCashCount(r.sim)).toBe(0);
    expect(r.sim.exchange.orders(APP.accountNo)).toEqual([]);
    expect(r.om.get(o.clientOrderId)?.state).toBe('failed');
    expect(r.om.openOrders()).toEqual([]);
  });
});
