// tr_id table and blank-field list (the backoff formula is tested once, in test/unit/core/retry.test.ts).
import { describe, expect, it } from 'vitest';
import { BLANK_FIELDS_BY_PATH, prepareParams } from '../../../src/kis/rest/blank-fields.js';
import { KIS_PATHS } from '../../../src/kis/rest/paths.js';
import { TR_IDS, resolveTrId } from '../../../src/kis/rest/tr-ids.js';
import { KisUnsupportedError } from '../../../src/kis/rest/errors.js';

describe('tr_id table', () => {
  it('quote TRs are identical on both hosts', () => {
    for (const name of ['domesticPrice', 'domesticDailyChart', 'domesticInvestor', 'overseasPrice'] as const) {
      expect(resolveTrId(name, 'paper')).toBe(resolveTrId(name, 'real'));
    }
  });
  it('US paper sell is VTTT1001U, not the swapped VTTT1006U', () => {
    expect(resolveTrId('overseasUsSell', 'real')).toBe('TTTT1006U');
    expect(resolveTrId('overseasUsSell', 'paper')).toBe('VTTT1001U');
    expect(resolveTrId('overseasUsBuy', 'paper')).toBe('VTTT1002U');
  });
  it('current and legacy domestic cash order ids', () => {
    expect([resolveTrId('orderCashSell', 'real'), resolveTrId('orderCashBuy', 'real')]).toEqual(['TTTC0011U', 'TTTC0012U']);
    expect([resolveTrId('orderCashSell', 'paper'), resolveTrId('orderCashBuy', 'paper')]).toEqual(['VTTC0011U', 'VTTC0012U']);
    expect([resolveTrId('orderCashSellLegacy', 'real'), resolveTrId('orderCashBuyLegacy', 'paper')]).toEqual(['TTTC0801U', 'VTTC0802U']);
    expect(resolveTrId('orderReviseCancel', 'paper')).toBe('VTTC0013U');
  });
  it('chk-holiday is real only', () => {
    expect(resolveTrId('chkHoliday', 'real')).toBe('CTCA0903R');
    expect(() => resolveTrId('chkHoliday', 'paper')).toThrow(KisUnsupportedError);
  });
  it('other paper order/account TRs follow the T→V swap', () => {
    for (const [name, pair] of Object.entries(TR_IDS)) {
      if (pair.paper === null || pair.real === pair.paper || name === 'overseasUsSell') continue;
      expect(pair.paper, name).toBe(`V${pair.real.slice(1)}`);
    }
  });
});


describe('blank fields', () => {
  it('the list covers the TRs the fact sheet names', () => {
    expect(BLANK_FIELDS_BY_PATH[KIS_PATHS.inquireBalance]).toEqual(['OFL_YN', 'CTX_AREA_FK100', 'CTX_AREA_NK100']);
    expect(BLANK_FIELDS_BY_PATH[KIS_PATHS.inquireDailyCcld]).toEqual(['PDNO', 'ORD_GNO_BRNO', 'ODNO', 'INQR_DVSN_1', 'CTX_AREA_FK100', 'CTX_AREA_NK100']);
    expect(BLANK_FIELDS_BY_PATH[KIS_PATHS.overseasPrice]).toEqual(['AUTH']);
    expect(BLANK_FIELDS_BY_PATH[KIS_PATHS.chkHoliday]).toEqual(['CTX_AREA_FK', 'CTX_AREA_NK']);
  });
  it('prepareParams keeps listed blanks, drops other blanks and nulls, stringifies numbers', () => {
    expect(prepareParams(KIS_PATHS.overseasPrice, { AUTH: '', EXCD: 'NAS', SYMB: 'AAPL', X: '' })).toEqual({ AUTH: '', EXCD: 'NAS', SYMB: 'AAPL' });
    expect(prepareParams(KIS_PATHS.inquirePrice, { AUTH: '', N: 5, Z: 0, U: undefined, V: null })).toEqual({ N: '5', Z: '0' });
  });
});
