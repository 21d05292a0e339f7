// The minute chart, news, opinion and estimate endpoints against the scripted server: the wire request they
// build, backwards paging, tr_cont continuation, and a success reply without its output block being a
// malformed reply (KIS_MALFORMED_REPLY), never "no data".
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../helpers/fake-clock.js';
import type { RecordedRequest, ScriptStep } from '../../helpers/scripted-server.js';
import { fetchMinuteBars, fetchNewsTitles, inquireEstimatePerform, inquireInvestOpinions, inquireNewsTitles, inquireTimeItemChart, type EndpointContext } from '../../../src/kis/rest/index.js';
import { createRig, type Rig } from './client-setup.js';
import { TEST_CREDENTIALS, silentLogger } from './support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function ctxOn(script: ScriptStep[]): Promise<{ ctx: EndpointContext; rig: Rig }> {
  rig = await createRig(script, { backoffBaseMs: 10 });
  const ctx: EndpointContext = { client: rig.client, account: { cano: TEST_CREDENTIALS.cano, acntPrdtCd: TEST_CREDENTIALS.acntPrdtCd }, log: silentLogger };
  return { ctx, rig };
}

const ok = (extra: Record<string, unknown>): Record<string, unknown> => ({ rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.', ...extra });
const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}00`;

/** A minute-chart server: one bar per minute 09:00..lastMinute (minutes since midnight), ≤30 per call, newest first. */
function minuteServer(lastMinute: number): (req: RecordedRequest) => { json: unknown } {
  return (req) => {
    const h = req.query['FID_INPUT_HOUR_1'] ?? '';
    const upTo = Math.min(lastMinute, Number(h.slice(0, 2)) * 60 + Number(h.slice(2, 4)));
    const rows = [];
    for (let m = upTo; m >= 9 * 60 && rows.length < 30; m--) rows.push({ stck_bsop_date: '20261123', stck_cntg_hour: hhmm(m), stck_prpr: String(70000 + m), stck_oprc: String(70000 + m), stck_hgpr: String(70100 + m), stck_lwpr: String(69900 + m), cntg_vol: '100', acml_tr_pbmn: '1000' });
    return { json: ok({ output1: { hts_kor_isnm: '삼성전자', stck_prpr: '71000', stck_prdy_clpr: '70000', acml_vol: '5000' }, output2: rows }) };
  };
}

describe('minute chart', () => {
  it('one call sends the documented fields (blank FID_ETC_CLS_CODE kept) and parses the bars', async () => {
    const { ctx, rig: r } = await ctxOn([minuteServer(10 * 60)]);
    const chart = await settle(r.clock, inquireTimeItemChart(ctx, '005930', '093000'));
    expect(r.server.requests[0]!.query).toEqual({ FID_ETC_CLS_CODE: '', FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: '005930', FID_INPUT_HOUR_1: '093000', FID_PW_DATA_INCU_YN: 'Y' });
    expect(r.server.requests[0]!.headers['tr_id']).toBe('FHKST03010200');
    expect(chart.bars).toHaveLength(30);
    expect(chart.bars[0]).toEqual({ date: '20261123', time: '093000', open: 70570, high: 70670, low: 70470, close: 70570, volume: 100, accumulatedTurnover: 1000 });
    expect(chart).toMatchObject({ name: '삼성전자', price: 71000, prevClose: 70000 });
  });

  it('fetchMinuteBars pages backwards from the end time, one minute before the oldest bar, oldest first', async () => {
    const step = minuteServer(10 * 60 + 15);
    const { ctx, rig: r } = await ctxOn([step, step, step, step]);
    const bars = await settle(r.clock, fetchMinuteBars(ctx, '005930', '090000', '101500'));
    expect(r.server.requests.map((q) => q.query['FID_INPUT_HOUR_1'])).toEqual(['101500', '094500', '091500']);
    expect(bars).toHaveLength(76);
    expect(bars[0]!.time).toBe('090000');
    expect(bars.at(-1)!.time).toBe('101500');
    expect(new Set(bars.map((b) => b.time)).size).toBe(76);
  });

  it('a range inside the day stops once the oldest bar reaches the start', async () => {
    const step = minuteServer(15 * 60);
    const { ctx, rig: r } = await ctxOn([step, step]);
    const bars = await settle(r.clock, fetchMinuteBars(ctx, '005930', '101000', '103900'));
    expect(bars.map((b) => b.time)).toEqual(Array.from({ length: 30 }, (_, i) => hhmm(10 * 60 + 10 + i)));
    expect(r.server.requests).toHaveLength(1);
  });

  it('rt_cd 0 without output2 is a malformed reply, not an empty chart', async () => {
    const { ctx, rig: r } = await ctxOn([{ json: ok({ output1: {} }) }]);
    const err = await settle(r.clock, inquireTimeItemChart(ctx, '005930', '093000')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_MALFORMED_REPLY' });
  });

  it('a bad time is refused before sending', async () => {
    const { ctx, rig: r } = await ctxOn([]);
    await expect(inquireTimeItemChart(ctx, '005930', '9300')).rejects.toThrow(RangeError);
    expect(r.server.requests).toHaveLength(0);
  });
});

describe('news titles', () => {
  const article = (id: string, ymd: string, hms: string): Record<string, string> => ({ cntt_usiq_srno: id, news_ofer_entp_code: '6', data_dt: ymd, data_tm: hms, hts_pbnt_titl_cntt: `제목 ${id}`, news_lrdv_code: '03', dorg: '연합뉴스', iscd1: '005930', iscd2: '', iscd3: '', iscd4: '', iscd5: '' });

  it('sends all eight fields (blanks kept), the date as 00YYYYMMDD, and parses related codes', async () => {
    const { ctx, rig: r } = await ctxOn([{ json: ok({ output: [article('A1', '20261123', '093000')] }) }]);
    const rows = await settle(r.clock, inquireNewsTitles(ctx, { code: '005930', beforeYmd: '20261123', beforeHms: '120000' }));
    expect(r.server.requests[0]!.query).toEqual({ FID_NEWS_OFER_ENTP_CODE: '', FID_COND_MRKT_CLS_CODE: '', FID_INPUT_ISCD: '005930', FID_TITL_CNTT: '', FID_INPUT_DATE_1: '0020261123', FID_INPUT_HOUR_1: '120000', FID_RANK_SORT_CLS_CODE: '', FID_INPUT_SRNO: '' });
    expect(rows).toEqual([{ id: 'A1', providerCode: '6', date: '20261123', time: '093000', title: '제목 A1', categoryCode: '03', source: '연합뉴스', codes: ['005930'] }]);
  });

  it('fetchNewsTitles pages back by the oldest headline (inclusive), de-duplicates, and stops at `since`', async () => {
    const pages: ScriptStep[] = [
      { json: ok({ output: [article('A3', '20261123', '100000'), article('A2', '20261122', '150000')] }) },
      { json: ok({ output: [article('A2', '20261122', '150000'), article('A1', '20261121', '090000'), article('A0', '20261119', '090000')] }) },
    ];
    const { ctx, rig: r } = await ctxOn(pages);
    const rows = await settle(r.clock, fetchNewsTitles(ctx, '005930', { since: '20261120000000' }));
    expect(rows.map((n) => n.id)).toEqual(['A1', 'A2', 'A3']);
    expect(r.server.requests.map((q) => [q.query['FID_INPUT_DATE_1'], q.query['FID_INPUT_HOUR_1']])).toEqual([['', ''], ['0020261122', '150000']]);
  });

  it('a reply without output is malformed; an empty output array is no headlines', async () => {
    const { ctx, rig: r } = await ctxOn([{ json: ok({}) }, { json: ok({ output: [] }) }]);
    await expect(settle(r.clock, inquireNewsTitles(ctx, { code: '005930' }))).rejects.toMatchObject({ code: 'KIS_MALFORMED_REPLY' });
    await expect(settle(r.clock, inquireNewsTitles(ctx, { code: '005930' }))).resolves.toEqual([]);
  });
});

describe('invest opinions', () => {
  const row = (d: string, broker: string): Record<string, string> => ({ stck_bsop_date: d, invt_opnn: 'BUY', invt_opnn_cls_code: '2', rgbf_invt_opnn: 'BUY', rgbf_invt_opnn_cls_code: '2', mbcr_name: broker, hts_goal_prc: '90000', stck_prdy_clpr: '70000', stck_nday_esdg: '20000', nday_dprt: '28.57', stft_esdg: '0', dprt: '28.57' });

  it('follows tr_cont M by resending the same query with tr_cont N, like the official sample', async () => {
    const { ctx, rig: r } = await ctxOn([
      { json: ok({ output: [row('20261120', '삼성증권')] }), headers: { tr_cont: 'M' } },
      { json: ok({ output: [row('20261002', 'KB증권'), { ...row('20260901', '미래에셋증권'), hts_goal_prc: '0' }] }), headers: { tr_cont: 'D' } },
    ]);
    const rows = await settle(r.clock, inquireInvestOpinions(ctx, '005930', '20260101', '20261123'));
    expect(rows.map((o) => o.broker)).toEqual(['삼성증권', 'KB증권', '미래에셋증권']);
    expect(rows[0]).toMatchObject({ date: '20261120', opinion: 'BUY', targetPrice: 90000, prevClose: 70000, gapRatePct: 28.57 });
    expect(rows[2]!.targetPrice).toBeNull();
    const [first, second] = r.server.requests;
    expect(first!.query).toEqual({ FID_COND_MRKT_DIV_CODE: 'J', FID_COND_SCR_DIV_CODE: '16633', FID_INPUT_ISCD: '005930', FID_INPUT_DATE_1: '20260101', FID_INPUT_DATE_2: '20261123' });
    expect(second!.query).toEqual(first!.query);
    expect([first!.headers['tr_cont'], second!.headers['tr_cont']]).toEqual(['', 'N']);
  });

  it('a reply without output is malformed', async () => {
    const { ctx, rig: r } = await ctxOn([{ json: ok({}) }]);
    await expect(settle(r.clock, inquireInvestOpinions(ctx, '005930', '20260101', '20261123'))).rejects.toMatchObject({ code: 'KIS_MALFORMED_REPLY' });
  });
});

describe('estimate perform', () => {
  const data = (n: number): Record<string, string> => ({ data1: String(n), data2: String(n + 1), data3: '', data4: String(n + 3), data5: String(n + 4) });
  const full = ok({
    output1: { sht_cd: 'A005930', item_kor_nm: '삼성전자', name1: '', name2: '', estdate: '20261116', rcmd_name: '매수', capital: '8975', forn_item_lmtrt: '100.00' },
    output2: [1, 2, 3, 4, 5, 6].map((n) => data(n * 10)),
    output3: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => data(n * 100)),
    output4: ['202412', '202512', '202612', '202712', '202812'].map((dt) => ({ dt })),
  });

  it('sends SHT_CD and maps the positional rows onto metrics and periods', async () => {
    const { ctx, rig: r } = await ctxOn([{ json: full }]);
    const est = await settle(r.clock, inquireEstimatePerform(ctx, '005930'));
    expect(r.server.requests[0]!.query).toEqual({ SHT_CD: '005930' });
    expect(r.server.requests[0]!.headers['tr_id']).toBe('HHKST668300C0');
    expect(est).toMatchObject({ code: '005930', name: '삼성전자', estimateDate: '20261116', periods: ['202412', '202512', '202612', '202712', '202812'] });
    expect(est!.income.revenue).toEqual([10, 11, null, 13, 14]);
    expect(est!.income.netIncomeGrowthPct).toEqual([60, 61, null, 63, 64]);
    expect(est!.indicators.interestCoverage).toEqual([800, 801, null, 803, 804]);
  });

  it('empty blocks are "no estimate" (null); a block missing or a short block is malformed', async () => {
    const { ctx, rig: r } = await ctxOn([
      { json: ok({ output1: {}, output2: [], output3: [], output4: [] }) },
      { json: ok({ output1: {}, output2: [], output3: [] }) },
      { json: { ...full, output3: [data(1)] } },
    ]);
    await expect(settle(r.clock, inquireEstimatePerform(ctx, '005930'))).resolves.toBeNull();
    await expect(settle(r.clock, inquireEstimatePerform(ctx, '005930'))).rejects.toMatchObject({ code: 'KIS_MALFORMED_REPLY' });
    await expect(settle(r.clock, inquireEstimatePerform(ctx, '005930'))).rejects.toMatchObject({ code: 'KIS_MALFORMED_REPLY' });
  });
});
