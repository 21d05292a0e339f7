// Endpoint functions through KisRestApi against the scripted server: the wire request they build and the
// domain values they return.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../helpers/fake-clock.js';
import { kisOk, type RecordedRequest, type ScriptReply } from '../../helpers/scripted-server.js';
import { KisRestApi, KisUnsupportedError, OrderOutcomeUnknownError, OrderInputError } from '../../../src/kis/rest/index.js';
import { SymbolError } from '../../../src/kis/symbols/index.js';
import { createRig, type Rig } from './client-setup.js';
import { TEST_CREDENTIALS, silentLogger } from './support.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function apiOn(script: Parameters<typeof createRig>[0], mode: 'real' | 'paper' = 'real'): Promise<{ api: KisRestApi; rig: Rig }> {
  rig = await createRig(script, { mode, backoffBaseMs: 10 });
  return { api: new KisRestApi(rig.client, { credentials: TEST_CREDENTIALS, log: silentLogger }), rig };
}

describe('quotes', () => {
  it('inquirePrice sends the ETN with its Q prefix and returns the parsed quote', async () => {
    const { api, rig: r } = await apiOn([{ json: fixture('inquire-price') }]);
    const q = await settle(r.clock, api.inquirePrice('Q500001'));
    expect(q.price).toBe(71000);
    const req = r.server.requests[0]!;
    expect(req.path).toBe('/uapi/domestic-stock/v1/quotations/inquire-price');
    expect(req.query).toEqual({ FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: 'Q500001' });
    expect(req.headers['tr_id']).toBe('FHKST01010100');
  });

  it('a bad code is refused before any request', async () => {
    const { api, rig: r } = await apiOn([]);
    await expect(api.inquirePrice('12345')).rejects.toBeInstanceOf(SymbolError);
    expect(r.server.requests).toHaveLength(0);
  });

  it('unparseable required fields raise KisMalformedReplyError and count a parse error', async () => {
    const { api, rig: r } = await apiOn([{ json: kisOk({ stck_prpr: '' }) }]);
    const counted: number[] = [];
    r.client.events.on('parse-error', (e) => counted.push(e.issues));
    const err = await settle(r.clock, api.inquirePrice('005930')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KIS_MALFORMED_REPLY' });
    expect(counted.length).toBe(1);
  });

  it('overseasPrice sends AUTH blank, EXCD and SYMB', async () => {
    const { api, rig: r } = await apiOn([{ json: fixture('overseas-price') }]);
    const q = await settle(r.clock, api.overseasPrice('NAS', 'AAPL'));
    expect(q.last).toBe(191.24);
    expect(r.server.requests[0]!.query).toEqual({ AUTH: '', EXCD: 'NAS', SYMB: 'AAPL' });
  });

  it('fetchDailyBars pages past 100 rows by moving the end date back', async () => {
    // Fake chart: one bar per calendar day in [FID_INPUT_DATE_1, FID_INPUT_DATE_2], newest first, max 100.
    const chart = (req: RecordedRequest): ScriptReply => {
      const from = req.query['FID_INPUT_DATE_1']!;
      const days: string[] = [];
      for (let d = new Date(`${req.query['FID_INPUT_DATE_2']!.replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3')}T00:00:00Z`); days.length < 100; d = new Date(d.getTime() - 86_400_000)) {
        const ymd = d.toISOString().slice(0, 10).replace(/-/g, '');
        if (ymd < from) break;
        days.push(ymd);
      }
      const output2 = days.map((ymd) => ({ stck_bsop_date: ymd, stck_oprc: '100', stck_hgpr: '110', stck_lwpr: '90', stck_clpr: '105', acml_vol: '1000', mod_yn: 'N' }));
      return { json: { ...kisOk(), output: undefined, output1: { hts_kor_isnm: '테스트' }, output2 } };
    };
    const { api, rig: r } = await apiOn([chart, chart, chart]);
    const bars = await settle(r.clock, api.fetchDailyBars('005930', '20260101', '20260520'));
    expect(bars).toHaveLength(140);
    expect(bars[0]!.date).toBe('20260101');
    expect(bars[139]!.date).toBe('20260520');
    expect(r.server.requests.map((q) => q.query['FID_INPUT_DATE_2'])).toEqual(['20260520', '20260209']);
    expect(r.server.requests[0]!.query).toMatchObject({ FID_PERIOD_DIV_CODE: 'D', FID_ORG_ADJ_PRC: '0', FID_INPUT_DATE_1: '20260101' });
  });
});

describe('orders', () => {
  const ACK = fixture('order-cash');

  it('orderCash sell: current tr_id, uppercase string body, SLL_TYPE 01', async () => {
    const { api, rig: r } = await apiOn([{ json: ACK }]);
    const ack = await settle(r.clock, api.orderCash({ side: 'sell', code: '005930', qty: 10, price: 71000 }));
    expect(ack).toMatchObject({ orgNo: '91252', orderNo: '0000117057', orderTime: '090102' });
    const req = r.server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['tr_id']).toBe('TTTC0011U');
    expect(req.json).toEqual({ CANO: '50001234', ACNT_PRDT_CD: '01', PDNO: '005930', ORD_DVSN: '00', ORD_QTY: '10', ORD_UNPR: '71000', SLL_TYPE: '01' });
  });

  it('orderCash market buy in paper mode: VTTC0012U and ORD_UNPR "0"', async () => {
    const { api, rig: r } = await apiOn([{ json: ACK }], 'paper');
    await settle(r.clock, api.orderCash({ side: 'buy', code: '005930', qty: 1, price: 70000, ordDvsn: '01' }));
    expect(r.server.requests[0]!.headers['tr_id']).toBe('VTTC0012U');
    expect(r.server.requests[0]!.json).toMatchObject({ ORD_DVSN: '01', ORD_UNPR: '0' });
  });

  it('rejects bad quantities before sending', async () => {
    const { api, rig: r } = await apiOn([]);
    await expect(api.orderCash({ side: 'buy', code: '005930', qty: 0, price: 1 })).rejects.toBeInstanceOf(OrderInputError);
    await expect(api.orderCash({ side: 'buy', code: '005930', qty: 1.5, price: 1 })).rejects.toBeInstanceOf(OrderInputError);
    expect(r.server.requests).toHaveLength(0);
  });

  it('orderCancel cancels all remaining by default; orderRevise sends 01 with the new price', async () => {
    const { api, rig: r } = await apiOn([{ json: ACK }, { json: ACK }]);
    await settle(r.clock, api.orderCancel({ orgNo: '91252', orderNo: '0000117057' }));
    await settle(r.clock, api.orderRevise({ orgNo: '91252', orderNo: '0000117057', qty: 5, price: 70500 }));
    const [cancel, revise] = r.server.requests;
    expect(cancel!.headers['tr_id']).toBe('TTTC0013U');
    expect(cancel!.json).toMatchObject({ KRX_FWDG_ORD_ORGNO: '91252', ORGN_ODNO: '0000117057', RVSE_CNCL_DVSN_CD: '02', ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y' });
    expect(revise!.json).toMatchObject({ RVSE_CNCL_DVSN_CD: '01', ORD_QTY: '5', ORD_UNPR: '70500', QTY_ALL_ORD_YN: 'N', ORD_DVSN: '00' });
  });

  it('overseasOrder paper sell uses VTTT1001U, the order exchange code and keeps the blank fields', async () => {
    const { api, rig: r } = await apiOn([{ json: ACK }], 'paper');
    await settle(r.clock, api.overseasOrder({ side: 'sell', symbol: 'AAPL', exchange: 'NAS', qty: 2, price: 191.25 }));
    const req = r.server.requests[0]!;
    expect(req.headers['tr_id']).toBe('VTTT1001U');
    expect(req.json).toEqual({
      CANO: '50001234', ACNT_PRDT_CD: '01', OVRS_EXCG_CD: 'NASD', PDNO: 'AAPL', ORD_QTY: '2', OVRS_ORD_UNPR: '191.25',
      CTAC_TLNO: '', MGCO_APTM_ODNO: '', SLL_TYPE: '00', ORD_SVR_DVSN_CD: '0', ORD_DVSN: '00',
    });
  });

  it('paper US orders other than 00 are refused locally', async () => {
    const { api } = await apiOn([], 'paper');
    await expect(api.overseasOrder({ side: 'buy', symbol: 'AAPL', exchange: 'NAS', qty: 1, price: 0, ordDvsn: '32' })).rejects.toBeInstanceOf(OrderInputError);
  });

  it('an accepted order whose reply has no ODNO is unresolved', async () => {
    const { api, rig: r } = await apiOn([{ json: kisOk({ KRX_FWDG_ORD_ORGNO: '91252', ODNO: '', ORD_TMD: '' }) }]);
    const sentAt = r.clock.nowMs();
    const err = await settle(r.clock, api.orderCash({ side: 'buy', code: '005930', qty: 1, price: 1, clientRef: 'c-1' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(err).toMatchObject({ clientRef: 'c-1', sentAtEpochMs: sentAt });
    expect(r.server.requests).toHaveLength(1);
  });
});

describe('account and calendar', () => {
  it('inquireBalance follows pages and concatenates holdings', async () => {
    const page1: Record<string, unknown> = { ...fixture('inquire-balance'), output2: [] };
    const { api, rig: r } = await apiOn([{ json: page1, headers: { tr_cont: 'M' } }, { json: fixture('inquire-balance'), headers: { tr_cont: 'D' } }]);
    const bal = await settle(r.clock, api.inquireBalance());
    expect(bal.pages).toBe(2);
    expect(bal.holdings).toHaveLength(4);
    expect(bal.summary?.cash).toBe(10000000);
    const [q1, q2] = r.server.requests;
    expect(q1!.query).toMatchObject({ OFL_YN: '', CTX_AREA_FK100: '', CTX_AREA_NK100: '', INQR_DVSN: '01', AFHR_FLPR_YN: 'N' });
    expect(q2!.headers['tr_cont']).toBe('N');
    expect(q2!.query['CTX_AREA_FK100']).toBe((page1['ctx_area_fk100'] as string));
  });

  it('inquireDailyCcld sends the blank fields it needs and parses executions', async () => {
    const { api, rig: r } = await apiOn([{ json: fixture('inquire-daily-ccld') }]);
    const res = await settle(r.clock, api.inquireDailyCcld({ fromYmd: '20261123', toYmd: '20261123' }));
    expect(res.executions.map((e) => e.orderNo)).toEqual(['0000117057', '0000117060']);
    expect(r.server.requests[0]!.headers['tr_id']).toBe('TTTC0081R');
    expect(r.server.requests[0]!.query).toMatchObject({ PDNO: '', ORD_GNO_BRNO: '', ODNO: '', INQR_DVSN_1: '', CTX_AREA_FK100: '', CTX_AREA_NK100: '', INQR_DVSN_3: '00' });
  });

  it('chkHoliday is real-only: paper mode refuses without a request', async () => {
    const { api, rig: r } = await apiOn([], 'paper');
    await expect(api.chkHoliday('20261123')).rejects.toBeInstanceOf(KisUnsupportedError);
    expect(r.server.requests).toHaveLength(0);
  });

  it('chkHoliday pages with CTX_AREA_FK/NK and merges dates', async () => {
    const more = fixture('chk-holiday');
    const last = { ...kisOk(), output: [{ bass_dt: '20261126', wday_dvsn_cd: '05', bzdy_yn: 'Y', tr_day_yn: 'Y', opnd_yn: 'Y', sttl_day_yn: 'Y' }] };
    const { api, rig: r } = await apiOn([{ json: more, headers: { tr_cont: 'F' } }, { json: last, headers: { tr_cont: 'E' } }]);
    const days = await settle(r.clock, api.chkHoliday('20261123'));
    expect(days.map((d) => d.date)).toEqual(['20261123', '20261124', '20261126']);
    expect(r.server.requests[1]!.query).toMatchObject({ BASS_DT: '20261123', CTX_AREA_FK: '20261123            ', CTX_AREA_NK: '20261125            ' });
  });
});
