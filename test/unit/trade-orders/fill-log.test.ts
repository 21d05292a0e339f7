// Every fill gets its own info line, whatever brought it. The order's acknowledgement line says only
// "acknowledged" when the fill notice comes after the REST reply (the usual order on a loaded machine), so
// without this an operator reading the log, and the time-travel test waiting for a fill, saw no fill at all.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../kis-rest/support.js';
import { harness, notice, type Harness } from './fake-broker.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.om.stop();
  h?.db.close();
  h = undefined;
});

describe('fill log line', () => {
  it('logs a fill notice that arrives after the acknowledgement, once, with the order state', async () => {
    const mem = memoryLogger();
    h = harness({ log: mem.log });
    expect((await h.om.start()).passed).toBe(true);
    const o = await h.om.submit({ strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
    expect(o.state).toBe('acknowledged');
    expect(mem.lines.filter((l) => String(l['msg']).startsWith('fill:'))).toHaveLength(0);

    h.om.handleNotice(notice({ orderNo: o.kisOrderNo!, isFill: true, qty: 4, price: 1000, time: '100002' }));
    h.om.handleNotice(notice({ orderNo: o.kisOrderNo!, isFill: true, qty: 4, price: 1000, time: '100002' })); // the same notice again
    h.om.handleNotice(notice({ orderNo: o.kisOrderNo!, isFill: true, qty: 6, price: 990, time: '100003' }));
    const fills = mem.lines.filter((l) => String(l['msg']).startsWith('fill:'));
    expect(fills.map((l) => l['msg'])).toEqual([
      'fill: buy 4 005930 @ 1000 (notice); order partially_filled 4/10',
      'fill: buy 6 005930 @ 990 (notice); order filled 10/10',
    ]);
    expect(fills[1]).toMatchObject({ level: 30, clientOrderId: o.clientOrderId, source: 'notice', state: 'filled', filledQty: 10 });
  });
});
