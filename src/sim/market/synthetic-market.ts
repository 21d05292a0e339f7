// The synthetic market behind every simulator endpoint: deterministic quotes for a seed and an instant
// (KRX 09:00–15:30 KST, US 09:30–16:00 America/New_York), daily bars and 52-week ranges, behind SimMarket.
import type { SimKrQuote, SimMarket, SimUsQuote } from '../contracts.js';
import { hash32, keyedUnit } from './prng.js';
import { PriceSeries, SESSION_MINUTES, type DailyBar, type PriceGrid } from './price-series.js';
import { krPriceLimits, krTickSize, roundToTick } from './tick-size.js';
import { TradingCalendar } from './trading-calendar.js';
import { buildUniverse, type KrSymbol, type Universe, type UsSymbol } from './universe.js';
import { ZoneDayCache } from './zone-days.js';

export type SessionPhase = 'holiday' | 'preOpen' | 'open' | 'closed';

/** Where an instant falls in a market's day. */
export interface SessionState {
  /** calendar day (YYYYMMDD) of the instant in the market's zone */
  ymd: number;
  phase: SessionPhase;
  /** trading-day index whose prices the instant shows (today's, or the last one on a holiday) */
  dayIndex: number;
  /** YYYYMMDD of dayIndex */
  tradingYmd: number;
  /** minute k of the session path (0..390); only meaningful when phase is 'open' */
  minute: number;
  /** fraction of minute k elapsed (0..1) */
  fraction: number;
}

export interface SyntheticMarketOptions {
  seed?: number;
  /** extra KRX closures 'YYYYMMDD' on top of the built-in calendar */
  krHolidays?: readonly string[];
}

const KR_OPEN_MINUTE = 9 * 60;
const US_OPEN_MINUTE = 9 * 60 + 30;
const W52_DAYS = 250;

export class SyntheticMarket implements SimMarket {
  readonly seed: number;
  readonly universe: Universe;
  readonly krCalendar: TradingCalendar;
  readonly usCalendar: TradingCalendar;
  private readonly krByCode = new Map<string, KrSymbol>();
  private readonly usBySymbol = new Map<string, UsSymbol>();
  private readonly series = new Map<string, PriceSeries>();
  private readonly w52Cache = new Map<string, { dayIndex: number; high: number; highIdx: number; low: number; lowIdx: number }>();
  private readonly kstDays = new ZoneDayCache('Asia/Seoul');
  private readonly nyDays = new ZoneDayCache('America/New_York');
  private readonly krCodeList: readonly string[];

  constructor(opts: SyntheticMarketOptions = {}) {
    this.seed = (opts.seed ?? 1) >>> 0;
    this.universe = buildUniverse();
    this.krCalendar = TradingCalendar.korea(opts.krHolidays ?? []);
    this.usCalendar = TradingCalendar.unitedStates();
    for (const s of this.universe.kr) this.krByCode.set(s.code, s);
    for (const s of this.universe.us) this.usBySymbol.set(s.symbol, s);
    this.krCodeList = Object.freeze(this.universe.kr.map((s) => s.code));
  }

  private krRequestCodeList: readonly string[] | undefined;

  krCodes(): readonly string[] {
    return this.krCodeList;
  }

  /** Every KR symbol as requests name it (ETNs with their Q prefix): the codes a client should ask for. */
  krRequestCodes(): readonly string[] {
    this.krRequestCodeList ??= Object.freeze(this.universe.kr.map((s) => s.requestCode));
    return this.krRequestCodeList;
  }

  usSymbols(): readonly { symbol: string; exchange: 'NAS' | 'NYS' | 'AMS' }[] {
    return this.universe.us;
  }

  /** Symbol by listing code, accepting the Q-prefixed request form of ETNs too. */
  krSymbol(code: string): KrSymbol | undefined {
    const direct = this.krByCode.get(code);
    if (direct) return direct;
    if (code.length === 7 && code.startsWith('Q')) {
      const etn = this.krByCode.get(code.slice(1));
      return etn?.kind === 'etn' ? etn : undefined;
    }
    return undefined;
  }

  /** Symbol as KIS requests name it: ETNs only with their Q prefix (a bare ETN code is unknown to KIS). */
  krSymbolForRequest(requestCode: string): KrSymbol | undefined {
    const s = this.krSymbol(requestCode);
    return s && s.requestCode === requestCode ? s : undefined;
  }

  usSymbol(symbol: string): UsSymbol | undefined {
    return this.usBySymbol.get(symbol.toUpperCase());
  }

  /** KRX session state at nowMs (KST). */
  krSession(nowMs: number): SessionState {
    return sessionState(this.kstDays.dayOf(nowMs), nowMs, this.krCalendar, KR_OPEN_MINUTE);
  }

