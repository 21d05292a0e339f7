// The synthetic market: universe composition and code kinds, KRX tick sizes and limits, determinism for a seed,
// quote invariants, and the agreement of daily bars with intraday quotes.
import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { isOnTick, krPriceLimits, krTickSize, roundToTick, SyntheticMarket, TradingCalendar } from '../../../src/sim/index.js';

const market = new SyntheticMarket({ seed: 1 });
const at = (s: string) => kstInstant(s);

describe('universe', () => {
  const kr = market.universe.kr;
  it('has about 2,800 unique KR codes and about 100 US symbols', () => {
    expect(kr.length).toBe(2800);
    expect(new Set(kr.map((s) => s.code)).size).toBe(kr.length);
    expect(market.krCodes()).toHaveLength(2800);
    expect(market.usSymbols().length).toBeGreaterThanOrEqual(100);
    expect(market.usSymbols().find((s) => s.symbol === 'SPY')?.exchange).toBe('AMS');
    expect(new Set(market.usSymbols().map((s) => s.exchange))).toEqual(new Set(['NAS', 'NYS', 'AMS']));
  });

  it('includes real listings and every code kind in its KRX form', () => {
    expect(market.krSymbol('005930')?.name).toBe('삼성전자');
    expect(market.krSymbol('005935')).toMatchObject({ name: '삼성전자우', kind: 'preferred' });
    expect(market.krSymbol('000660')?.kind).toBe('stock');
    for (const s of kr) {
      expect(s.code).toMatch(/^[0-9A-Z]{6}$/);
      if (s.kind === 'preferred') {
        expect(s.code).toMatch(/[579]$/);
        expect(market.krSymbol(`${s.code.slice(0, 5)}0`)?.kind).toBe('stock');
      }
      if (s.kind === 'spac') {
        expect(s.code).toMatch(/^\d{6}$/);
        expect(s.name).toContain('스팩');
      }
      if (s.kind === 'etn') expect(s.requestCode).toBe(`Q${s.code}`);
      else expect(s.requestCode).toBe(s.code);
    }
    const alnum = kr.filter((s) => /[A-Z]/.test(s.code));
    expect(alnum.length).toBeGreaterThan(30);
    for (const s of alnum) expect(s.code).toMatch(/^00\d{2}[A-Z]0$/);
    const kinds = new Set(kr.map((s) => s.kind));
    expect(kinds).toEqual(new Set(['stock', 'preferred', 'spac', 'etf', 'etn']));
  });

  it('is the same for every market seed', () => {
    expect(new SyntheticMarket({ seed: 99 }).krCodes()).toEqual(market.krCodes());
  });

  it('lists every code as requests must carry it (the daemon screens these): ETNs with their Q prefix', () => {
    const codes = market.krRequestCodes();
    expect(codes).toHaveLength(market.krCodes().length);
    expect(codes.filter((c) => c.startsWith('Q')).length).toBeGreaterThan(50);
    expect(codes.filter((c) => market.krSymbolForRequest(c) === undefined)).toEqual([]);
  });

  it('resolves ETNs by the Q form for requests only', () => {
    const etn = kr.find((s) => s.kind === 'etn')!;
    expect(market.krSymbolForRequest(etn.requestCode)?.code).toBe(etn.code);
    expect(market.krSymbolForRequest(etn.code)).toBeUndefined();
    expect(market.krSymbol(etn.requestCode)?.code).toBe(etn.code);
    expect(market.krSymbol('Q005930')).toBeUndefined();
  });
});

describe('KRX price grid', () => {
  it('uses the 2023 tick table', () => {
    expect([1999, 2000, 4999, 5000, 19_990, 20_000, 49_950, 50_000, 199_900, 200_000, 499_500, 500_000].map((p) => krTickSize(p))).toEqual([
      1, 5, 5, 10, 10, 50, 50, 100, 100, 500, 500, 1000,
    ]);
    expect(krTickSize(123_456, 'etf')).toBe(5);
    expect(roundToTick(71_049)).toBe(71_000);
    expect(roundToTick(19_996)).toBe(20_000);
    expect(isOnTick(71_050)).toBe(false);
    expect(isOnTick(71_100)).toBe(true);
  });

  it('computes ±30% limits truncated onto the grid', () => {
    expect(krPriceLimits(71_000)).toEqual({ upper: 92_300, lower: 49_700 });
    expect(krPriceLimits(10_000)).toEqual({ upper: 13_000, lower: 7_000 });
    expect(krPriceLimits(1_234)).toEqual({ upper: 1_604, lower: 864 });
    expect(krPriceLimits(16_000)).toEqual({ upper: 20_800, lower: 11_200 });
  });
});

