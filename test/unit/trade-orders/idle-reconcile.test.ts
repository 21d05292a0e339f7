// Scheduled reconciliation spends about three KIS requests a pass. With nothing to settle (no open or unknown
// order, the last pass passed) it runs every idleReconcileIntervalMs instead of every reconcileIntervalMs, so
// nights and weekends do not spend the app key's budget every minute; anything to settle brings the short
// interval back at once.
import { afterEach, describe, expect, it } from 'vitest';
import { execution, harness, type Harness } from './fake-broker.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.om.stop();
  h?.db.close();
  h = undefined;
});

const MIN = 60_000;

async function started(): Promise<Harness> {
  h = harness({ reconcileIntervalMs: MIN, idleReconcileIntervalMs: 60 * MIN });
  expect((await h.om.start()).passed).toBe(true);
  return h;
}

/** Advances `minutes` one minute at a time; returns how many reconciliation passes started meanwhile. */
async function passesDuring(x: Harness, minutes: number): Promise<number> {
  let n = 0;
  let seen = x.om.lastReconcile()?.startedAtMs;
  for (let i = 0; i < minutes; i++) {
    await x.clock.tickAsync(MIN);
    const at = x.om.lastReconcile()?.startedAtMs;
    if (at !== seen) n++;
    seen = at;
  }
  return n;
}

describe('scheduled reconciliation while kisd has nothing to settle', () => {
  it('runs hourly when idle, every minute while an order is open, and hourly again once it is settled', async () => {
    const x = await started();
    expect(await passesDuring(x, 59)).toBe(0);
    expect(await passesDuring(x, 1)).toBe(1); // the hourly pass

    const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
    expect(x.om.get(o.clientOrderId)?.state).toBe('acknowledged');
    expect(await passesDuring(x, 3)).toBe(3); // an open order: every minute, KIS shows it still open

    x.broker.rows = [execution({ orderNo: o.kisOrderNo!, code: '005930', side: 'buy', orderQty: 10, cancelled: true, remainingQty: 0 })];
    expect(await passesDuring(x, 1)).toBe(1);
    expect(x.om.get(o.clientOrderId)?.state).toBe('cancelled');
    expect(await passesDuring(x, 30)).toBe(0); // settled: idle again
  });

  it('a pass that did not pass keeps the short interval until one passes', async () => {
    const x = await started();
    let fail = true;
    x.broker.onBalance = () => (fail ? Promise.reject(new Error('KIS 500')) : Promise.resolve({ holdings: [], summary: undefined, pages: 1 }));
    expect(await passesDuring(x, 60)).toBe(1); // the hourly pass, which fails
    expect(x.om.lastReconcile()?.passed).toBe(false);
    expect(await passesDuring(x, 2)).toBe(2);
    fail = false;
    expect(await passesDuring(x, 1)).toBe(1);
    expect(x.om.lastReconcile()?.passed).toBe(true);
    expect(await passesDuring(x, 30)).toBe(0);
  });
});
