import { describe, expect, it } from 'vitest';
import { SymbolError, isDomesticCode, parseDomesticCode, parseOverseasSymbol, parseUsExchange, toQuoteExchange } from '../../../src/kis/symbols/index.js';

describe('domestic codes', () => {
  it('classifies common, preferred, new-style, ETN and SPAC codes', () => {
    expect(parseDomesticCode('005930')).toEqual({ code: '005930', apiCode: '005930', kind: 'common' });
    expect(parseDomesticCode('005935')).toEqual({ code: '005935', apiCode: '005935', kind: 'preferred', commonCode: '005930' });
    expect(parseDomesticCode('005387').kind).toBe('preferred');
    expect(parseDomesticCode('005389').commonCode).toBe('005380');
    expect(parseDomesticCode('0088M0')).toEqual({ code: '0088M0', apiCode: '0088M0', kind: 'alphanumeric' });
    expect(parseDomesticCode('Q500001')).toEqual({ code: '500001', apiCode: 'Q500001', kind: 'etn' });
    expect(parseDomesticCode('500001', { name: '신한 인버스 WTI원유 선물 ETN' })).toEqual({ code: '500001', apiCode: 'Q500001', kind: 'etn' });
    expect(parseDomesticCode('367480', { name: 'DB금융스팩12호' }).kind).toBe('spac');
    expect(parseDomesticCode('367480').kind).toBe('common'); // a code alone cannot tell a SPAC
    expect(parseDomesticCode(' 000660 ').code).toBe('000660');
    expect(parseDomesticCode('000661').kind).toBe('other');
  });

  it('rejects malformed codes with a message that says what was expected', () => {
    for (const bad of ['', '5930', '0059300', '0088m0', 'Q50001', 'QQ00001', '00-930', 'AAPL']) {
      expect(() => parseDomesticCode(bad), bad).toThrow(SymbolError);
      expect(isDomesticCode(bad)).toBe(false);
    }
    expect(() => parseDomesticCode('59300')).toThrow(/expected 6 digits .*0088M0.*Q500001/);
  });
});

describe('overseas symbols', () => {
  it('accepts 1-5 letters with optional class and maps the exchange', () => {
    expect(parseOverseasSymbol('AAPL', 'NAS')).toEqual({ symbol: 'AAPL', exchange: 'NAS', orderExchange: 'NASD' });
    expect(parseOverseasSymbol('BRK.B', 'NYS')).toEqual({ symbol: 'BRK.B', exchange: 'NYS', orderExchange: 'NYSE' });
    expect(parseOverseasSymbol('BRK/B', 'NYSE').orderExchange).toBe('NYSE');
    expect(parseOverseasSymbol('F', 'AMS').orderExchange).toBe('AMEX');
    expect(parseUsExchange('AMEX')).toBe('AMS');
    expect(toQuoteExchange('NASD')).toBe('NAS');
  });
  it('rejects bad symbols and exchanges clearly', () => {
    expect(() => parseOverseasSymbol('TOOLONG', 'NAS')).toThrow(/1-5 uppercase letters/);
    expect(() => parseOverseasSymbol('aapl', 'NAS')).toThrow(SymbolError);
    expect(() => parseOverseasSymbol('AAPL', 'HKS')).toThrow(/NAS, NYS or AMS/);
  });
});
