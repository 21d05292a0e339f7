// Pure parse functions fed recorded-style payloads (written from the fact sheet's field lists).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseBalancePage,
  parseDailyCcldPage,
  parseDailyChart,
  parseHolidays,
  parseInquirePrice,
  parseInvestor,
  parseOrderAck,
  parseOverseasPrice,
} from '../../../src/kis/rest/index.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('domestic quotes', () => {
  it('inquire-price maps output to camelCase numbers', () => {
    const { value, issues } = parseInquirePrice(fixture('inquire-price'));
    expect(issues).toEqual([]);
    expect(value).toEqual({
      price: 71000, change: -500, changeSign: '5', changeRatePct: -0.7, open: 71500, high: 71800, low: 70700,
      volume: 13876543, turnover: 985432100000, basePrice: 71500, upperLimit: 92900, lowerLimit: 50100,
      per: 14.35, pbr: 1.32, marketCap: 4238512, tickSize: 100, high52w: 88800, low52w: 49900,
    });
  });

  it('inquire-price with a malformed required field yields no value and an issue, not a throw', () => {
    const body = fixture('inquire-price');
    (body['output'] as Record<string, unknown>)['stck_prpr'] = 'N/A';
    (body['output'] as Record<string, unknown>)['per'] = '--';
    const { value, issues } = parseInquirePrice(body);
    expect(value).toBeUndefined();
    expect(issues.map((i) => i.path)).toEqual(['output.stck_prpr']);
  });

  it('an optional malformed field becomes null with an issue', () => {
    const body = fixture('inquire-price');
    (body['output'] as Record<string, unknown>)['per'] = '--';
    const { value, issues } = parseInquirePrice(body);
    expect(value?.per).toBeNull();
    expect(issues).toEqual([{ path: 'output.per', raw: '--', expected: 'a number or blank' }]);
  });

  it('missing output is an issue', () => {
    expect(parseInquirePrice({ rt_cd: '0' })).toEqual({ value: undefined, issues: [{ path: 'output', raw: 'undefined', expected: 'an object' }] });
  });

  it('daily chart: bars newest first, blank filler dropped silently, a malformed row dropped with an issue', () => {
    const { value, issues } = parseDailyChart(fixture('daily-chart'));
    expect(value.name).toBe('삼성전자');
    expect(value.bars.map((b) => b.date)).toEqual(['20261120', '20261119']);
    expect(value.bars[0]).toEqual({ date: '20261120', open: 71500, high: 71800, low: 70700, close: 71000, volume: 13876543, turnover: 985432100000, change: -500, changeSign: '5', modified: false });
    expect(issues).toEqual([{ path: 'output2[2].stck_oprc', raw: '7O500', expected: 'a number' }]);
  });

  it('investor: today before the close has null flows', () => {
    const { value, issues } = parseInvestor(fixture('investor'));
    expect(issues).toEqual([]);
    expect(value[0]).toMatchObject({ date: '20261123', close: 71000, foreignNetQty: null });
    expect(value[1]).toMatchObject({ individualNetQty: 1234567, foreignNetQty: -2345678, institutionNetQty: 1000111, foreignNetAmount: -167890 });
  });
});

describe('overseas price', () => {
  it('maps the output', () => {
    const { value, issues } = parseOverseasPrice(fixture('overseas-price'));
    expect(issues).toEqual([]);
    expect(value).toEqual({ realtimeSymbol: 'DNASAAPL', last: 191.24, prevClose: 189.71, change: 1.53, changeSign: '2', changeRatePct: 0.81, volume: 48765432, turnover: 9312345678, prevVolume: 51234567, decimals: 4, orderable: true });
  });
  it('blank last (unknown symbol) yields no value', () => {
    const { value, issues } = parseOverseasPrice({ rt_cd: '0', output: { rsym: '', last: '', base: '' } });
    expect(value).toBeUndefined();
    expect(issues[0]?.path).toBe('output.last');
  });
});

describe('holidays', () => {
  it('maps Y/N flags; a row with a bad flag is dropped with an issue', () => {
    const { value, issues } = parseHolidays(fixture('chk-holiday'));
    expect(value).toEqual([
      { date: '20261123', weekdayCode: '02', businessDay: true, tradingDay: true, marketOpen: true, settlementDay: true },
      { date: '20261124', weekdayCode: '03', businessDay: true, tradingDay: true, marketOpen: true, settlementDay: true },
    ]);
    expect(issues).toEqual([{ path: 'output[2].opnd_yn', raw: 'X', expected: '"Y" or "N"' }]);
  });
});

describe('orders', () => {
  it('order ack keeps ODNO as a zero-padded string', () => {
    expect(parseOrderAck(fixture('order-cash'))).toEqual({
      value: { orgNo: '91252', orderNo: '0000117057', orderTime: '090102', msgCd: 'APBK0013', msg1: '주문 전송 완료 되었습니다.' },
      issues: [],
    });
  });
  it('an ack without ODNO yields no value', () => {
    expect(parseOrderAck({ rt_cd: '0', output: { ODNO: '' } }).value).toBeUndefined();
  });
});

describe('account', () => {
  it('balance: holdings with numbers, zero-qty rows kept, malformed row dropped, summary from output2[0]', () => {
    const { value, issues } = parseBalancePage(fixture('inquire-balance'));
    expect(value.holdings.map((h) => [h.code, h.qty])).toEqual([
      ['005930', 110],
      ['000660', 0],
    ]);
    expect(value.holdings[0]).toMatchObject({ name: '삼성전자', orderableQty: 100, avgPrice: 68123.4545, pnlRatePct: 4.22 });
    expect(value.summary).toEqual({ cash: 10000000, nextDayCash: 9500000, d2Cash: 9300000, stockEvalAmount: 8010000, totalEvalAmount: 17310000, netAssetAmount: 17310000, pnlTotal: 311420 });
    expect(issues).toEqual([{ path: 'output1[2].hldg_qty', raw: 'abc', expected: 'a number' }]);
  });

  it('daily-ccld: executions and totals', () => {
    const { value, issues } = parseDailyCcldPage(fixture('inquire-daily-ccld'));
    expect(issues).toEqual([]);
    expect(value.executions).toHaveLength(2);
    expect(value.executions[0]).toMatchObject({ orderNo: '0000117057', side: 'buy', code: '005930', orderQty: 10, filledQty: 10, avgFillPrice: 71000, cancelled: false, branchNo: '91252' });
    expect(value.executions[1]).toMatchObject({ side: 'sell', originalOrderNo: '0000117058', cancelled: true, ordDvsn: '01' });
    expect(value.totals).toEqual({ orderQty: 13, filledQty: 10, filledAmount: 710000, estimatedFees: 106 });
  });

  it('output1 that is not an array is an issue, not a crash', () => {
    const { value, issues } = parseBalancePage({ rt_cd: '0', output1: 'oops', output2: [] });
    expect(value).toEqual({ holdings: [], summary: undefined });
    expect(issues).toEqual([{ path: 'output1', raw: 'string', expected: 'an array' }]);
  });
});
