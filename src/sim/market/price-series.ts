// The seeded price process of one listing: a mean-reverting daily random walk of closes over trading days, and
// for each day a 391-point minute path (a Brownian bridge from the open to that close) with a U-shaped volume
// profile. Daily bars are read off the minute path, so a bar always equals the intraday quote at the close.
import { fmix32, gaussian, mixKeys, mulberry32 } from './prng.js';
import type { ExchangeCalendar } from './exchange-calendar.js';

/** Minutes in the regular session (KRX 09:00–15:30, US 09:30–16:00 ET); index SESSION_MINUTES is the close. */
export const SESSION_MINUTES = 390;

export interface PriceGrid {
  /** rounds a raw price onto the instrument's grid (KRW ticks or US cents), at least one unit */
  round(raw: number): number;
  /** daily limits from the previous close (US: none) */
  limits(prevClose: number): { upper: number; lower: number };
}

export interface SeriesParams {
  seed: number;
  key: number; // hash of the symbol
  basePrice: number; // in grid units (KRW, or US cents)
  dailyVolatility: number;
  baseVolume: number;
}

export interface DayPath {
  dayIndex: number;
  prevClose: number;
  price: Int32Array; // [0..390]: minute k's last price; 390 = close
  high: Int32Array; // running high through minute k
  low: Int32Array; // running low through minute k
  volBefore: Float64Array; // [0..391]: volume traded before minute k (391 = day total)
  turnoverBefore: Float64Array;
}

export interface DailyBar {
  dayIndex: number;
  open: number;
  high: number;
  low: number;
  close: number;
  prevClose: number;
  volume: number;
  turnover: number;
}

const MEAN_REVERSION = 0.01; // per day, in log space: keeps a 10-year walk near realistic levels
const CLOSE_AUCTION_SHARE = 0.06; // share of the day's volume printed at the close
const MAX_BARS_PER_SERIES = 1500;

export class PriceSeries {
  private closes = new Float64Array(0);
  private computed = 0; // closes[0..computed) are known
  private path: DayPath | undefined;
  private readonly bars = new Map<number, DailyBar>();

  constructor(
    private readonly params: SeriesParams,
    private readonly calendar: ExchangeCalendar,
    private readonly grid: PriceGrid,
  ) {}

  /** Close of trading day dayIndex (-1 gives the starting price). */
  close(dayIndex: number): number {
    if (dayIndex < 0) return this.grid.round(this.params.basePrice);
    if (dayIndex >= this.computed) this.extendTo(dayIndex);
    return this.closes[dayIndex] ?? 0;
  }

  /** Opening price of trading day dayIndex. */
  open(dayIndex: number): number {
    const prev = this.close(dayIndex - 1);
    const { upper, lower } = this.grid.limits(prev);
    const next = mulberry32(mixKeys(this.params.seed, this.params.key, dayIndex, 2));
    const gap = (this.params.dailyVolatility / 3) * gaussian(next);
    return clamp(this.grid.round(prev * Math.exp(gap)), lower, upper);
  }

  /** The minute path of trading day dayIndex (the last one asked is cached). */
  dayPath(dayIndex: number): DayPath {
    if (this.path?.dayIndex === dayIndex) return this.path;
    this.path = this.buildPath(dayIndex);
    return this.path;
  }

  /** The daily bar of a completed (or, with the same values, any) trading day. */
  bar(dayIndex: number): DailyBar {
    const hit = this.bars.get(dayIndex);
    if (hit) return hit;
    const p = this.path?.dayIndex === dayIndex ? this.path : this.buildPath(dayIndex, scratchPath());
    const bar: DailyBar = {
      dayIndex,
      open: p.price[0] ?? 0,
      high: p.high[SESSION_MINUTES] ?? 0,
      low: p.low[SESSION_MINUTES] ?? 0,
      close: p.price[SESSION_MINUTES] ?? 0,
      prevClose: p.prevClose,
      volume: p.volBefore[SESSION_MINUTES + 1] ?? 0,
      turnover: p.turnoverBefore[SESSION_MINUTES + 1] ?? 0,
    };
    if (this.bars.size >= MAX_BARS_PER_SERIES) this.bars.clear(); // bounded; rebuilt on demand
    this.bars.set(dayIndex, bar);
    return bar;
  }