describe('quotes', () => {
  it('are a pure function of seed, symbol and instant', () => {
    const other = new SyntheticMarket({ seed: 1 });
    const t = at('2026-11-23 11:17:42');
    expect(other.krQuote('005930', t)).toEqual(market.krQuote('005930', t));
    expect(other.usQuote('AAPL', at('2026-11-24 02:00:00'))).toEqual(market.usQuote('AAPL', at('2026-11-24 02:00:00')));
    const different = new SyntheticMarket({ seed: 2 });
    const prices = ['005930', '000660', '035720'].map((c) => [market.krQuote(c, t)?.price, different.krQuote(c, t)?.price]);
    expect(prices.some(([a, b]) => a !== b)).toBe(true);
  });

  it('stay on the tick grid, inside the limits and the day range, for a sample of symbols and minutes', () => {
    const codes = market.krCodes().filter((_, i) => i % 97 === 0);
    for (const code of codes) {
      const sym = market.krSymbol(code)!;
      for (const t of ['09:00:00', '10:31:00', '13:05:30', '15:29:00', '15:30:00']) {
        const q = market.krQuote(code, at(`2026-11-23 ${t}`))!;
        expect(isOnTick(q.price, sym.kind)).toBe(true);
        expect(q.price).toBeLessThanOrEqual(q.upperLimit);
        expect(q.price).toBeGreaterThanOrEqual(q.lowerLimit);
        expect(q.high).toBeGreaterThanOrEqual(q.price);
        expect(q.low).toBeLessThanOrEqual(q.price);
        expect(q.askPrice1).toBeGreaterThanOrEqual(q.bidPrice1);
        expect(q.tick).toBe(krTickSize(q.price, sym.kind));
      }
    }
  });

  it('show the previous close before the open and the last session on holidays', () => {
    const pre = market.krQuote('005930', at('2026-11-23 08:30:00'))!;
    expect(pre.price).toBe(pre.prevClose);
    expect(pre.volume).toBe(0);
    const fridayClose = market.krQuote('005930', at('2026-11-20 15:30:00'))!;
    const saturday = market.krQuote('005930', at('2026-11-21 12:00:00'))!;
    expect(saturday).toEqual(fridayClose);
    expect(pre.prevClose).toBe(fridayClose.price);
  });

  it('have daily bars equal to the quote at the close, for two years back', () => {
    const now = at('2026-11-23 18:00:00');
    const bars = market.krDailyBars('000660', 20241101, 20261123, now);
    expect(bars.length).toBeGreaterThan(480);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.prevClose).toBe(bars[i - 1]!.close);
    for (const b of [bars[0]!, bars[200]!, bars.at(-1)!]) {
      const ymd = String(market.krCalendar.at(b.dayIndex));
      const q = market.krQuote('000660', at(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)} 15:30:00`))!;
      expect([q.open, q.high, q.low, q.price, q.volume]).toEqual([b.open, b.high, b.low, b.close, b.volume]);
    }
  });

  it('follow the US regular session in New York time', () => {
    const before = market.usQuote('AAPL', at('2026-11-23 23:29:00'))!; // 09:29 ET
    expect(before.volume).toBe(0);
    const during = market.usQuote('AAPL', at('2026-11-24 01:00:00'))!;
    expect(during.volume).toBeGreaterThan(0);
    expect(Math.round(during.price * 100)).toBe(during.price * 100);
  });
});

describe('TradingCalendar', () => {
  it('closes weekends, built-in and extra holidays; 12-31 is a bank day without trading', () => {
    const cal = TradingCalendar.korea(['20261124']);
    expect(cal.isTradingDay(20261123)).toBe(true);
    expect(cal.isTradingDay(20261124)).toBe(false);
    expect(cal.isTradingDay(20261121)).toBe(false);
    expect(cal.isTradingDay(20260217)).toBe(false); // 설날
    expect(cal.flags(20261231)).toEqual({ business: true, trading: true, open: false, settlement: false });
    expect(cal.flags(20261225)).toEqual({ business: false, trading: false, open: false, settlement: false });
  });
});
