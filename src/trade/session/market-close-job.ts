// Market close (16:00 KST) as a PhaseJob: cancels every unfilled KR order, works out the intraday quantity
// still held (buys tagged `intradayTag` today minus every sell of the day in those symbols), then snapshots
// positions to <dataDir>/reports/positions_YYYYMMDD.json.
// The real flattening path is the strategies' own time exit (the ORB's `exitAt`, default 15:15), inside KRX's
// regular session. The regular session ends 15:30 and a market order after it is refused (APBK0919), so at
// 16:00 this job sends no sell: it cancels, snapshots and reports what intraday quantity is held overnight
// (listed in the snapshot, ERROR alert). Only when it runs before `regularCloseAt` (a schedule inside the
// session) does it flatten with market sells. Its sells count against the plan, so a second run (restart
// recovery after a crash mid-wait) never sells the same quantity again out of pre-existing holdings.
import { writeJsonAtomic } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { formatKstTimestamp, kstMinuteOfDay, parseHhMm } from '../../core/kst.js';
import type { PhaseContext, PhaseJob } from '../../core/phases.js';
import { TERMINAL_STATES, type OrderManager } from '../orders/types.js';
import type { AlertPort } from '../../core/alert.js';
import { orderBookRiskView } from '../risk/order-book-view.js';
import type { RiskGate } from '../risk/risk-gate.js';
import { INTRADAY_TAG } from '../strategy/opening-range-breakout.js';
import { positionsSnapshotPath, type PositionsSnapshot } from '../../store/positions-snapshot.js';

export interface MarketCloseJobOptions {
  dataDir: string;
  clock: Clock;
  orders: OrderManager;
  /** Closing prices (the quote cache's last trade, or a REST quote). */
  mark: (symbol: string) => number | undefined;
  /** Exits pass the gate by construction; routing them through it keeps the oversell check. */
  risk?: RiskGate;
  alerts?: AlertPort;
  /** Default 'intraday'. */
  intradayTag?: string;
  /** Name the flatten orders are journaled under. Default 'market-close'. */
  strategyName?: string;
  /** How long to wait for flatten orders to fill (notices) before the snapshot, on the Clock. Default 10000 ms. */
  settleTimeoutMs?: number;
  /**
   * End of KRX's regular session "HH:MM" KST. Default "15:30". From then on market sells are refused, so the
   * job only reports the intraday quantity left instead of sending sells.
   */
  regularCloseAt?: string;
}

/** Waits (polling every 250 ms on the clock) until the orders are terminal or the timeout passes. */
async function awaitTerminal(o: MarketCloseJobOptions, ids: readonly string[], signal: AbortSignal): Promise<void> {
  const deadline = o.clock.monotonicMs() + (o.settleTimeoutMs ?? 10_000);
  while (ids.some((id) => { const x = o.orders.get(id); return x !== undefined && !TERMINAL_STATES.has(x.state); })) {
    if (o.clock.monotonicMs() >= deadline || signal.aborted) return;
    await o.clock.sleep(250, signal).catch(() => undefined);
  }
}

/**
 * Quantity to flatten per symbol: bought today by intraday-tagged orders, minus every sell of the day in that
 * symbol whatever its tag or strategy (close-out sells of an earlier run included; an open sell counts in full,
 * since it may still fill), capped by what is held. Counting every sell errs towards holding an intraday share
 * overnight (reported) rather than ever selling a share held from before.
 */
export function intradayFlattenPlan(om: Pick<OrderManager, 'ordersOfDay' | 'positions'>, tag: string, dayMs?: number): Map<string, number> {
  const bought = new Map<string, number>();
  const sold = new Map<string, number>();
  const day = om.ordersOfDay(dayMs).filter((o) => o.market === 'KR');
  for (const o of day) {
    if (o.side === 'buy' && o.tag === tag && o.filledQty > 0) bought.set(o.symbol, (bought.get(o.symbol) ?? 0) + o.filledQty);
  }
  for (const o of day) {
    if (o.side !== 'sell') continue;
    const qty = TERMINAL_STATES.has(o.state) ? o.filledQty : Math.max(o.qty, o.filledQty);
    if (qty > 0) sold.set(o.symbol, (sold.get(o.symbol) ?? 0) + qty);
  }
  const net = new Map<string, number>();
  for (const [symbol, qty] of bought) net.set(symbol, qty - (sold.get(symbol) ?? 0));
  const plan = new Map<string, number>();
  for (const p of om.positions()) {
    if (p.market !== 'KR') continue;
    const qty = Math.min(p.qty, net.get(p.symbol) ?? 0);
    if (qty > 0) plan.set(p.symbol, qty);
  }
  return plan;
}

