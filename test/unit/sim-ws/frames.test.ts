import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import {
  controlReplyFrame,
  dataFrame,
  decryptPayload,
  encryptedDataFrame,
  encryptPayload,
  executionNoticeRecord,
  EXECUTION_NOTICE_FIELD_NAMES,
  garbageFrames,
  H0STASP0_FIELD_COUNT,
  H0STCNI0_FIELD_COUNT,
  H0STCNT0_FIELD_COUNT,
  HDFSCNT0_FIELD_COUNT,
  krBookRecord,
  krTickRecord,
  newCipherKeys,
  pingPongFrame,
  usTickRecord,
} from '../../../src/sim/ws/frames.js';
import { krSignCode } from '../../../src/sim/ws/kr-records.js';
import { parseOverseasTrKey } from '../../../src/sim/ws/us-records.js';
import { FakeMarket } from './fakes.js';

const market = new FakeMarket();
const AT_1005 = kstInstant('2026-11-23 10:05:07');

describe('control replies', () => {
  it('OPSP0000 carries iv/key and the encrypt flag', () => {
    const keys = newCipherKeys();
    const reply = JSON.parse(controlReplyFrame({ code: 'OPSP0000', trId: 'H0STCNI0', trKey: 'hts1', encrypted: true, output: keys }));
    expect(reply).toEqual({
      header: { tr_id: 'H0STCNI0', tr_key: 'hts1', encrypt: 'Y' },
      body: { rt_cd: '0', msg_cd: 'OPSP0000', msg1: 'SUBSCRIBE SUCCESS', output: { iv: keys.iv, key: keys.key } },
    });
    expect(keys.key).toMatch(/^[a-z]{32}$/);
    expect(keys.iv).toMatch(/^[a-z]{16}$/);
  });

  it.each([
    ['OPSP0001', '0', 'UNSUBSCRIBE SUCCESS'],
    ['OPSP0002', '1', 'ALREADY IN SUBSCRIBE'],
    ['OPSP0003', '1', 'UNSUBSCRIBE ERROR(not found!)'],
    ['OPSP0008', '1', 'MAX SUBSCRIBE OVER'],
    ['OPSP8996', '9', 'ALREADY IN USE appkey'],
  ] as const)('%s has rt_cd %s and msg1 %s, no output', (code, rtCd, msg1) => {
    const reply = JSON.parse(controlReplyFrame({ code, trId: 'H0STCNT0', trKey: '005930' }));
    expect(reply.body).toEqual({ rt_cd: rtCd, msg_cd: code, msg1 });
    expect(reply.header.encrypt).toBe('N');
  });

  it('PINGPONG carries KST datetime', () => {
    expect(JSON.parse(pingPongFrame(AT_1005))).toEqual({ header: { tr_id: 'PINGPONG', datetime: '20261123100507' } });
  });
});

describe('data frames', () => {
  it('packs N records with ^ and a 3-digit count', () => {
    const q = market.krQuote('005930', AT_1005)!;
    const records = [krTickRecord(q, AT_1005), krTickRecord(q, AT_1005 + 1000), krTickRecord(q, AT_1005 + 2000)];
    const frame = dataFrame('H0STCNT0', records);
    const [enc, trId, count, payload] = frame.split('|');
    expect([enc, trId, count]).toEqual(['0', 'H0STCNT0', '003']);
    const fields = payload!.split('^');
    expect(fields).toHaveLength(3 * H0STCNT0_FIELD_COUNT);
    expect(fields[H0STCNT0_FIELD_COUNT]).toBe('005930'); // second record starts right after the first
  });

  it('rejects empty batches and fields containing separators', () => {
    expect(() => dataFrame('H0STCNT0', [])).toThrow(RangeError);
    expect(() => dataFrame('H0STCNT0', [['a^b']])).toThrow(/separator/);
    expect(() => dataFrame('H0STCNT0', [['a|b']])).toThrow(/separator/);
  });

  it('encrypts with AES-256-CBC using the UTF-8 bytes of key/iv (independent decipher agrees)', () => {
    const keys = newCipherKeys();
    const frame = encryptedDataFrame('H0STCNI0', [['a', 'b', '한글']], keys);
    const [enc, trId, count, b64] = frame.split('|');
    expect([enc, trId, count]).toEqual(['1', 'H0STCNI0', '001']);
    const d = createDecipheriv('aes-256-cbc', Buffer.from(keys.key), Buffer.from(keys.iv));
    expect(Buffer.concat([d.update(Buffer.from(b64!, 'base64')), d.final()]).toString('utf8')).toBe('a^b^한글');
    expect(decryptPayload(encryptPayload('x^y', keys), keys)).toBe('x^y');
  });

  it('garbage frames cycle and never look like a valid frame with the right field count', () => {
    const frames = garbageFrames(12);
    expect(frames).toHaveLength(12);
    expect(frames[9]).toEqual(frames[0]);
  });
});

