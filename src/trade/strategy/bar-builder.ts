// One-minute bars from ticks, keyed by the wall-clock minute a tick was received. A bar closes when a tick of
// a later minute arrives or when flush() sees its minute is over (so quiet symbols still get their bar).
import type { StrategyBar } from './types.js';

const MINUTE_MS = 60_000;

export class BarBuilder {
  private readonly open = new Map<string, StrategyBar>();
  /** Start of the newest closed bar per symbol: later ticks of that minute or earlier ones are dropped. */
  private readonly closedThrough = new Map<string, number>();

  /** Adds a trade; returns the bar it closed, if the trade started a new minute. */
  onTrade(symbol: string, price: number, qty: number, atMs: number): StrategyBar | undefined {
    if (!(price > 0)) return undefined;
    const startMs = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    const cur = this.open.get(symbol);
    if (cur && cur.startMs === startMs) {
      cur.high = Math.max(cur.high, price);
      cur.low = Math.min(cur.low, price);
      cur.close = price;
      cur.volume += Number.isFinite(qty) ? qty : 0;
      cur.ticks++;
      return undefined;
    }
    if ((cur && startMs < cur.startMs) || startMs <= (this.closedThrough.get(symbol) ?? -Infinity)) return undefined; // late tick of a closed minute
    if (cur) this.closedThrough.set(symbol, cur.startMs);
    this.open.set(symbol, { symbol, startMs, open: price, high: price, low: price, close: price, volume: Number.isFinite(qty) ? qty : 0, ticks: 1, backfilled: false });
    return cur;
  }

  /**
   * A back-filled bar of a minute the feed missed supersedes a partial live bar of the same minute still open
   * (it is dropped, not emitted); later ticks of that minute are then ignored. Returns true when one was dropped.
   */
  supersede(symbol: string, startMs: number): boolean {
    const cur = this.open.get(symbol);
    if (cur?.startMs !== startMs) return false;
    this.open.delete(symbol);
    this.closedThrough.set(symbol, Math.max(this.closedThrough.get(symbol) ?? -Infinity, startMs));
    return true;
  }

  /** Closes and returns every bar whose minute ended at or before nowMs. */
  flush(nowMs: number): StrategyBar[] {
    const out: StrategyBar[] = [];
    for (const [symbol, bar] of this.open) {
      if (bar.startMs + MINUTE_MS <= nowMs) {
        out.push(bar);
        this.open.delete(symbol);
        this.closedThrough.set(symbol, bar.startMs);
      }
    }
    return out;
  }
}