  /** US regular-session state at nowMs (New York time). */
  usSession(nowMs: number): SessionState {
    return sessionState(this.nyDays.dayOf(nowMs), nowMs, this.usCalendar, US_OPEN_MINUTE);
  }

  krQuote(code: string, nowMs: number): SimKrQuote | undefined {
    const sym = this.krSymbol(code);
    if (!sym) return undefined;
    const st = this.krSession(nowMs);
    const series = this.krSeries(sym);
    const q = pointQuote(series, st);
    const tick = krTickSize(q.price, sym.kind);
    const { upper, lower } = krPriceLimits(q.prevClose, sym.kind);
    const depth = keyedUnit(this.seed, hash32(sym.code), st.dayIndex, st.minute);
    return {
      code: sym.code,
      name: sym.name,
      price: q.price,
      open: q.open,
      high: q.high,
      low: q.low,
      prevClose: q.prevClose,
      volume: q.volume,
      turnover: q.turnover,
      askPrice1: q.price >= upper ? q.price : q.price + tick,
      bidPrice1: q.price,
      askQty1: Math.round(50 + depth * sym.baseVolume * 0.002),
      bidQty1: Math.round(50 + (1 - depth) * sym.baseVolume * 0.002),
      tick,
      upperLimit: upper,
      lowerLimit: lower,
    };
  }

  usQuote(symbol: string, nowMs: number): SimUsQuote | undefined {
    const sym = this.usSymbol(symbol);
    if (!sym) return undefined;
    const st = this.usSession(nowMs);
    const q = pointQuote(this.usSeries(sym), st);
    const depth = keyedUnit(this.seed, hash32(sym.symbol), st.dayIndex, st.minute);
    return {
      symbol: sym.symbol,
      exchange: sym.exchange,
      price: q.price / 100,
      open: q.open / 100,
      high: q.high / 100,
      low: q.low / 100,
      prevClose: q.prevClose / 100,
      volume: q.volume,
      turnover: q.turnover / 100,
      bid: Math.max(0.01, (q.price - 1) / 100),
      ask: q.price / 100,
      bidQty: Math.round(100 + depth * 900),
      askQty: Math.round(100 + (1 - depth) * 900),
    };
  }

  /**
   * Daily bars of a KR code for trading days with fromYmd <= day <= toYmd, oldest first. Today's bar is
   * included once the session has opened (partial until 15:30); future days never are.
   */
  krDailyBars(code: string, fromYmd: number, toYmd: number, nowMs: number): DailyBar[] {
    const sym = this.krSymbol(code);
    if (!sym) return [];
    const st = this.krSession(nowMs);
    const lastIdx = st.phase === 'open' || st.phase === 'closed' ? st.dayIndex : st.dayIndex - (st.phase === 'preOpen' ? 1 : 0);
    const endIdx = Math.min(lastIdx, this.krCalendar.indexOnOrBefore(toYmd));
    const series = this.krSeries(sym);
    const out: DailyBar[] = [];
    for (let i = endIdx; i >= 0; i--) {
      const ymd = this.krCalendar.at(i) ?? 0;
      if (ymd < fromYmd) break;
      if (i === st.dayIndex && st.phase === 'open') out.push(partialBar(series, st));
      else out.push(series.bar(i));
    }
    return out.reverse();
  }

  /** 52-week (250 trading days, today included) high and low with their dates. */
  krWeek52(code: string, nowMs: number): { high: number; highYmd: number; low: number; lowYmd: number } | undefined {
    const sym = this.krSymbol(code);
    if (!sym) return undefined;
    const st = this.krSession(nowMs);
    const series = this.krSeries(sym);
    let past = this.w52Cache.get(code);
    if (!past || past.dayIndex !== st.dayIndex) {
      past = { dayIndex: st.dayIndex, high: 0, highIdx: -1, low: Number.MAX_SAFE_INTEGER, lowIdx: -1 };
      for (let i = Math.max(0, st.dayIndex - W52_DAYS + 1); i < st.dayIndex; i++) {
        const b = series.bar(i);
        if (b.high > past.high) Object.assign(past, { high: b.high, highIdx: i });
        if (b.low < past.low) Object.assign(past, { low: b.low, lowIdx: i });
      }
      if (this.w52Cache.size > 4096) this.w52Cache.clear();
      this.w52Cache.set(code, past);
    }
    const today = pointQuote(series, st);
    let { high, highIdx, low, lowIdx } = past;
    if (st.phase !== 'preOpen') {
      if (today.high > high) [high, highIdx] = [today.high, st.dayIndex];
      if (today.low < low) [low, lowIdx] = [today.low, st.dayIndex];
    }
    if (highIdx < 0) [high, highIdx, low, lowIdx] = [today.price, st.dayIndex, today.price, st.dayIndex];
    return { high, highYmd: this.krCalendar.at(highIdx) ?? 0, low, lowYmd: this.krCalendar.at(lowIdx) ?? 0 };
  }

