// Issue 9 item 2: risk limits measure kisd's own positions (its journal's fills), not the whole account.
// The real order manager on an in-memory journal; the operator's shares reach the position ledger the way
// they do in production, adopted from the balance by the start-up reconciliation. Each test failed before
// the fix: the kill switch and gross exposure read every holding of the account at its lifetime cost.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KillSwitch } from '../../../src/trade/risk/kill-switch.js';
import { orderBookRiskView } from '../../../src/trade/risk/order-book-view.js';
import { RiskGate } from '../../../src/trade/risk/risk-gate.js';
import { harness, holding, notice, silent, type Harness } from '../trade-orders/fake-broker.js';

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.om.stop();
  h?.db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = dir = undefined;
});

/** An account that already holds the operator's shares; risk with the default limits (1 M daily loss, 30 M gross). */
async function account(operator: { code: string; qty: number; avgPrice: number }[]): Promise<{ x: Harness; gate: RiskGate; ks: KillSwitch }> {
  h = harness();
  h.broker.holdings = operator.map((o) => holding(o.code, o.qty, o.avgPrice));
  expect((await h.om.start()).passed).toBe(true);
  expect(h.om.positions().map((p) => p.symbol).sort()).toEqual(operator.map((o) => o.code).sort()); // the ledger adopted them
  dir = await mkdtemp(join(tmpdir(), 'kisd-own-risk-'));
  const ks = new KillSwitch({ stateDir: dir, clock: h.clock, logger: silent });
  await ks.load();
  return { x: h, gate: new RiskGate({ clock: h.clock, logger: silent, killSwitch: ks }), ks };
}

/** kisd trades: a limit order filled in full by an execution notice stamped atMs (default now). */
async function trade(x: Harness, side: 'buy' | 'sell', code: string, qty: number, price: number, atMs = x.clock.nowMs()): Promise<void> {
  const o = await x.om.submit({ strategy: 's', market: 'KR', symbol: code, side, qty, type: 'limit', price });
  x.om.handleNotice(notice({ orderNo: o.kisOrderNo!, code, isFill: true, qty, price, time: '100001', receivedAtMs: atMs }));
  expect(x.om.get(o.clientOrderId)?.state).toBe('filled');
}

describe('risk on kisd\'s own positions', () => {
  it('an operator holding 1,000,000 KRW under water does not trip the kill switch on a flat day', async () => {
    const { x, gate, ks } = await account([{ code: '000660', qty: 100, avgPrice: 200_000 }]);
    const marks: Record<string, number> = { '000660': 190_000 };
    const pnl = await gate.evaluateDailyLoss(orderBookRiskView(x.om, (s) => marks[s]));
    expect(pnl).toEqual({ realizedKrw: 0, unrealizedKrw: 0, totalKrw: 0 });
    expect(ks.isTripped()).toBe(false);
  });

  it('a +5,000,000 KRW operator holding does not hide a -3,000,000 KRW realized loss today', async () => {
    const { x, gate, ks } = await account([{ code: '000660', qty: 100, avgPrice: 150_000 }]);
    await trade(x, 'buy', '005930', 100, 60_000);
    await trade(x, 'sell', '005930', 100, 30_000);
    const marks: Record<string, number> = { '000660': 200_000, '005930': 30_000 };
    const pnl = await gate.evaluateDailyLoss(orderBookRiskView(x.om, (s) => marks[s]));
    expect(pnl.realizedKrw).toBeLessThanOrEqual(-3_000_000); // and the fees
    expect(pnl.unrealizedKrw).toBe(0);
    expect(ks.isTripped()).toBe(true);
  });

  it('30,000,000 KRW of operator holdings do not block an entry', async () => {
    const { x, gate } = await account([{ code: '000660', qty: 150, avgPrice: 200_000 }]);
    const marks: Record<string, number> = { '000660': 200_000, '005930': 60_000 };
    const d = await gate.check({ strategy: 's', symbol: '005930', side: 'buy', qty: 10, priceKrw: 60_000 }, orderBookRiskView(x.om, (s) => marks[s]));
    expect(d).toEqual({ ok: true, kind: 'entry', valueKrw: 600_000 });
    // kisd's own exposure still counts: 30.45 M of its own shares are over the limit already.
    await trade(x, 'buy', '035420', 145, 210_000);
    marks['035420'] = 210_000;
    const over = await gate.check({ strategy: 's', symbol: '005930', side: 'buy', qty: 10, priceKrw: 60_000 }, orderBookRiskView(x.om, (s) => marks[s]));
    expect(over).toMatchObject({ ok: false, code: 'gross-exposure' });
  });

  it('own shares held overnight count from yesterday\'s close, shares bought today from their fill price', async () => {
    const { x, gate } = await account([]);
    await trade(x, 'buy', '005930', 10, 50_000, x.clock.nowMs() - 86_400_000); // yesterday
    await trade(x, 'buy', '000660', 5, 100_000); // today
    const marks: Record<string, number> = { '005930': 58_000, '000660': 101_000 };
    const prevClose: Record<string, number> = { '005930': 60_000 };
    const pnl = await gate.evaluateDailyLoss(orderBookRiskView(x.om, (s) => marks[s], { prevClose: (s) => prevClose[s] }));
    // 005930: (58,000 − 60,000) × 10 = −20,000 today (not +80,000 since the purchase); 000660: +5,000.
    expect(pnl.unrealizedKrw).toBe(-20_000 + 5_000);
  });
});
