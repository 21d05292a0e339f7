// The research parsers on their own (pure): odd but documented shapes are read, bad rows become counted issues.
import { describe, expect, it } from 'vitest';
import { parseEstimatePerform, parseInvestOpinions, parseMinuteChart, parseNewsTitles } from '../../../src/kis/rest/index.js';

describe('parseMinuteChart', () => {
  it('drops a bar with an unreadable price (one issue) and blank filler rows (no issue)', () => {
    const bar = { stck_bsop_date: '20261123', stck_cntg_hour: '093000', stck_prpr: '71000', stck_oprc: '70900', stck_hgpr: '71100', stck_lwpr: '70800', cntg_vol: '1200', acml_tr_pbmn: '' };
    const r = parseMinuteChart({ output2: [bar, { ...bar, stck_cntg_hour: '092900', stck_prpr: 'n/a' }, { stck_bsop_date: '', stck_cntg_hour: '' }] });
    expect(r.value.bars).toEqual([{ date: '20261123', time: '093000', open: 70900, high: 71100, low: 70800, close: 71000, volume: 1200, accumulatedTurnover: null }]);
    expect(r.issues.map((i) => i.path)).toEqual(['output2[1].stck_prpr']);
  });
  it('an impossible time is an issue', () => {
    const r = parseMinuteChart({ output2: [{ stck_bsop_date: '20261123', stck_cntg_hour: '096100', stck_prpr: '1', stck_oprc: '1', stck_hgpr: '1', stck_lwpr: '1', cntg_vol: '1' }] });
    expect(r.value.bars).toEqual([]);
    expect(r.issues).toHaveLength(1);
  });
});

describe('parseNewsTitles', () => {
  it('reads output as a lone object too (the portal documents an object)', () => {
    const r = parseNewsTitles({ output: { cntt_usiq_srno: '2026112300011', news_ofer_entp_code: 'A', data_dt: '20261123', data_tm: '081500', hts_pbnt_titl_cntt: '제목', dorg: '매일경제', iscd1: '005930', iscd2: '000660' } });
    expect(r.value).toHaveLength(1);
    expect(r.value[0]!.codes).toEqual(['005930', '000660']);
  });
  it('a row without a title is dropped with an issue', () => {
    const r = parseNewsTitles({ output: [{ cntt_usiq_srno: '1', data_dt: '20261123', data_tm: '081500', hts_pbnt_titl_cntt: '' }] });
    expect(r.value).toEqual([]);
    expect(r.issues[0]!.path).toBe('output[0].hts_pbnt_titl_cntt');
  });
});

describe('parseInvestOpinions', () => {
  it('a blank target is null, a malformed date drops the row', () => {
    const r = parseInvestOpinions({ output: [{ stck_bsop_date: '20261120', mbcr_name: '키움증권', invt_opnn: 'Not Rated', hts_goal_prc: '' }, { stck_bsop_date: '2026-11-20', mbcr_name: 'x' }] });
    expect(r.value).toHaveLength(1);
    expect(r.value[0]).toMatchObject({ broker: '키움증권', opinion: 'Not Rated', targetPrice: null });
    expect(r.issues).toHaveLength(1);
  });
});

describe('parseEstimatePerform', () => {
  it('reads thousands separators; fewer periods than five are allowed', () => {
    const row = (v: string): Record<string, string> => ({ data1: v, data2: v });
    const r = parseEstimatePerform({ output1: { sht_cd: '005930', item_kor_nm: '삼성전자', estdate: 'x' }, output2: Array.from({ length: 6 }, () => row('3,048,945.0')), output3: Array.from({ length: 8 }, () => row('-1.5')), output4: [{ dt: '202412' }, { dt: '202512' }] });
    expect(r.value).toMatchObject({ estimateDate: null, periods: ['202412', '202512'] });
    expect(r.value!.income.revenue).toEqual([3048945, 3048945]);
    expect(r.value!.indicators.per).toEqual([-1.5, -1.5]);
    expect(r.issues).toEqual([]);
  });
  it('a non-numeric value is an issue but keeps the estimate', () => {
    const r = parseEstimatePerform({ output2: Array.from({ length: 6 }, () => ({ data1: 'N/A' })), output3: Array.from({ length: 8 }, () => ({ data1: '1' })), output4: [{ dt: '202412' }] });
    expect(r.value!.income.revenue).toEqual([null]);
    expect(r.issues).toHaveLength(6);
  });
});