  /** Volume of the US trading day before the one usQuote shows. */
  usPrevDayVolume(symbol: string, nowMs: number): number {
    const sym = this.usSymbol(symbol);
    if (!sym) return 0;
    const st = this.usSession(nowMs);
    return st.dayIndex > 0 ? this.usSeries(sym).bar(st.dayIndex - 1).volume : 0;
  }

  /** The price series of a KR symbol (for bars and flows derived elsewhere). */
  krSeries(sym: KrSymbol): PriceSeries {
    let s = this.series.get(sym.code);
    if (!s) {
      const grid: PriceGrid = { round: (raw) => roundToTick(raw, sym.kind), limits: (prev) => krPriceLimits(prev, sym.kind) };
      s = new PriceSeries(
        { seed: this.seed, key: hash32(sym.code), basePrice: sym.basePrice, dailyVolatility: sym.dailyVolatility, baseVolume: sym.baseVolume },
        this.krCalendar,
        grid,
      );
      this.series.set(sym.code, s);
    }
    return s;
  }

  private usSeries(sym: UsSymbol): PriceSeries {
    const key = `US:${sym.symbol}`;
    let s = this.series.get(key);
    if (!s) {
      const grid: PriceGrid = { round: (raw) => Math.max(1, Math.round(raw)), limits: () => ({ upper: Number.MAX_SAFE_INTEGER, lower: 1 }) };
      s = new PriceSeries(
        { seed: this.seed, key: hash32(key), basePrice: sym.basePrice * 100, dailyVolatility: sym.dailyVolatility, baseVolume: sym.baseVolume },
        this.usCalendar,
        grid,
      );
      this.series.set(key, s);
    }
    return s;
  }
}

function sessionState(day: { ymd: number; startMs: number }, nowMs: number, calendar: TradingCalendar, openMinute: number): SessionState {
  const todayIdx = calendar.indexOf(day.ymd);
  if (todayIdx < 0) {
    const last = Math.max(0, calendar.indexOnOrBefore(day.ymd));
    return { ymd: day.ymd, phase: 'holiday', dayIndex: last, tradingYmd: calendar.at(last) ?? 0, minute: SESSION_MINUTES, fraction: 0 };
  }
  const sinceOpenMs = nowMs - day.startMs - openMinute * 60_000;
  const base = { ymd: day.ymd, dayIndex: todayIdx, tradingYmd: day.ymd };
  if (sinceOpenMs < 0) return { ...base, phase: 'preOpen', minute: 0, fraction: 0 };
  const minute = Math.floor(sinceOpenMs / 60_000);
  if (minute >= SESSION_MINUTES) return { ...base, phase: 'closed', minute: SESSION_MINUTES, fraction: 0 };
  return { ...base, phase: 'open', minute, fraction: (sinceOpenMs - minute * 60_000) / 60_000 };
}

interface PointQuote {
  price: number;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  volume: number;
  turnover: number;
}

/** Price, range and accumulated volume at a session state (in grid units). */
function pointQuote(series: PriceSeries, st: SessionState): PointQuote {
  if (st.phase === 'preOpen') {
    // Before the open KIS shows the previous close and no volume (❓ unverified; chosen to avoid zero prices).
    const prev = series.close(st.dayIndex - 1);
    return { price: prev, open: prev, high: prev, low: prev, prevClose: prev, volume: 0, turnover: 0 };
  }
  const p = series.dayPath(st.dayIndex);
  const k = st.minute;
  const price = p.price[k] ?? 0;
  const minuteVolume = (p.volBefore[k + 1] ?? 0) - (p.volBefore[k] ?? 0);
  const traded = st.phase === 'open' ? Math.floor(minuteVolume * st.fraction) : minuteVolume;
  return {
    price,
    open: p.price[0] ?? 0,
    high: p.high[k] ?? 0,
    low: p.low[k] ?? 0,
    prevClose: p.prevClose,
    volume: (p.volBefore[k] ?? 0) + traded,
    turnover: (p.turnoverBefore[k] ?? 0) + traded * price,
  };
}

function partialBar(series: PriceSeries, st: SessionState): DailyBar {
  const q = pointQuote(series, st);
  return { dayIndex: st.dayIndex, open: q.open, high: q.high, low: q.low, close: q.price, prevClose: q.prevClose, volume: q.volume, turnover: q.turnover };
}