export function createMarketCloseJob(o: MarketCloseJobOptions): PhaseJob {
  const tag = o.intradayTag ?? INTRADAY_TAG;
  const strategy = o.strategyName ?? 'market-close';
  const regularCloseMin = parseHhMm(o.regularCloseAt ?? '15:30');
  return {
    async run(ctx: PhaseContext) {
      const log = ctx.logger;
      let cancelled = 0;
      for (const order of o.orders.openOrders()) {
        if (order.market !== 'KR' || order.state === 'unknown') continue; // unknown: reconciliation settles it, never guessed
        try {
          const after = await o.orders.cancel(order.clientOrderId, ctx.signal);
          if (after.state === 'cancelled') cancelled++;
        } catch (err) {
          log.warn({ clientOrderId: order.clientOrderId, symbol: order.symbol, err: errorMessage(err) }, 'cancel at market close failed');
        }
      }
      const flatten: PositionsSnapshot['flatten'] = [];
      const flattenIds: string[] = [];
      const sessionOpen = kstMinuteOfDay(o.clock.nowMs()) < regularCloseMin;
      for (const [symbol, qty] of intradayFlattenPlan(o.orders, tag)) {
        ctx.signal.throwIfAborted();
        if (!sessionOpen) {
          // A market sell now is refused (APBK0919): report the quantity held overnight instead.
          flatten.push({ symbol, qty, result: `not sent: the regular session ended at ${o.regularCloseAt ?? '15:30'}; held overnight` });
          continue;
        }
        if (o.risk) {
          const d = await o.risk.check({ strategy, symbol, side: 'sell', qty, priceKrw: o.mark(symbol) ?? 1 }, orderBookRiskView(o.orders, o.mark));
          if (!d.ok) {
            flatten.push({ symbol, qty, result: `refused: ${d.reason}` });
            continue;
          }
        }
        try {
          const order = await o.orders.submit({ strategy, market: 'KR', symbol, side: 'sell', qty, type: 'market', tag: 'close-out' }, ctx.signal);
          flatten.push({ symbol, qty, result: order.state });
          flattenIds.push(order.clientOrderId);
        } catch (err) {
          flatten.push({ symbol, qty, result: `failed: ${errorMessage(err)}` });
        }
      }
      await awaitTerminal(o, flattenIds, ctx.signal);
      for (const f of flatten) {
        const id = flattenIds.find((x) => o.orders.get(x)?.symbol === f.symbol);
        const state = id === undefined ? undefined : o.orders.get(id)?.state;
        if (state !== undefined) f.result = state;
      }
      const nowMs = o.clock.nowMs();
      const snapshot: PositionsSnapshot = {
        date: ctx.ymd,
        created_at: formatKstTimestamp(nowMs),
        positions: o.orders.positions().filter((p) => p.qty !== 0).map((p) => {
          const m = o.mark(p.symbol);
          const markPrice = m !== undefined && Number.isFinite(m) && m > 0 ? m : null;
          return { market: p.market, symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice, markPrice, unrealizedPnl: markPrice === null ? null : (markPrice - p.avgPrice) * p.qty };
        }),
        openOrders: o.orders.openOrders().filter((x) => !TERMINAL_STATES.has(x.state)).map((x) => ({ clientOrderId: x.clientOrderId, symbol: x.symbol, side: x.side, state: x.state, remainingQty: x.qty - x.filledQty })),
        cancelled,
        flatten,
      };
      await writeJsonAtomic(positionsSnapshotPath(o.dataDir, ctx.ymd), snapshot);
      const bad = flatten.filter((f) => !['filled', 'acknowledged', 'partially_filled'].includes(f.result));
      if (bad.length > 0) {
        await o.alerts?.send({
          key: `market-close-flatten:${ctx.ymd}`,
          level: 'ERROR',
          title: `${bad.length} intraday position(s) left open after the close`,
          what: bad.map((f) => `${f.symbol} ${f.qty}: ${f.result}`).join('; '),
          symbols: bad.map((f) => f.symbol),
          nextSteps: 'These positions are held overnight (the strategy time exit before 15:30 did not flatten them). Check them in the positions file and sell manually if needed.',
        });
      }
      log.info({ cancelled, flattened: flatten.length, positions: snapshot.positions.length, openOrders: snapshot.openOrders.length }, 'market close done');
      return { cancelled, flattened: flatten.length, flattenProblems: bad.length, positions: snapshot.positions.length, openOrders: snapshot.openOrders.length };
    },
  };
}
