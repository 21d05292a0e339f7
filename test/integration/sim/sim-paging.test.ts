// Continuation paging of inquire-balance (50 real / 20 paper) and inquire-daily-ccld (100 real / 15 paper):
// body cursors ctx_area_fk100/nk100 echoed back uppercase with request tr_cont 'N'; reply tr_cont 'M' / 'D'.
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/sim/index.js';
import { APP_A, balanceQuery, call, ccldQuery, PATHS, startSim, tokenFor, type Kit } from './sim-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.sim.close();
  kit = undefined;
});

/** Buys one share each of n distinct cheap stocks straight through the exchange API. */
function buyDistinct(sim: Simulator, n: number): string[] {
  const codes = sim.market.universe.kr.filter((s) => s.kind === 'stock' && s.basePrice < 50_000).slice(0, n).map((s) => s.code);
  for (const code of codes) {
    const r = sim.exchange.placeKr(APP_A.accountNo, { side: 'buy', pdno: code, ordDvsn: '01', qty: '1', price: '0' });
    if (!r.ok) throw new Error(`buy ${code} refused: ${r.reject.msg1}`);
  }
  return codes;
}

async function walk(sim: Simulator, token: string, path: string, trId: string, query: (c: { fk?: string; nk?: string }) => Record<string, string>, rowKey: string) {
  const pages: { trCont: string | null; keys: string[] }[] = [];
  let cursor: { fk?: string; nk?: string } = {};
  let trCont = '';
  for (let i = 0; i < 20; i++) {
    const r = await call(sim, path, { token, trId, query: query(cursor), trCont });
    expect(r.json.rt_cd).toBe('0');
    pages.push({ trCont: r.headers.get('tr_cont'), keys: (r.json.output1 as Record<string, string>[]).map((x) => x[rowKey] ?? '') });
    expect(r.json.ctx_area_fk100).toHaveLength(100);
    expect(r.json.ctx_area_nk100).toHaveLength(100);
    if (r.headers.get('tr_cont') !== 'M') break;
    cursor = { fk: r.json.ctx_area_fk100, nk: r.json.ctx_area_nk100 };
    trCont = 'N';
  }
  return pages;
}

describe('inquire-balance paging', () => {
  it('real: 55 holdings come as 50 + 5 with tr_cont M then D', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const codes = buyDistinct(kit.sim, 55);
    const token = await tokenFor(kit.sim);
    const pages = await walk(kit.sim, token, PATHS.balance, 'TTTC8434R', (c) => balanceQuery(APP_A, c), 'pdno');
    expect(pages.map((p) => [p.trCont, p.keys.length])).toEqual([['M', 50], ['D', 5]]);
    expect(pages.flatMap((p) => p.keys).sort()).toEqual([...codes].sort());
  });

  it('paper: 20 per page; cursors without tr_cont N restart at page one', async () => {
    kit = await startSim({ flavor: 'paper', rateLimitPerSec: 0 });
    buyDistinct(kit.sim, 45);
    const token = await tokenFor(kit.sim);
    const pages = await walk(kit.sim, token, PATHS.balance, 'VTTC8434R', (c) => balanceQuery(APP_A, c), 'pdno');
    expect(pages.map((p) => [p.trCont, p.keys.length])).toEqual([['M', 20], ['M', 20], ['D', 5]]);
    expect(new Set(pages.flatMap((p) => p.keys)).size).toBe(45);
    const first = await call(kit.sim, PATHS.balance, { token, trId: 'VTTC8434R', query: balanceQuery() });
    const again = await call(kit.sim, PATHS.balance, { token, trId: 'VTTC8434R', query: balanceQuery(APP_A, { fk: first.json.ctx_area_fk100, nk: first.json.ctx_area_nk100 }) });
    expect(again.json.output1[0].pdno).toBe(first.json.output1[0].pdno);
  });

  it('the summary row reflects cash settling T+2 and the holdings value', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    const order = kit.sim.exchange.placeKr(APP_A.accountNo, { side: 'buy', pdno: '005930', ordDvsn: '01', qty: '10', price: '0' });
    expect(order.ok).toBe(true);
    const r = await call(kit.sim, PATHS.balance, { token, trId: 'TTTC8434R', query: balanceQuery() });
    const [h] = r.json.output1;
    const [s] = r.json.output2;
    expect(r.json.output2).toHaveLength(1);
    expect(h.hldg_qty).toBe('10');
    expect(h.ord_psbl_qty).toBe('10');
    expect(h.thdt_buyqty).toBe('10');
    const cost = Number(h.pchs_amt);
    const fee = Math.floor(cost * 0.00015);
    expect(s.dnca_tot_amt).toBe('100000000'); // not settled yet (T+2)
    expect(s.nxdy_excc_amt).toBe('100000000');
    expect(s.prvs_rcdl_excc_amt).toBe(String(100_000_000 - cost - fee));
    expect(s.scts_evlu_amt).toBe(h.evlu_amt);
    expect(Number(s.tot_evlu_amt)).toBe(Number(h.evlu_amt) + 100_000_000 - cost - fee);
    expect(s.thdt_tlex_amt).toBe(String(fee));
  });
});

describe('inquire-daily-ccld paging', () => {
  it('real: 105 orders come as 100 + 5, newest first', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    buyDistinct(kit.sim, 105);
    const token = await tokenFor(kit.sim);
    const pages = await walk(kit.sim, token, PATHS.ccld, 'TTTC0081R', (c) => ccldQuery('20261123', '20261123', APP_A, c), 'odno');
    expect(pages.map((p) => [p.trCont, p.keys.length])).toEqual([['M', 100], ['D', 5]]);
    const all = pages.flatMap((p) => p.keys);
    expect(all).toEqual([...all].sort().reverse());
    expect(new Set(all).size).toBe(105);
  });

  it('paper: 15 per page, legacy tr_id too, with output2 totals', async () => {
    kit = await startSim({ flavor: 'paper', rateLimitPerSec: 0 });
    buyDistinct(kit.sim, 40);
    const token = await tokenFor(kit.sim);
    const pages = await walk(kit.sim, token, PATHS.ccld, 'VTTC8001R', (c) => ccldQuery('20261123', '20261123', APP_A, c), 'odno');
    expect(pages.map((p) => [p.trCont, p.keys.length])).toEqual([['M', 15], ['M', 15], ['D', 10]]);
    const r = await call(kit.sim, PATHS.ccld, { token, trId: 'VTTC0081R', query: ccldQuery('20261123', '20261123') });
    expect(r.json.output2.tot_ord_qty).toBe('40');
    expect(r.json.output2.tot_ccld_qty).toBe('40');
    const none = await call(kit.sim, PATHS.ccld, { token, trId: 'VTTC0081R', query: ccldQuery('20261120', '20261120') });
    expect(none.json.output1).toEqual([]);
    expect(none.headers.get('tr_cont')).toBe('D');
  });
});