  private extendTo(dayIndex: number): void {
    const last = Math.min(dayIndex, this.calendar.size - 1);
    if (this.closes.length <= last) {
      const grown = new Float64Array(Math.min(this.calendar.size, Math.max(last + 1, this.closes.length * 2, 512)));
      grown.set(this.closes.subarray(0, this.computed));
      this.closes = grown;
    }
    const { seed, key, dailyVolatility } = this.params;
    const chainKey = mixKeys(seed, key, 1);
    const lnBase = Math.log(this.grid.round(this.params.basePrice));
    for (let i = this.computed; i <= last; i++) {
      const prev = i === 0 ? this.grid.round(this.params.basePrice) : (this.closes[i - 1] ?? 1);
      // Hot loop (thousands of days per symbol on first use): two hashed uniforms instead of a PRNG object.
      const h = fmix32(chainKey ^ Math.imul(i + 1, 0x9e3779b1));
      const u1 = Math.max(h / 4294967296, 1e-12);
      const u2 = fmix32(h + 0x6d2b79f5) / 4294967296;
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const x = Math.log(prev);
      const drifted = x + MEAN_REVERSION * (lnBase - x) + dailyVolatility * z;
      let next = this.grid.round(Math.exp(drifted));
      if (Math.abs(drifted - x) > 0.2) {
        const { upper, lower } = this.grid.limits(prev);
        next = clamp(next, lower, upper);
      }
      this.closes[i] = next;
    }
    this.computed = last + 1;
  }

  private buildPath(dayIndex: number, into?: MutablePath): DayPath {
    const n = SESSION_MINUTES;
    const prevClose = this.close(dayIndex - 1);
    const close = this.close(dayIndex);
    const open = this.open(dayIndex);
    const { upper, lower } = this.grid.limits(prevClose);
    const { seed, key, dailyVolatility, baseVolume } = this.params;
    const next = mulberry32(mixKeys(seed, key, dayIndex, 3));
    const stepSigma = (dailyVolatility * 1.2) / Math.sqrt(n);
    const out = into ?? newPath();
    const walk = out.scratch;
    walk[0] = 0;
    // Box–Muller pairs: both normals of each draw are used, halving the transcendental calls.
    for (let k = 1; k <= n; k += 2) {
      const r = Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12)));
      const th = 2 * Math.PI * next();
      walk[k] = (walk[k - 1] ?? 0) + stepSigma * r * Math.cos(th);
      if (k + 1 <= n) walk[k + 1] = (walk[k] ?? 0) + stepSigma * r * Math.sin(th);
    }
    const a = Math.log(open);
    const b = Math.log(close);
    const end = walk[n] ?? 0;
    const { price, high, low, volBefore, turnoverBefore } = out;
    for (let k = 0; k <= n; k++) {
      const ln = a + (walk[k] ?? 0) - (k / n) * (end - (b - a));
      const p = k === 0 ? open : k === n ? close : clamp(this.grid.round(Math.exp(ln)), lower, upper);
      price[k] = p;
      high[k] = k === 0 ? p : Math.max(high[k - 1] ?? p, p);
      low[k] = k === 0 ? p : Math.min(low[k - 1] ?? p, p);
    }
    // Volume: lognormal day total, busier on big moves, U-shaped over the session, a lump at the close.
    const move = Math.abs(b - Math.log(prevClose)) / Math.max(dailyVolatility, 1e-6);
    const dayVolume = baseVolume * Math.exp(0.35 * gaussian(next)) * (0.7 + 0.3 * Math.min(move, 4));
    const continuous = dayVolume * (1 - CLOSE_AUCTION_SHARE);
    let weightSum = 0;
    const weights = out.scratch; // the walk is no longer needed
    for (let k = 0; k < n; k++) {
      const u = (k - n / 2) / (n / 2);
      weights[k] = (1 + 2.5 * u * u) * (0.6 + 0.8 * next());
      weightSum += weights[k] ?? 0;
    }
    volBefore[0] = 0;
    turnoverBefore[0] = 0;
    for (let k = 0; k <= n; k++) {
      const v = k < n ? Math.round((continuous * (weights[k] ?? 0)) / weightSum) : Math.round(dayVolume * CLOSE_AUCTION_SHARE);
      volBefore[k + 1] = (volBefore[k] ?? 0) + v;
      turnoverBefore[k + 1] = (turnoverBefore[k] ?? 0) + v * (price[k] ?? 0);
    }
    out.dayIndex = dayIndex;
    out.prevClose = prevClose;
    return out;
  }
}

interface MutablePath extends DayPath {
  scratch: Float64Array;
}

function newPath(): MutablePath {
  const n = SESSION_MINUTES;
  return {
    dayIndex: -1,
    prevClose: 0,
    price: new Int32Array(n + 1),
    high: new Int32Array(n + 1),
    low: new Int32Array(n + 1),
    volBefore: new Float64Array(n + 2),
    turnoverBefore: new Float64Array(n + 2),
    scratch: new Float64Array(n + 1),
  };
}

let sharedScratch: MutablePath | undefined;

/** One reusable path for bar computations (synchronous use only; never cached). */
function scratchPath(): MutablePath {
  sharedScratch ??= newPath();
  return sharedScratch;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
