// Reference strategy: opening-range breakout, long only. For each symbol the range is the high and low of the
// trades in the first `rangeMinutes` after the open (09:00 KST). After that, the first trade above the range
// high buys (a limit at the ask, sized by `orderValueKrw`), at most once per symbol per day. The position
// exits on a stop-loss or take-profit in percent of its own average cost (market sell for the stop, limit at
// the bid for the profit) and is flattened by `exitAt` (default 15:15, before KRX's 15:30 close: this is the
// real flattening path; market close at 16:00 can no longer sell in the regular session). It only ever sells
// what it bought today (ctx.position is its own), never an operator's holding in the same name. A stop or time
// exit first cancels its resting take-profit sell, then sells at market. Unfilled entries are cancelled after
// `entryTimeoutSec`, unfilled take-profit sells after `exitTimeoutSec`. All orders carry the tag 'intraday'.
// Everything it must remember across a restart (ranges, entries of the day) is in ctx.state; a restart inside
// the range window rebuilds the range from the trades it still sees.
import { ConfigError } from '../../core/errors.js';
import { kstAt, kstYmd, parseHhMm } from '../../core/kst.js';
import type { KrTick } from '../../kis/ws/events.js';
import type { Strategy, StrategyContext } from './types.js';

export const OPENING_RANGE_BREAKOUT = 'opening-range-breakout';
export const INTRADAY_TAG = 'intraday';
const EXIT_RETRY_MS = 5_000;
/** After an entry that never reached KIS (refused by risk, not sent), the symbol may try again after this. */
const ENTRY_RETRY_MS = 30_000;
/** KRX's regular session ends 15:30 KST; a market sell after it is refused (APBK0919), so exitAt must be earlier. */
const REGULAR_CLOSE_MIN = 15 * 60 + 30;

/** The params this strategy accepts (the config's `params`), with their defaults. */
interface OpeningRangeBreakoutParams {
  /** Session open "HH:MM" KST. Default "09:00". */
  openAt?: string;
  /** Minutes after the open that form the range. Default 15. */
  rangeMinutes?: number;
  /** Stop-loss below the average cost, percent. Default 1.5. */
  stopLossPct?: number;
  /** Take-profit above the average cost, percent. Default 3. */
  takeProfitPct?: number;
  /** No new entries from this time "HH:MM" KST. Default "14:30". */
  lastEntryAt?: string;
  /** Flat by this time "HH:MM" KST (a market sell of what is held). Default "15:15". */
  exitAt?: string;
  /** Money per entry, KRW; quantity = floor(orderValueKrw / ask). Default 1,000,000. */
  orderValueKrw?: number;
  /** Cancel an entry that is not filled after this many seconds. Default 60. */
  entryTimeoutSec?: number;
  /** Cancel a take-profit limit sell that is not filled after this many seconds (re-placed at the next bid). Default 30. */
  exitTimeoutSec?: number;
}

interface Compiled {
  openMin: number;
  rangeMinutes: number;
  stopLossPct: number;
  takeProfitPct: number;
  lastEntryMin: number;
  exitMin: number;
  orderValueKrw: number;
  entryTimeoutMs: number;
  exitTimeoutMs: number;
}

/** What survives a restart. */
export interface OrbState {
  ymd: string;
  ranges: Record<string, { high: number; low: number }>;
  /** Symbols entered today (max one entry per symbol per day). */
  entered: string[];
}

