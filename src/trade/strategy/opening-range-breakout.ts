// Reference strategy: opening-range breakout, long only. For each symbol the range is the high and low of the
// trades in the first `rangeMinutes` after the open (09:00 KST). After that, the first trade above the range
// high buys (a limit at the ask, sized by `orderValueKrw`), at most once per symbol per day. The position
// exits on a stop-loss or take-profit in percent of its average cost (market sell for the stop, limit at the
// bid for the profit) and is flattened by `exitAt` before the close. Unfilled entries are cancelled after
// `entryTimeoutSec`. All orders carry the tag 'intraday', so market close flattens what is left.
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

export interface OpeningRangeBreakoutParams {
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
  const known = new Set(['openAt', 'rangeMinutes', 'stopLossPct', 'takeProfitPct', 'lastEntryAt', 'exitAt', 'orderValueKrw', 'entryTimeoutSec']);
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
  };
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
  /** Last exit attempt per symbol: a refused or rejected exit is retried at most every EXIT_RETRY_MS, not per tick. */
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

  async function exit(ctx: StrategyContext, symbol: string, why: string, type: 'market' | 'limit', price?: number): Promise<void> {
    const pos = ctx.position(symbol);
    const pendingSells = ctx.openOrders(symbol).filter((o) => o.side === 'sell');
    if (pos.qty <= 0 || pendingSells.length > 0 || exiting.has(symbol)) return;
    const nowMs = ctx.clock.nowMs();
    if (nowMs - (lastExitAttemptMs.get(symbol) ?? -Infinity) < EXIT_RETRY_MS) return;
    lastExitAttemptMs.set(symbol, nowMs);
    exiting.add(symbol);
    try {
      for (const o of ctx.openOrders(symbol)) if (o.side === 'buy') await ctx.cancelOrder(o.clientOrderId);
      const r = await ctx.placeOrder({ symbol, side: 'sell', qty: pos.qty, type, ...(type === 'limit' && price !== undefined ? { price } : {}), tag: INTRADAY_TAG });
      ctx.log.info({ symbol, qty: pos.qty, avgPrice: pos.avgPrice, why, result: r.status }, `exit (${why}): ${r.status}`);
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
        if (o.side === 'buy' && nowMs - o.createdAtMs >= p.entryTimeoutMs) {
          const ok = await ctx.cancelOrder(o.clientOrderId);
          ctx.log.info({ symbol: o.symbol, clientOrderId: o.clientOrderId, cancelled: ok }, 'entry not filled in time: cancel');
        }
      }
      if (minute >= p.exitMin) {
        for (const sym of ctx.symbols) await exit(ctx, sym, 'time exit before the close', 'market');
      }
    },
  };
}