describe('domestic records', () => {
  it('H0STCNT0 has 46 fields in KIS order', () => {
    const q = market.krQuote('005930', AT_1005)!;
    const r = krTickRecord(q, AT_1005, 42);
    expect(r).toHaveLength(H0STCNT0_FIELD_COUNT);
    expect(r[0]).toBe('005930');
    expect(r[1]).toBe('100507');
    expect(r[2]).toBe(String(q.price));
    expect(r[4]).toBe(String(q.price - q.prevClose));
    expect(r[12]).toBe('42');
    expect(r[13]).toBe(String(q.volume));
    expect(r[33]).toBe('20261123');
    expect(r[34]).toBe('20'); // in session
    expect(r[43]).toBe('0');
    for (const f of r) expect(f).not.toMatch(/[\^|]/);
  });

  it('signed change and sign codes', () => {
    expect(krSignCode(130, 100, 130, 70)).toBe('1');
    expect(krSignCode(101, 100, 130, 70)).toBe('2');
    expect(krSignCode(100, 100, 130, 70)).toBe('3');
    expect(krSignCode(70, 100, 130, 70)).toBe('4');
    expect(krSignCode(99, 100, 130, 70)).toBe('5');
    const q = { ...market.krQuote('005930', AT_1005)!, price: 70_500, prevClose: 71_000 };
    const r = krTickRecord(q, AT_1005);
    expect(r[3]).toBe('5');
    expect(r[4]).toBe('-500');
    expect(r[5]).toBe('-0.70');
  });

  it('H0STASP0 has 59 fields with 10 levels one tick apart', () => {
    const q = market.krQuote('000660', AT_1005)!;
    const r = krBookRecord(q, AT_1005);
    expect(r).toHaveLength(H0STASP0_FIELD_COUNT);
    expect(r[3]).toBe(String(q.askPrice1));
    expect(r[4]).toBe(String(q.askPrice1 + q.tick));
    expect(r[13]).toBe(String(q.bidPrice1));
    expect(r[22]).toBe(String(q.bidPrice1 - 9 * q.tick));
    const askQty = r.slice(23, 33).map(Number);
    expect(r[43]).toBe(String(askQty.reduce((a, b) => a + b, 0)));
    expect(r[53]).toBe(String(q.volume));
  });

  it('book levels past the price limit are zero', () => {
    const q = { ...market.krQuote('005930', AT_1005)!, askPrice1: 92_250, upperLimit: 92_300, tick: 50 };
    const r = krBookRecord(q, AT_1005);
    expect(r[3]).toBe('92250');
    expect(r[4]).toBe('92300');
    expect(r[5]).toBe('0');
    expect(r[25]).toBe('0'); // ASKP_RSQN3
  });
});

describe('overseas and notice records', () => {
  it('HDFSCNT0 has 26 fields starting with RSYM', () => {
    const q = market.usQuote('AAPL', AT_1005)!;
    const r = usTickRecord(q, 'DNASAAPL', AT_1005);
    expect(r).toHaveLength(HDFSCNT0_FIELD_COUNT);
    expect(r.slice(0, 3)).toEqual(['DNASAAPL', 'AAPL', '4']);
    expect(r[4]).toBe('20261122'); // 10:05 KST = 20:05 previous day in New York (EST)
    expect(r[5]).toBe('200507');
    expect(r[6]).toBe('20261123');
    expect(r[11]).toBe(q.price.toFixed(4));
    expect(r[25]).toBe('3'); // after-market
  });

  it('parses overseas tr_keys', () => {
    expect(parseOverseasTrKey('DNASAAPL')).toEqual({ realtime: false, exchange: 'NAS', symbol: 'AAPL' });
    expect(parseOverseasTrKey('RBAQAAPL')).toEqual({ realtime: true, exchange: 'BAQ', symbol: 'AAPL' });
    expect(parseOverseasTrKey('AAPL')).toBeUndefined();
  });

  it('execution notice has 26 fields with defaults and overrides', () => {
    const r = executionNoticeRecord(
      { ODER_NO: '0000117057', SELN_BYOV_CLS: '02', STCK_SHRN_ISCD: '005930', CNTG_YN: '2', CNTG_QTY: '10', CNTG_UNPR: '71000', ACPT_YN: '2' },
      { htsId: 'htsuserA', accountNo: '50000000-01', stockName: '삼성전자', nowMs: AT_1005 },
    );
    expect(r).toHaveLength(H0STCNI0_FIELD_COUNT);
    const byName = Object.fromEntries(EXECUTION_NOTICE_FIELD_NAMES.map((n, i) => [n, r[i]]));
    expect(byName).toMatchObject({
      CUST_ID: 'htsuserA',
      ACNT_NO: '5000000001',
      ODER_NO: '0000117057',
      SELN_BYOV_CLS: '02',
      STCK_SHRN_ISCD: '005930',
      CNTG_QTY: '10',
      CNTG_UNPR: '71000',
      STCK_CNTG_HOUR: '100507',
      CNTG_YN: '2',
      ODER_QTY: '10',
      CNTG_ISNM40: '삼성전자',
      ODER_PRC: '71000',
    });
    expect(() =>
      executionNoticeRecord(
        { ODER_NO: '1^2', SELN_BYOV_CLS: '02', STCK_SHRN_ISCD: '005930', CNTG_YN: '2', CNTG_QTY: '1', CNTG_UNPR: '1' },
        { htsId: 'h', nowMs: AT_1005 },
      ),
    ).toThrow(/separator/);
  });
});