function num(params: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const v = params[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ConfigError(`strategy ${OPENING_RANGE_BREAKOUT}: ${key} must be a number ${min}..${max} (got ${JSON.stringify(v)})`, { field: key });
  return v;
}

function hhmm(params: Record<string, unknown>, key: string, dflt: string): number {
  const v = params[key] ?? dflt;
  try {
    return parseHhMm(String(v));
  } catch (err) {
    throw new ConfigError(`strategy ${OPENING_RANGE_BREAKOUT}: ${key}: ${(err as Error).message}`, { field: key });
  }
}

export function compileOrbParams(params: Record<string, unknown>): Compiled {
  const known = new Set<string>(['openAt', 'rangeMinutes', 'stopLossPct', 'takeProfitPct', 'lastEntryAt', 'exitAt', 'orderValueKrw', 'entryTimeoutSec', 'exitTimeoutSec'] satisfies (keyof OpeningRangeBreakoutParams)[]);
  for (const k of Object.keys(params)) if (!known.has(k)) throw new ConfigError(`strategy ${OPENING_RANGE_BREAKOUT}: unknown parameter ${JSON.stringify(k)}`, { field: k });
  const c: Compiled = {
    openMin: hhmm(params, 'openAt', '09:00'),
    rangeMinutes: num(params, 'rangeMinutes', 15, 1, 120),
    stopLossPct: num(params, 'stopLossPct', 1.5, 0.1, 30),
    takeProfitPct: num(params, 'takeProfitPct', 3, 0.1, 100),
    lastEntryMin: hhmm(params, 'lastEntryAt', '14:30'),
    exitMin: hhmm(params, 'exitAt', '15:15'),
    orderValueKrw: num(params, 'orderValueKrw', 1_000_000, 1_000, 1e10),
    entryTimeoutMs: num(params, 'entryTimeoutSec', 60, 1, 3600) * 1000,
    exitTimeoutMs: num(params, 'exitTimeoutSec', 30, 1, 3600) * 1000,
  };
  if (c.exitMin >= REGULAR_CLOSE_MIN) {
    throw new ConfigError(`strategy ${OPENING_RANGE_BREAKOUT}: exitAt must be before 15:30 (the end of KRX's regular session; a later market sell is refused)`, { field: 'exitAt' });
  }
  if (!(c.openMin + c.rangeMinutes < c.lastEntryMin && c.lastEntryMin <= c.exitMin)) {
    throw new ConfigError(`strategy ${OPENING_RANGE_BREAKOUT}: needs openAt + rangeMinutes < lastEntryAt <= exitAt`);
  }
  return c;
}

export function createOpeningRangeBreakout(params: Record<string, unknown> = {}, name = OPENING_RANGE_BREAKOUT): Strategy {
  const p = compileOrbParams(params);
  let st: OrbState = { ymd: '', ranges: {}, entered: [] };
  /** Ranges being formed (not persisted until final). */
  const forming = new Map<string, { high: number; low: number }>();
  let day = { ymd: '', startMs: 0 };
  const exiting = new Set<string>();
  /**
   * Last exit attempt per symbol and kind (market / limit): a refused or rejected exit is retried at most every
   * EXIT_RETRY_MS, not per tick; a take-profit just placed never delays the stop-loss.
   */
  const lastExitAttemptMs = new Map<string, number>();
  const entryRetryAtMs = new Map<string, number>();

  /** Fixes the ranges once the window is over (persisted: a restart keeps them). */
  const freeze = async (ctx: StrategyContext): Promise<void> => {
    if (forming.size === 0) return;
    for (const [sym, r] of forming) st.ranges[sym] ??= r;
    forming.clear();
    await ctx.state.set(st);
    ctx.log.info({ ranges: Object.keys(st.ranges).length }, 'opening ranges fixed');
  };

  const minuteOf = (ms: number): number => {
    if (ms < day.startMs || ms >= day.startMs + 86_400_000) day = { ymd: kstYmd(ms), startMs: kstAt(ms, 0) };
    return Math.floor((ms - day.startMs) / 60_000);
  };
  const rollDay = async (ctx: StrategyContext, nowMs: number): Promise<void> => {
    const ymd = kstYmd(nowMs);
    if (st.ymd === ymd) return;
    st = { ymd, ranges: {}, entered: [] };
    forming.clear();
    exiting.clear();
    await ctx.state.set(st);
  };

  async function maybeEnter(tick: KrTick, ctx: StrategyContext, minute: number): Promise<void> {
    const range = st.ranges[tick.code];
    if (!range || minute >= p.lastEntryMin || st.entered.includes(tick.code)) return;
    if (tick.receivedAtMs < (entryRetryAtMs.get(tick.code) ?? -Infinity)) return;
    if (!(tick.price > range.high)) return;
    if (ctx.position(tick.code).qty > 0 || ctx.openOrders(tick.code).length > 0) return;
    const ask = tick.ask1 > 0 ? tick.ask1 : tick.price;
    const qty = Math.floor(p.orderValueKrw / ask);
    if (qty < 1) return;
    // Recorded before sending: after a crash mid-send the symbol is not entered twice.
    st.entered = [...st.entered, tick.code];
    await ctx.state.set(st);
    const r = await ctx.placeOrder({ symbol: tick.code, side: 'buy', qty, type: 'limit', price: ask, tag: INTRADAY_TAG });
    ctx.log.info({ symbol: tick.code, price: tick.price, rangeHigh: range.high, qty, ask, result: r.status }, `breakout above ${range.high}: entry ${r.status}`);
    if (r.status === 'refused' || r.status === 'failed') {
      // Nothing reached KIS: the day's one entry is not used up, but wait before trying again.
      st.entered = st.entered.filter((s) => s !== tick.code);
      await ctx.state.set(st);
      entryRetryAtMs.set(tick.code, tick.receivedAtMs + ENTRY_RETRY_MS);
    }
  }

  const openSellQty = (ctx: StrategyContext, symbol: string): number =>
    ctx.openOrders(symbol).filter((o) => o.side === 'sell').reduce((n, o) => n + Math.max(0, o.qty - o.filledQty), 0);

  /**
   * Sells this strategy's own quantity. A take-profit (limit) waits while any sell of the symbol is open. A
   * stop or time exit (market) first cancels the resting limit sells (awaited), then sells at market whatever
   * is not still being sold (a sell whose cancel failed or whose outcome is unknown may still fill).
   */
  async function exit(ctx: StrategyContext, symbol: string, why: string, type: 'market' | 'limit', price?: number): Promise<void> {
    const pos = ctx.position(symbol);
    if (pos.qty <= 0 || exiting.has(symbol)) return;
    const resting = ctx.openOrders(symbol).filter((o) => o.side === 'sell');
    if (type === 'limit' && resting.length > 0) return;
    if (type === 'market' && resting.length > 0 && resting.every((o) => o.type === 'market')) return; // already selling at market
    const nowMs = ctx.clock.nowMs();
    const key = `${symbol}:${type}`;
    if (nowMs - (lastExitAttemptMs.get(key) ?? -Infinity) < EXIT_RETRY_MS) return;
    lastExitAttemptMs.set(key, nowMs);
    exiting.add(symbol);
    try {
      for (const o of ctx.openOrders(symbol)) {
        if (o.state === 'unknown') continue; // cannot be cancelled; it still counts as being sold below
        if (o.side === 'buy' || (type === 'market' && o.type === 'limit')) await ctx.cancelOrder(o.clientOrderId);
      }
      const qty = ctx.position(symbol).qty - openSellQty(ctx, symbol);
      if (qty <= 0) return;
      const r = await ctx.placeOrder({ symbol, side: 'sell', qty, type, ...(type === 'limit' && price !== undefined ? { price } : {}), tag: INTRADAY_TAG });
      ctx.log.info({ symbol, qty, avgPrice: pos.avgPrice, why, result: r.status }, `exit (${why}): ${r.status}`);
    } finally {
      exiting.delete(symbol);
    }
  }

  return {
    name,
    async onStart(ctx) {
      const saved = ctx.state.get<OrbState>();
      const today = kstYmd(ctx.clock.nowMs());
      st = saved && saved.ymd === today ? { ymd: saved.ymd, ranges: { ...saved.ranges }, entered: [...saved.entered] } : { ymd: today, ranges: {}, entered: [] };
      ctx.log.info({ ranges: Object.keys(st.ranges).length, entered: st.entered }, 'opening-range breakout ready');
    },
    async onTick(tick, ctx) {
      const nowMs = tick.receivedAtMs;
      await rollDay(ctx, nowMs);
      const minute = minuteOf(nowMs);
      if (minute < p.openMin || !(tick.price > 0)) return;
      if (minute < p.openMin + p.rangeMinutes) {
        const r = forming.get(tick.code);
        if (!r) forming.set(tick.code, { high: tick.price, low: tick.price });
        else {
          r.high = Math.max(r.high, tick.price);
          r.low = Math.min(r.low, tick.price);
        }
        return;
      }
      await freeze(ctx);
      const pos = ctx.position(tick.code);
      if (pos.qty > 0 && pos.avgPrice > 0) {
        if (tick.price <= pos.avgPrice * (1 - p.stopLossPct / 100)) return exit(ctx, tick.code, 'stop-loss', 'market');
        if (tick.price >= pos.avgPrice * (1 + p.takeProfitPct / 100)) return exit(ctx, tick.code, 'take-profit', 'limit', tick.bid1 > 0 ? tick.bid1 : tick.price);
        return;
      }
      await maybeEnter(tick, ctx, minute);
    },
    async onTimer(nowMs, ctx) {
      await rollDay(ctx, nowMs);
      const minute = minuteOf(nowMs);
      if (minute >= p.openMin + p.rangeMinutes) await freeze(ctx);
      for (const o of ctx.openOrders()) {
        if (o.state === 'unknown') continue; // reconciliation settles it; a cancel would be refused every second
        if (o.side === 'buy' && nowMs - o.createdAtMs >= p.entryTimeoutMs) {
          const ok = await ctx.cancelOrder(o.clientOrderId);
          ctx.log.info({ symbol: o.symbol, clientOrderId: o.clientOrderId, cancelled: ok }, 'entry not filled in time: cancel');
        } else if (o.side === 'sell' && o.type === 'limit' && nowMs - o.createdAtMs >= p.exitTimeoutMs) {
          // A take-profit left behind by the market: cancelled, so the next tick re-prices it or the stop takes over.
          const ok = await ctx.cancelOrder(o.clientOrderId);
          ctx.log.info({ symbol: o.symbol, clientOrderId: o.clientOrderId, cancelled: ok }, 'take-profit not filled in time: cancel');
        }
      }
      if (minute >= p.exitMin) {
        for (const sym of ctx.symbols) await exit(ctx, sym, 'time exit before the close', 'market');
      }
    },
  };
}
