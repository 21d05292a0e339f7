// One-minute bars from ticks, keyed by the minute KIS stamped on the trade (STCK_CNTG_HOUR, exchange time) —
// the same minutes as KIS's minute chart, so a live bar and a back-filled one of the same minute agree even
// when a tick of 09:30:59 arrives at 09:31:00.05, or the host clock runs 30 s off. A tick without a usable
// exchange time falls back to its receive time. A bar closes when a tick of a later minute arrives, or when
// flush() sees its minute is over on the exchange's clock (so quiet symbols still get their bar): the exchange's
// "now" is the host's minus the smallest lag (receive time − exchange second) of the recent ticks, which is the
// host clock's offset plus the fastest delivery, never more than the true lag. So a skewed host neither closes
// bars before their minute ended at KIS (and drops its last trades) nor holds them open long after.
import { kstTimeNear } from '../../core/kst.js';
import type { StrategyBar } from './types.js';

const MINUTE_MS = 60_000;
/** How many recent ticks' lags the exchange-clock estimate takes its minimum over. */
const LAG_WINDOW = 256;
/** A lag beyond this is not a clock offset but a broken stamp: ignored for the estimate. */
const MAX_LAG_MS = 10 * MINUTE_MS;

export class BarBuilder {
  private readonly open = new Map<string, StrategyBar>();
  /** Start of the newest closed bar per symbol: later ticks of that minute or earlier ones are dropped. */
  private readonly closedThrough = new Map<string, number>();
  /** receive time − exchange second of the last LAG_WINDOW stamped ticks (ring). */
  private readonly lags: number[] = [];
  private nextLag = 0;

  /**
   * Adds a trade received at receivedAtMs (host clock) and stamped exchangeTime (HHMMSS KST) by KIS; returns the
   * bar it closed, if the trade started a new minute.
   */
  onTrade(symbol: string, price: number, qty: number, receivedAtMs: number, exchangeTime?: string): StrategyBar | undefined {
    if (!(price > 0)) return undefined;
    const stamped = exchangeTime === undefined ? undefined : kstTimeNear(exchangeTime, receivedAtMs);
    if (stamped !== undefined && Math.abs(receivedAtMs - stamped) <= MAX_LAG_MS) this.recordLag(receivedAtMs - stamped);
    const atMs = stamped ?? receivedAtMs;
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

  /** The host clock minus the exchange's, as far as the recent ticks tell (0 before any stamped tick). */
  lagMs(): number {
    return this.lags.length === 0 ? 0 : Math.min(...this.lags);
  }

  /** Closes and returns every bar whose minute ended, on the exchange's clock, at or before host time nowMs. */
  flush(nowMs: number): StrategyBar[] {
    const exchangeNowMs = nowMs - this.lagMs();
    const out: StrategyBar[] = [];
    for (const [symbol, bar] of this.open) {
      if (bar.startMs + MINUTE_MS <= exchangeNowMs) {
        out.push(bar);
        this.open.delete(symbol);
        this.closedThrough.set(symbol, bar.startMs);
      }
    }
    return out;
  }

  private recordLag(ms: number): void {
    if (this.lags.length < LAG_WINDOW) this.lags.push(ms);
    else this.lags[this.nextLag] = ms;
    this.nextLag = (this.nextLag + 1) % LAG_WINDOW;
  }
}
