// Market-data routes: current price, period chart (≤100 rows, newest first, trading days in range), investor
// trend (today's row only after the close), chk-holiday paging, US price, and ETN codes with the Q prefix.
import { afterEach, describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { call, PATHS, priceQuery, startSim, tokenFor, type Kit } from './sim-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.sim.close();
  kit = undefined;
});

const chartQuery = (code: string, from: string, to: string, period = 'D') => ({ ...priceQuery(code), FID_INPUT_DATE_1: from, FID_INPUT_DATE_2: to, FID_PERIOD_DIV_CODE: period, FID_ORG_ADJ_PRC: '0' });

describe('domestic quotes', () => {
  it('inquire-price agrees with the synthetic market and uses KIS formats', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    const r = await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') });
    const q = kit.sim.market.krQuote('005930', kit.clock.nowMs());
    expect(r.json.msg_cd).toBe('MCA00000');
    const o = r.json.output;
    expect(o.stck_prpr).toBe(String(q?.price));
    expect(o.stck_sdpr).toBe(String(q?.prevClose));
    expect(o.stck_mxpr).toBe(String(q?.upperLimit));
    expect(o.aspr_unit).toBe(String(q?.tick));
    expect(o.prdy_ctrt).toMatch(/^-?\d+\.\d{2}$/);
    expect(['1', '2', '3', '4', '5']).toContain(o.prdy_vrss_sign);
    expect(Object.values(o).every((v) => typeof v === 'string')).toBe(true);
    expect(Object.keys(o).length).toBeGreaterThan(70);
  });

  it('ETNs need the Q prefix; unknown codes are an input error', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    const etn = kit.sim.market.universe.kr.find((s) => s.kind === 'etn');
    expect(etn?.requestCode).toBe(`Q${etn?.code}`);
    const ok = await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery(etn?.requestCode ?? '') });
    expect(ok.json.rt_cd).toBe('0');
    const bare = await call(kit.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery(etn?.code ?? '') });
    expect(bare.json.msg1).toBe('ERROR : INPUT INVALID_CHECK_FID_INPUT_ISCD');
  });

  it('daily chart: at most 100 rows, newest first, trading days inside the range', async () => {
    kit = await startSim({ rateLimitPerSec: 0 });
    const token = await tokenFor(kit.sim);
    const r = await call(kit.sim, PATHS.chart, { token, trId: 'FHKST03010100', query: chartQuery('005930', '20240101', '20261231') });
    const rows = r.json.output2 as Record<string, string>[];
    expect(rows).toHaveLength(100);
    const dates = rows.map((x) => x.stck_bsop_date ?? '');
    expect(dates).toEqual([...dates].sort().reverse());
    expect(dates[0]).toBe('20261123'); // today, session open at 10:00
    for (const d of dates) {
      expect(kit.sim.market.krCalendar.isTradingDay(Number(d))).toBe(true);
      expect(d >= '20240101' && d <= '20261231').toBe(true);
    }
    expect(r.json.output1.hts_kor_isnm).toBe('삼성전자');
    const short = await call(kit.sim, PATHS.chart, { token, trId: 'FHKST03010100', query: chartQuery('005930', '20261116', '20261120') });
    expect(short.json.output2.map((x: Record<string, string>) => x.stck_bsop_date)).toEqual(['20261120', '20261119', '20261118', '20261117', '20261116']);
    const monthly = await call(kit.sim, PATHS.chart, { token, trId: 'FHKST03010100', query: chartQuery('005930', '20260101', '20261120', 'M') });
    expect(monthly.json.output2).toHaveLength(11);
    const empty = await call(kit.sim, PATHS.chart, { token, trId: 'FHKST03010100', query: chartQuery('005930', '20261121', '20261122') });
    expect(empty.json.output2).toEqual([expect.objectContaining({ stck_bsop_date: '' })]);
  });

  it('a daily bar equals the quote at the close; volume accumulates through the session', async () => {
    kit = await startSim({ rateLimitPerSec: 0 }, '2026-11-23 09:00:00');
    const m = kit.sim.market;
    const vols: number[] = [];
    for (const t of ['09:00:00', '09:00:30', '10:00:00', '12:00:00', '15:29:59', '15:30:00']) vols.push(m.krQuote('000660', kstInstant(`2026-11-23 ${t}`))?.volume ?? -1);
    expect(vols).toEqual([...vols].sort((a, b) => a - b));
    expect(vols[0]).toBe(0);
    const closeQuote = m.krQuote('000660', kstInstant('2026-11-23 16:00:00'));
    await kit.clock.tickAsync(7 * 3600_000);
    const token = await tokenFor(kit.sim);
    const r = await call(kit.sim, PATHS.chart, { token, trId: 'FHKST03010100', query: chartQuery('000660', '20261123', '20261123') });
    const [bar] = r.json.output2;
    expect(bar.stck_clpr).toBe(String(closeQuote?.price));
    expect(bar.stck_hgpr).toBe(String(closeQuote?.high));
    expect(bar.stck_lwpr).toBe(String(closeQuote?.low));
    expect(bar.acml_vol).toBe(String(closeQuote?.volume));
  });

  it('investor trend: 30 days; today only after 15:30', async () => {
    kit = await startSim({ rateLimitPerSec: 0 }, '2026-11-23 15:29:00');
    const token = await tokenFor(kit.sim);
    const before = await call(kit.sim, PATHS.investor, { token, trId: 'FHKST01010900', query: priceQuery('005930') });
    expect(before.json.output).toHaveLength(30);
    expect(before.json.output[0].stck_bsop_date).toBe('20261120');
    await kit.clock.tickAsync(60_000);
    const after = await call(kit.sim, PATHS.investor, { token, trId: 'FHKST01010900', query: priceQuery('005930') });
    const today = after.json.output[0];
    expect(today.stck_bsop_date).toBe('20261123');
    const net = Number(today.prsn_ntby_qty) + Number(today.frgn_ntby_qty) + Number(today.orgn_ntby_qty);
    expect(net).toBe(0);
  });
});

