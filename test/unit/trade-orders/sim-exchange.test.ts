// The simulated exchange's order rules added for trading: partial fills over successive matches, KRX hours
// (APBK0919 outside 09:00-15:30 KST), day-order expiry, fill sequence numbers, and the notice bridge mapping.
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { SimExchange, SyntheticMarket, type ExchangeEvent } from '../../../src/sim/index.js';
import { bridgeExecutionNotices, noticeFieldsFor } from '../../../src/sim/notice-bridge.js';

const APP = { appKey: 'k', appSecret: 's', accountNo: '50000031-01', htsId: 'hts31' };

function setup(start = '2026-11-23 10:00:00', startingCashKrw = 100_000_000) {
  const clock = createFakeClock(start);
  const market = new SyntheticMarket({ seed: 1 });
  const ex = new SimExchange({ market, clock, apps: [APP], paper: false, startingCashKrw });
  const events: ExchangeEvent[] = [];
  ex.onEvent((e) => events.push(e));
  return { clock, market, ex, events };
}

describe('SimExchange trading rules', () => {
  it('fills a market order in pieces of maxQtyPerMatch over successive matches, with fill sequence numbers', async () => {
    const { clock, ex, events } = setup();
    ex.configure({ maxQtyPerMatch: 4 });
    const r = ex.placeKr(APP.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '01', qty: '10', price: '0' });
    expect(r.ok && r.order.filledQty).toBe(4);
    const stop = ex.startMatching(1_000);
    await clock.tickAsync(2_000);
    stop();
    await clock.tickAsync(5_000);
    const fills = events.filter((e) => e.type === 'filled');
    expect(fills.map((e) => e.type === 'filled' && [e.fill.seq, e.fill.qty])).toEqual([[1, 4], [2, 4], [3, 2]]);
    expect(ex.ledger(APP.accountNo)?.holding('KR', '005930')?.qty).toBe(10);
    expect(ex.orders(APP.accountNo)[0]?.status).toBe('filled');
  });

  it('the periodic matcher runs only while an order is open: nothing scheduled on an idle exchange', async () => {
    const { clock, market, ex } = setup();
    const stop = ex.startMatching(1_000);
    expect(clock.fake.countTimers()).toBe(0); // a simulated week without orders costs no timer steps
    const low = market.krQuote('005930', clock.nowMs())!.lowerLimit;
    const r = ex.placeKr(APP.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '00', qty: '1', price: String(low) }); // rests
    expect(r.ok && r.order.status).toBe('open');
    expect(clock.fake.countTimers()).toBe(1);
    expect(ex.reviseOrCancel(APP.accountNo, 'KR', { action: '02', orgnOdno: r.ok ? r.order.odno : '', allQty: true, qty: '0', price: '0', ordDvsn: '00' }).ok).toBe(true);
    await clock.tickAsync(1_000); // the sweep finds nothing open and disarms
    expect(clock.fake.countTimers()).toBe(0);
    stop();
  });

  it('caps a match by the book when useBookDepth is on', () => {
    const { clock, market, ex } = setup('2026-11-23 10:00:00', 1e13);
    ex.configure({ useBookDepth: true });
    const askQty = market.krQuote('005930', clock.nowMs())!.askQty1;
    const r = ex.placeKr(APP.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '01', qty: String(askQty + 5), price: '0' });
    expect(r.ok && r.order.filledQty).toBe(askQty);
  });

  it('refuses KR orders outside the regular session with APBK0919 and accepts them inside', () => {
    for (const [t, ok] of [['2026-11-23 08:59:59', false], ['2026-11-23 09:00:00', true], ['2026-11-23 15:29:59', true], ['2026-11-23 15:30:00', false], ['2026-11-22 10:00:00', false]] as const) {
      const { ex } = setup(t);
      const r = ex.placeKr(APP.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '01', qty: '1', price: '0' });
      expect([t, r.ok ? 'ok' : r.reject.msgCd]).toEqual([t, ok ? 'ok' : 'APBK0919']);
    }
  });

  it('expires a resting day order after the close and refuses to cancel it then', async () => {
    const { clock, market, ex, events } = setup('2026-11-23 15:00:00');
    const q = market.krQuote('005930', clock.nowMs())!;
    const r = ex.placeKr(APP.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '00', qty: '3', price: String(q.lowerLimit) });
    expect(r.ok).toBe(true);
    await clock.tickAsync(31 * 60_000);
    ex.sweep(APP.accountNo);
    expect(ex.orders(APP.accountNo)[0]).toMatchObject({ status: 'cancelled', cancelledQty: 3 });
    expect(events.at(-1)).toMatchObject({ type: 'cancelled', reason: 'expired', qty: 3 });
    expect(ex.krwBuyingPower(APP.accountNo)).toBe(100_000_000);
    const c = ex.reviseOrCancel(APP.accountNo, 'KR', { orgnOdno: r.ok ? r.order.odno : '', action: '02', ordDvsn: '00', qty: '0', price: '0', allQty: true });
    expect(c.ok ? 'ok' : c.reject.msgCd).toBe('APBK0579');
  });

  it('maps exchange events to H0STCNI0 notices: ack CNTG_YN 1, fill CNTG_YN 2, cancel RCTF_CLS 2; nothing for expiry', () => {
    const { ex, events } = setup();
    const published: { htsId: string; fields: Record<string, string> }[] = [];
    const bridge = bridgeExecutionNotices({ exchange: ex, apps: [APP] }, { publishExecutionNotice: (htsId, fields) => (published.push({ htsId, fields }), 1) });
    ex.configure({ maxQtyPerMatch: 2 });
    const r = ex.placeKr(APP.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '01', qty: '3', price: '0' });
    expect(r.ok).toBe(true);
    const odno = r.ok ? r.order.odno : '';
    ex.reviseOrCancel(APP.accountNo, 'KR', { orgnOdno: odno, action: '02', ordDvsn: '00', qty: '0', price: '0', allQty: true });
    expect(published.map((p) => [p.htsId, p.fields.CNTG_YN, p.fields.RCTF_CLS, p.fields.CNTG_QTY])).toEqual([
      ['hts31', '1', '0', '3'],
      ['hts31', '2', '0', '2'],
      ['hts31', '1', '2', '1'],
    ]);
    expect(published[2]?.fields.OODER_NO).toBe(odno);
    expect(bridge.stats()).toEqual({ published: 3, undelivered: 0 });
    const expired = events.find((e) => e.type === 'cancelled');
    expect(expired && noticeFieldsFor({ ...expired, reason: 'expired' } as ExchangeEvent)).toBeUndefined();
    bridge.stop();
  });
});
