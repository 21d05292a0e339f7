// ownFills: the risk view's split of kisd's own fills into before today and today. The part before today is
// read once per KST day (the risk check runs every few seconds), so a late fill dated before today must still
// show up in it at once, and today's fills must never be cached.
import { afterEach, expect, it } from 'vitest';
import { harness, notice, type Harness } from './fake-broker.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.om.stop();
  h = undefined;
});

it('counts a late fill dated before today in beforeToday, and today\'s fills as they come', async () => {
  h = await (async () => {
    const x = harness();
    expect((await x.om.start()).passed).toBe(true);
    return x;
  })();
  const a = await h.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 4, type: 'limit', price: 1000 });
  const b = await h.om.submit({ strategy: 's', market: 'KR', symbol: '000660', side: 'buy', qty: 2, type: 'limit', price: 2000 });
  expect(h.om.ownFills()).toEqual({ beforeToday: [], today: [] });

  // The fake notices' receivedAtMs lie in 1970: a fill booked late, dated before today.
  h.om.handleNotice(notice({ orderNo: a.kisOrderNo!, code: '005930', isFill: true, qty: 4, price: 1000, time: '100002' }));
  expect(h.om.ownFills().beforeToday.map((f) => [f.symbol, f.qty])).toEqual([['005930', 4]]);

  h.om.handleNotice(notice({ orderNo: b.kisOrderNo!, code: '000660', isFill: true, qty: 2, price: 2000, time: '100003', receivedAtMs: h.clock.nowMs() }));
  const now = h.om.ownFills();
  expect(now.beforeToday.map((f) => f.symbol)).toEqual(['005930']);
  expect(now.today.map((f) => [f.symbol, f.qty])).toEqual([['000660', 2]]);
});