describe('chk-holiday', () => {
  it('serves 30 days from BASS_DT in pages of 20 via ctx_area_nk and tr_cont', async () => {
    kit = await startSim({ holidays: ['20261130'] });
    const token = await tokenFor(kit.sim);
    const first = await call(kit.sim, PATHS.holiday, { token, trId: 'CTCA0903R', query: { BASS_DT: '20261121', CTX_AREA_NK: '', CTX_AREA_FK: '' } });
    expect(first.headers.get('tr_cont')).toBe('M');
    expect(first.json.output).toHaveLength(20);
    const byDate = Object.fromEntries((first.json.output as Record<string, string>[]).map((r) => [r.bass_dt, r]));
    expect(byDate['20261121']).toMatchObject({ wday_dvsn_cd: '07', opnd_yn: 'N', bzdy_yn: 'N' }); // Saturday
    expect(byDate['20261123']).toMatchObject({ wday_dvsn_cd: '02', opnd_yn: 'Y', tr_day_yn: 'Y', sttl_day_yn: 'Y' });
    expect(byDate['20261130']).toMatchObject({ opnd_yn: 'N' }); // the extra holiday
    const next = await call(kit.sim, PATHS.holiday, { token, trId: 'CTCA0903R', trCont: 'N', query: { BASS_DT: '20261121', CTX_AREA_NK: first.json.ctx_area_nk, CTX_AREA_FK: first.json.ctx_area_fk } });
    expect(next.headers.get('tr_cont')).toBe('D');
    expect(next.json.output).toHaveLength(10);
    expect(next.json.output[0].bass_dt).toBe('20261211');
    const sunday = (next.json.output as Record<string, string>[]).find((r) => r.bass_dt === '20261220');
    expect(sunday?.opnd_yn).toBe('N'); // Sunday
  });
});

describe('overseas price', () => {
  it('answers EXCD+SYMB with 4-decimal prices; an unknown pair gives empty fields', async () => {
    kit = await startSim({ rateLimitPerSec: 0 }, '2026-11-24 01:00:00'); // 11:00 ET on Monday
    const token = await tokenFor(kit.sim);
    const r = await call(kit.sim, PATHS.usPrice, { token, trId: 'HHDFS00000300', query: { AUTH: '', EXCD: 'NAS', SYMB: 'AAPL' } });
    const o = r.json.output;
    expect(o.rsym).toBe('DNASAAPL');
    expect(o.zdiv).toBe('4');
    expect(o.last).toMatch(/^\d+\.\d{4}$/);
    expect(Number(o.last)).toBeCloseTo(kit.sim.market.usQuote('AAPL', kit.clock.nowMs())?.price ?? 0, 4);
    expect(o.rate).toMatch(/^[+\- ]\d+\.\d{2}$/);
    expect(Number(o.tvol)).toBeGreaterThan(0);
    const wrong = await call(kit.sim, PATHS.usPrice, { token, trId: 'HHDFS00000300', query: { AUTH: '', EXCD: 'NYS', SYMB: 'AAPL' } });
    expect(wrong.json.rt_cd).toBe('0');
    expect(wrong.json.output.last).toBe('');
  });
});
