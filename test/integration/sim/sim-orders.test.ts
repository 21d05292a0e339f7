// Orders through REST: acceptance shape, KIS-style business rejections, resting limit orders, revise/cancel,
// and US orders, each checked against the account views (balance, daily-ccld).
import { afterEach, describe, expect, it } from 'vitest';
import { krTickSize } from '../../../src/sim/index.js';
import { APP_A, balanceQuery, call, ccldQuery, orderBody, PATHS, startSim, tokenFor, type Kit } from './sim-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.sim.close();
  kit = undefined;
});

async function setup() {
  kit = await startSim({ rateLimitPerSec: 0 });
  const token = await tokenFor(kit.sim);
  const order = (trId: string, body: Record<string, string>, path: string = PATHS.orderCash) => call(kit!.sim, path, { token, trId, body });
  return { sim: kit.sim, token, order };
}

describe('domestic orders', () => {
  it('a market buy is accepted with UPPERCASE output, increasing 10-digit ODNOs, and filled at once', async () => {
    const { sim, token, order } = await setup();
    const a = await order('TTTC0012U', orderBody('005930', '3', '0', '01'));
    expect(a.json.rt_cd).toBe('0');
    expect(a.json.msg_cd).toBe('APBK0013');
    expect(Object.keys(a.json.output)).toEqual(['KRX_FWDG_ORD_ORGNO', 'ODNO', 'ORD_TMD']);
    expect(a.json.output.ODNO).toMatch(/^\d{10}$/);
    expect(a.json.output.ORD_TMD).toBe('100000');
    const b = await order('TTTC0012U', orderBody('000660', '1', '0', '01'));
    expect(Number(b.json.output.ODNO)).toBeGreaterThan(Number(a.json.output.ODNO));
    const bal = await call(sim, PATHS.balance, { token, trId: 'TTTC8434R', query: balanceQuery() });
    expect(bal.json.output1.map((h: Record<string, string>) => [h.pdno, h.hldg_qty])).toEqual([['000660', '1'], ['005930', '3']]);
    const price = sim.market.krQuote('005930', kit!.clock.nowMs())?.price;
    const ccld = await call(sim, PATHS.ccld, { token, trId: 'TTTC0081R', query: ccldQuery('20261123', '20261123') });
    const row = ccld.json.output1.find((r: Record<string, string>) => r.odno === a.json.output.ODNO);
    expect(row).toMatchObject({ pdno: '005930', ord_qty: '3', tot_ccld_qty: '3', rmn_qty: '0', avg_prvs: String(price), sll_buy_dvsn_cd: '02', ord_dvsn_cd: '01' });
  });

  it('rejects zero quantity, off-tick prices, prices beyond the limits, oversells, and orders beyond the cash', async () => {
    const { sim, order } = await setup();
    const q = sim.market.krQuote('005930', kit!.clock.nowMs())!;
    const tick = krTickSize(q.price);
    const expectReject = async (body: Record<string, string>, msgCd: string, trId = 'TTTC0012U') => {
      const r = await order(trId, body);
      expect(r.status).toBe(200);
      expect(r.json.rt_cd).toBe('1');
      expect(r.json.msg_cd).toBe(msgCd);
    };
    await expectReject(orderBody('005930', '0', String(q.price)), 'APBK0574');
    await expectReject(orderBody('005930', '1', String(q.price + Math.floor(tick / 2))), 'APBK0506');
    await expectReject(orderBody('005930', '1', String(q.upperLimit + tick)), 'APBK0507');
    await expectReject(orderBody('005930', '1', String(q.price)), 'APBK0400', 'TTTC0011U');
    await expectReject(orderBody('005930', String(Math.ceil(100_000_000 / q.price) + 1), String(q.price)), 'APBK0952');
    // a market buy is sized at the upper limit: affordable at the price, not at the limit
    const qty = Math.floor(100_000_000 / (q.upperLimit * 1.00015)) + 1;
    expect(qty * q.price * 1.00015).toBeLessThan(100_000_000);
    await expectReject(orderBody('005930', String(qty), '0', '01'), 'APBK0952');
    await expectReject(orderBody('999999', '1', '1000'), 'APBK0656');
    expect(sim.exchange.orders(APP_A.accountNo)).toHaveLength(0);
  });

  it('a limit buy below the market rests, reserves cash, and is cancelled through order-rvsecncl', async () => {
    const { sim, token, order } = await setup();
    const q = sim.market.krQuote('005930', kit!.clock.nowMs())!;
    const limit = q.price - 10 * krTickSize(q.price);
    const placed = await order('TTTC0012U', orderBody('005930', '5', String(limit)));
    expect(placed.json.msg_cd).toBe('APBK0013');
    const odno = placed.json.output.ODNO as string;
    expect(sim.exchange.krwBuyingPower(APP_A.accountNo)).toBe(100_000_000 - 5 * limit * 1.00015);
    const open = await call(sim, PATHS.ccld, { token, trId: 'TTTC0081R', query: { ...ccldQuery('20261123', '20261123'), CCLD_DVSN: '02' } });
    expect(open.json.output1).toEqual([expect.objectContaining({ odno, rmn_qty: '5', tot_ccld_qty: '0' })]);
    const cancel = await order('TTTC0013U', { CANO: '50000001', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: placed.json.output.KRX_FWDG_ORD_ORGNO, ORGN_ODNO: odno, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '02', ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y', EXCG_ID_DVSN_CD: 'KRX' }, PATHS.rvsecncl);
    expect(cancel.json.msg_cd).toBe('APBK0013');
    const rows = (await call(sim, PATHS.ccld, { token, trId: 'TTTC0081R', query: ccldQuery('20261123', '20261123') })).json.output1;
    expect(rows[0]).toMatchObject({ orgn_odno: odno, cncl_yn: 'Y', cnc_cfrm_qty: '5' });
    expect(rows[1]).toMatchObject({ odno, rmn_qty: '0' });
    expect(sim.exchange.krwBuyingPower(APP_A.accountNo)).toBe(100_000_000);
    // nothing left to cancel now
    const again = await order('TTTC0803U', { CANO: '50000001', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '91252', ORGN_ODNO: odno, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '02', ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y' }, PATHS.rvsecncl);
    expect(again.json.msg_cd).toBe('APBK0579');
  });

  it('a resting limit order fills once the market reaches it; a revise to a marketable price fills at once', async () => {
    const { sim, order } = await setup();
    // find a minute later today where 005930 trades lower than now
    const now = kit!.clock.nowMs();
    const q0 = sim.market.krQuote('005930', now)!;
    let later = now;
    let low = q0.price;
    for (let m = 1; m < 300; m++) {
      const p = sim.market.krQuote('005930', now + m * 60_000)!.price;
      if (p < low) [low, later] = [p, now + m * 60_000];
    }
    expect(low).toBeLessThan(q0.price);
    const placed = await order('TTTC0012U', orderBody('005930', '2', String(low)));
    const placedOdno = placed.json.output.ODNO as string;
    expect(sim.exchange.orders(APP_A.accountNo)[0]?.status).toBe('open');
    await kit!.clock.tickAsync(later - now);
    sim.exchange.sweep(APP_A.accountNo);
    expect(sim.exchange.orders(APP_A.accountNo)[0]).toMatchObject({ odno: placedOdno, status: 'filled', filledQty: 2, filledAmount: 2 * low });
    // revise: a far limit becomes marketable
    const q = sim.market.krQuote('005930', kit!.clock.nowMs())!;
    const far = await order('TTTC0012U', orderBody('005930', '1', String(q.lowerLimit)));
    const revised = await order('TTTC0013U', { CANO: '50000001', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '91252', ORGN_ODNO: far.json.output.ODNO, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '01', ORD_QTY: '1', ORD_UNPR: String(q.upperLimit), QTY_ALL_ORD_YN: 'N' }, PATHS.rvsecncl);
    expect(revised.json.msg_cd).toBe('APBK0013');
    const o = sim.exchange.orders(APP_A.accountNo).find((x) => x.odno === revised.json.output.ODNO);
    expect(o).toMatchObject({ kind: 'revise', orgnOdno: far.json.output.ODNO, status: 'filled', filledQty: 1 });
    expect(sim.exchange.ledger(APP_A.accountNo)?.holding('KR', '005930')?.qty).toBe(3);
  });
});

describe('US orders', () => {
  it('buys and sells AAPL on NASD; the exchange code must match', async () => {
    kit = await startSim({ rateLimitPerSec: 0 }, '2026-11-24 01:00:00');
    const token = await tokenFor(kit.sim);
    const body = (qty: string, price: string, ex = 'NASD') => ({ CANO: '50000001', ACNT_PRDT_CD: '01', OVRS_EXCG_CD: ex, PDNO: 'AAPL', ORD_QTY: qty, OVRS_ORD_UNPR: price, CTAC_TLNO: '', MGCO_APTM_ODNO: '', SLL_TYPE: '', ORD_SVR_DVSN_CD: '0', ORD_DVSN: '00' });
    const q = kit.sim.market.usQuote('AAPL', kit.clock.nowMs())!;
    const buy = await call(kit.sim, PATHS.usOrder, { token, trId: 'TTTT1002U', body: body('10', q.ask.toFixed(2)) });
    expect(buy.json.msg_cd).toBe('APBK0013');
    expect(kit.sim.exchange.ledger(APP_A.accountNo)?.holding('US', 'AAPL')?.qty).toBe(10);
    expect((await call(kit.sim, PATHS.usOrder, { token, trId: 'TTTT1002U', body: body('1', '1.001') })).json.msg_cd).toBe('APBK0506');
    expect((await call(kit.sim, PATHS.usOrder, { token, trId: 'TTTT1002U', body: body('1', '100.00', 'NYSE') })).json.msg_cd).toBe('APBK1664');
    const sell = await call(kit.sim, PATHS.usOrder, { token, trId: 'TTTT1006U', body: { ...body('4', '0'), SLL_TYPE: '00' } });
    expect(sell.json.msg_cd).toBe('APBK0013');
    expect(kit.sim.exchange.ledger(APP_A.accountNo)?.holding('US', 'AAPL')?.qty).toBe(6);
    const usPrice = await call(kit.sim, PATHS.usPrice, { token, trId: 'HHDFS00000300', query: { AUTH: '', EXCD: 'NAS', SYMB: 'AAPL' } });
    expect(usPrice.json.output.ordy).toBe('매도가능');
  });
});
