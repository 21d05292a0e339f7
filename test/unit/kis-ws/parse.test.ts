// Parser tests from the recorded frames in test/fixtures/ws-frames (ws lib/receiver style: bytes in, events out).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParseStats, parseFrame, type ParseStats } from '../../../src/kis/ws/parse.js';
import type { KrBook, KrExecutionNotice, KrTick, MalformedReason, ParseResult, UsTick } from '../../../src/kis/ws/events.js';
import { KR_TICK_FIELDS, toNamedRecord } from '../../../src/kis/ws/wire.js';
import { encryptNoticePayload, type NoticeCipherKey } from '../../../src/kis/ws/cipher.js';

const DIR = join(import.meta.dirname, '../../fixtures/ws-frames');
const frame = (name: string): string => readFileSync(join(DIR, name), 'utf8').replace(/\n$/, '');
const noticeKeys = new Map<string, NoticeCipherKey>(Object.entries(JSON.parse(frame('notice-keys.json')) as Record<string, NoticeCipherKey>));

function data(result: ParseResult) {
  if (result.kind !== 'data') throw new Error(`expected data, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseFrame: data frames', () => {
  it('decodes a single H0STCNT0 tick with numbers as numbers', () => {
    const stats = createParseStats();
    const r = data(parseFrame(frame('h0stcnt0-single.txt'), stats, { receivedAtMs: 1234 }));
    expect(r.trId).toBe('H0STCNT0');
    expect(r.events).toHaveLength(1);
    const t = r.events[0] as KrTick;
    expect(t).toMatchObject({
      kind: 'kr-tick', code: '005930', time: '093015', price: 73100, sign: 2, change: 600, changeRate: 0.83,
      vwap: 72990.56, open: 72500, high: 73400, low: 72300, ask1: 73200, bid1: 73100, tradeVolume: 12,
      accVolume: 8935097, accTurnover: 8935097 * 73100, side: 1, strength: 125.67, businessDate: '20261123',
      sessionCode: '20', halted: false, askQty1: 123396, bidQty1: 246452, totalAskQty: 1658645,
      totalBidQty: 2378097, hourClass: '0', viStandardPrice: 0, receivedAtMs: 1234,
    });
    expect(t.fields).toBeUndefined();
    expect(stats).toMatchObject({ frames: 1, dataFrames: 1, records: 1, malformedFrames: 0 });
  });

  it('keeps the raw fields on request, named by the 46-field table', () => {
    const r = data(parseFrame(frame('h0stcnt0-single.txt'), createParseStats(), { keepFields: true }));
    const fields = r.events[0]!.fields!;
    expect(fields).toHaveLength(46);
    expect(KR_TICK_FIELDS).toHaveLength(46);
    const named = toNamedRecord('H0STCNT0', fields);
    expect(named.MKSC_SHRN_ISCD).toBe('005930');
    expect(named.BSOP_DATE).toBe('20261123');
    expect(named.CCLD_DVSN).toBe('1');
    expect(named.VI_STND_PRC).toBe('0');
  });

  it('chunks a 4-record H0STCNT0 frame by the field count', () => {
    const stats = createParseStats();
    const r = data(parseFrame(frame('h0stcnt0-multi.txt'), stats));
    expect(r.events.map((e) => [(e as KrTick).code, (e as KrTick).price, (e as KrTick).accVolume])).toEqual([
      ['005930', 73100, 8935097],
      ['005930', 73000, 8935102],
      ['000660', 185500, 1203300],
      ['035420', 214000, 300112],
    ]);
    expect(stats.records).toBe(4);
  });

  it('decodes H0STASP0 books (59 fields), single and multi-record', () => {
    const one = data(parseFrame(frame('h0stasp0-single.txt'), createParseStats())).events[0] as KrBook;
    expect(one.kind).toBe('kr-book');
    expect(one.code).toBe('005930');
    expect(one.askPrices).toEqual([73200, 73300, 73400, 73500, 73600, 73700, 73800, 73900, 74000, 74100]);
    expect(one.bidPrices[0]).toBe(73100);
    expect(one.bidPrices[9]).toBe(72200);
    expect(one.askQtys[1]).toBe(1037);
    expect(one.bidQtys[9]).toBe(2369);
    expect(one).toMatchObject({ totalAskQty: 134567, totalBidQty: 245678, expectedPrice: 0, accVolume: 8935097 });
    const two = data(parseFrame(frame('h0stasp0-multi.txt'), createParseStats())).events as KrBook[];
    expect(two.map((b) => [b.code, b.bidPrices[0]])).toEqual([['005930', 73100], ['000660', 185500]]);
  });

  it('decodes HDFSCNT0 starting with RSYM (not the off-by-one OTA os_ws.py list)', () => {
    const t = data(parseFrame(frame('hdfscnt0-single.txt'), createParseStats())).events[0] as UsTick;
    expect(t).toMatchObject({
      kind: 'us-tick', rsym: 'DNASAAPL', symbol: 'AAPL', decimals: 4, localDate: '20261123', localTime: '093015',
      kstDate: '20261123', kstTime: '233015', open: 187.12, high: 189, low: 186.5, last: 188.995, sign: 2,
      change: 1.23, changeRate: 0.66, bid: 188.99, ask: 189.01, bidQty: 300, askQty: 500, tradeVolume: 100,
      accVolume: 24120455, accTurnover: 4562110034, sellTradeVolume: 1200, buyTradeVolume: 1500, strength: 118.37,
      marketType: '1',
    });
    const multi = data(parseFrame(frame('hdfscnt0-multi.txt'), createParseStats())).events as UsTick[];
    expect(multi.map((e) => [e.rsym, e.last])).toEqual([['DNASAAPL', 188.995], ['DNASTSLA', 251.04], ['DNYSIBM', 210.5]]);
  });

  it('decrypts H0STCNI0 / H0STCNI9 notices with the key/iv from the subscribe reply', () => {
    const fill = data(parseFrame(frame('h0stcni0-fill-encrypted.txt'), createParseStats(), { keys: noticeKeys })).events[0] as KrExecutionNotice;
    expect(fill).toMatchObject({
      kind: 'kr-notice', trId: 'H0STCNI0', htsId: 'kisd0001', orderNo: '0000117057', sideCode: '02', correctionCode: '0',
      code: '005930', qty: 10, price: 73100, time: '093015', rejected: false, isFill: true, acceptCode: '2',
      orderQty: 10, name: '삼성전자', exchangeCode: '1', orderPrice: 73100,
    });
    const ack = data(parseFrame(frame('h0stcni9-ack-encrypted.txt'), createParseStats(), { keys: noticeKeys })).events[0] as KrExecutionNotice;
    expect(ack).toMatchObject({ trId: 'H0STCNI9', isFill: false, sideCode: '01', code: '000660', qty: 3, price: 185000, name: 'SK하이닉스' });
  });

  it('takes key/iv from a parsed subscribe reply and uses them', () => {
    const reply = parseFrame(frame('control-subscribe-notice.json'), createParseStats());
    if (reply.kind !== 'control') throw new Error('not control');
    const keys = new Map([[reply.control.trId, { key: reply.control.key!, iv: reply.control.iv! }]]);
    const r = data(parseFrame(frame('h0stcni0-fill-encrypted.txt'), createParseStats(), { keys }));
    expect((r.events[0] as KrExecutionNotice).orderNo).toBe('0000117057');
  });

  it('accepts extra trailing fields on a single record (schema grows at the end)', () => {
    const text = `${frame('h0stcnt0-single.txt')}^EXTRA1^EXTRA2`;
    const r = data(parseFrame(text, createParseStats()));
    expect((r.events[0] as KrTick).price).toBe(73100);
  });

  it('drops a bad record inside a multi-record frame but keeps the others', () => {
    const good = frame('h0stcnt0-single.txt').split('|')[3]!.split('^');
    const bad = [...good];
    bad[2] = '';
    const stats = createParseStats();
    const r = data(parseFrame(`0|H0STCNT0|002|${[...bad, ...good].join('^')}`, stats));
    expect(r.events).toHaveLength(1);
    expect(r.rejected).toBe(1);
    expect(stats.rejectedRecords).toBe(1);
    expect(stats.byReason['bad-record']).toBe(1);
  });

  it('round-trips a notice encrypted with a fresh key', () => {
    const key = { key: 'k'.repeat(32), iv: 'i'.repeat(16) };
    const plain = frame('h0stcnt0-single.txt').split('|')[3]!.split('^').slice(0, 26).join('^');
    const text = `1|H0STCNI9|001|${encryptNoticePayload(plain, key)}`;
    const r = data(parseFrame(text, createParseStats(), { keys: new Map([['H0STCNI9', key]]) }));
    expect(r.events[0]!.kind).toBe('kr-notice');
  });
});

describe('parseFrame: control frames', () => {
  const control = (name: string) => {
    const r = parseFrame(frame(name), createParseStats());
    if (r.kind !== 'control') throw new Error(`expected control from ${name}`);
    return r.control;
  };
  it('subscribe success carries key/iv', () => {
    expect(control('control-subscribe-success.json')).toEqual({
      trId: 'H0STCNT0', trKey: '005930', encrypt: false, rtCd: '0', msgCd: 'OPSP0000', msg1: 'SUBSCRIBE SUCCESS',
      key: 'qzpdkwmvbnrtyxlaoecjfghusiwenmkz', iv: 'b4c1a9d3e2f07a65',
    });
  });
  it.each([
    ['control-unsubscribe.json', 'OPSP0001', 'H0STCNT0', '0'],
    ['control-already-in-subscribe.json', 'OPSP0002', 'H0STCNT0', '1'],
    ['control-unsubscribe-not-found.json', 'OPSP0003', 'H0STASP0', '1'],
    ['control-max-subscribe-over.json', 'OPSP0008', 'H0STCNT0', '1'],
    ['control-invalid-approval.json', 'OPSP0011', 'H0STCNT0', '1'],
    ['control-already-in-use.json', 'OPSP8996', '(null)', '9'],
  ])('%s -> %s', (name, msgCd, trId, rtCd) => {
    const c = control(name);
    expect(c.msgCd).toBe(msgCd);
    expect(c.trId).toBe(trId);
    expect(c.rtCd).toBe(rtCd);
    expect(c.key).toBeUndefined();
  });
  it('PINGPONG is reported with its exact text (to echo)', () => {
    const stats = createParseStats();
    const r = parseFrame(frame('pingpong.json'), stats);
    expect(r).toEqual({ kind: 'pingpong', text: frame('pingpong.json') });
    expect(stats.pingpongs).toBe(1);
  });
});

describe('parseFrame: malformed frames are counted, never thrown', () => {
  const files = readdirSync(join(DIR, 'malformed')).filter((f) => f.endsWith('.txt'));
  const reasonOf = (file: string): MalformedReason => {
    const reasons: MalformedReason[] = ['empty', 'bad-frame', 'bad-count', 'field-count', 'short-record', 'bad-record', 'unknown-tr', 'no-key', 'bad-base64', 'decrypt-failed', 'bad-json', 'bad-control'];
    const found = reasons.filter((r) => file.startsWith(r)).sort((a, b) => b.length - a.length)[0];
    if (!found) throw new Error(`fixture ${file} names no reason`);
    return found;
  };

  it('has a fixture for every reason', () => {
    expect(new Set(files.map(reasonOf)).size).toBe(12);
  });

  it.each(files)('%s', (file) => {
    const stats: ParseStats = createParseStats();
    const keys = file === 'no-key.txt' ? undefined : noticeKeys;
    const r = parseFrame(readFileSync(join(DIR, 'malformed', file), 'utf8'), stats, { keys });
    expect(r.kind).toBe('malformed');
    if (r.kind !== 'malformed') return;
    expect(r.reason).toBe(reasonOf(file));
    expect(stats.malformedFrames).toBe(1);
    expect(stats.byReason[reasonOf(file)]).toBe(1);
    expect(stats.records).toBe(0);
  });

  it('a notice encrypted with another key fails to decrypt', () => {
    const stats = createParseStats();
    const r = parseFrame(frame('h0stcni0-wrong-key.txt'), stats, { keys: noticeKeys });
    expect(r).toMatchObject({ kind: 'malformed', reason: 'decrypt-failed' });
  });

  it('survives random garbage without throwing', () => {
    const stats = createParseStats();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = '01|^{}":H0STCNT0abc\u00ff\n';
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rnd() * 60);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      if (i % 3 === 0) s = `0|H0STCNT0|001|${s}`;
      parseFrame(s, stats, { keys: noticeKeys });
    }
    expect(stats.frames).toBe(2000);
    expect(stats.malformedFrames + stats.dataFrames + stats.controls + stats.pingpongs).toBe(2000);
  });
});

describe('number parsing', () => {
  it('matches Number() on decimals, signs and rejects junk', () => {
    const values = ['0', '-0.37', '+600', '187.1200', '0.0001', '123456789012345', '1234567890123456789', '72990.56', '.5'];
    const rec = frame('h0stcnt0-single.txt').split('|')[3]!.split('^');
    for (const v of values) {
      rec[4] = v;
      const t = data(parseFrame(`0|H0STCNT0|001|${rec.join('^')}`, createParseStats())).events[0] as KrTick;
      expect(t.change).toBe(Number(v));
    }
    for (const junk of ['', '-', '1e5', '12a', '1.2.3', ' 5']) {
      rec[4] = junk;
      const t = data(parseFrame(`0|H0STCNT0|001|${rec.join('^')}`, createParseStats())).events[0] as KrTick;
      expect(t.change).toBeNaN();
    }
  });
});
