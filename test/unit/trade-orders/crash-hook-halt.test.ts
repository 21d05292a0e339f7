// The order path's crash hook as an in-process kill (the week replay): a hook that returns a promise which never
// settles stops that order's path right there — nothing is sent after 'after-new' or 'after-sent', and nothing
// of a reply in hand is committed after 'after-reply' — while a hook that returns nothing changes nothing.
// Before, the hook's result was ignored: an in-process "kill" could only throw, and the path went on to send.
import { afterEach, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../../../src/trade/orders/options.js';
import { harness, turns, type Harness } from './fake-broker.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.om.stop();
  h = undefined;
});

const BUY = { strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 3, type: 'limit', price: 1000 } as const;

describe('crash hook that halts', () => {
  it.each([
    ['after-new', 'new', 0],
    ['after-sent', 'sent', 0],
    ['after-reply', 'sent', 1],
  ] as const)('at %s the order stays %s and KIS got %i request(s)', async (point, state, sent) => {
    const seen: CrashPoint[] = [];
    h = harness({ crashHook: (p) => (seen.push(p), p === point ? new Promise<never>(() => undefined) : undefined) });
    expect((await h.om.start()).passed).toBe(true);
    let settled = false;
    void h.om.submit(BUY).finally(() => (settled = true));
    await turns(20);
    expect(settled).toBe(false);
    expect(seen.at(-1)).toBe(point);
    expect(h.broker.cash).toHaveLength(sent);
    const [order] = h.om.ordersOfDay();
    expect(order?.state).toBe(state);
    expect(order?.kisOrderNo).toBeUndefined();
  });

  it('a hook that returns nothing lets the order through every point', async () => {
    const seen: CrashPoint[] = [];
    h = harness({ crashHook: (p) => void seen.push(p) });
    expect((await h.om.start()).passed).toBe(true);
    const o = await h.om.submit(BUY);
    expect(o.state).toBe('acknowledged');
    expect(seen).toEqual(['after-new', 'after-sent', 'after-reply', 'after-ack']);
  });
});
