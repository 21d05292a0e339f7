// The pre-trade risk gate, checked before every order: order value, position per symbol, gross exposure,
// orders per minute and the daily loss limit that trips the kill switch. An order that only reduces a held
// position is an exit and passes every entry limit (also a tripped kill switch): getting flat must always work.
// A strategy's sell is also bounded by its own quantity (RiskRequest.strategySellableQty), never the account's.
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { KillSwitch } from './kill-switch.js';
import { compileRiskLimits, type CompiledRiskLimits, type RiskLimitsOptions } from './risk-limits.js';
import { formatKrw, type RiskDecision, type RiskRejectCode, type RiskRejection, type RiskRequest, type RiskView } from './risk-types.js';

const MINUTE_MS = 60_000;

export interface RiskGateOptions {
  limits?: RiskLimitsOptions;
  clock: Clock;
  logger: Logger;
  killSwitch: KillSwitch;
}

export interface DailyPnl {
  realizedKrw: number;
  unrealizedKrw: number;
  totalKrw: number;
}

function reject(code: RiskRejectCode, reason: string, details: Record<string, string | number | boolean> = {}): RiskRejection {
  return { ok: false, code, reason, details: Object.freeze(details) };
}

/** Realized today plus held quantity marked against its cost (unmarked symbols count at cost). */
export function dailyPnl(view: RiskView): DailyPnl {
  let unrealizedKrw = 0;
  for (const s of view.symbols()) {
    const qty = view.heldQty(s);
    const mark = view.markPrice(s);
    if (qty > 0 && mark !== undefined && mark > 0) unrealizedKrw += (mark - view.avgPrice(s)) * qty;
  }
  const realizedKrw = view.realizedTodayKrw();
  return { realizedKrw, unrealizedKrw, totalKrw: realizedKrw + unrealizedKrw };
}

/** Held quantity at its mark (cost when unmarked) plus open buy orders, KRW. */
function symbolExposure(view: RiskView, symbol: string): number {
  const qty = view.heldQty(symbol);
  const px = view.markPrice(symbol) ?? view.avgPrice(symbol);
  return qty * px + view.openBuyValueKrw(symbol);
}

export class RiskGate {
  readonly limits: CompiledRiskLimits;
  private readonly sentAt: number[] = [];
  private readonly log: Logger;

  constructor(private readonly o: RiskGateOptions) {
    this.limits = compileRiskLimits(o.limits);
    this.log = o.logger.child({ component: 'risk-gate' });
  }

  get killSwitch(): KillSwitch {
    return this.o.killSwitch;
  }

  /**
   * Trips the kill switch when today's P&L is at or below −dailyLossLimitKrw. Called by check() and by the
   * strategy runner's timer, so a position bleeding with no new orders still trips it. Returns the P&L.
   */
  async evaluateDailyLoss(view: RiskView): Promise<DailyPnl> {
    const pnl = dailyPnl(view);
    if (pnl.totalKrw <= -this.limits.dailyLossLimitKrw && !this.o.killSwitch.isTripped()) {
      await this.o.killSwitch.trip(
        `daily loss ${formatKrw(-pnl.totalKrw)} reached the ${formatKrw(this.limits.dailyLossLimitKrw)} limit (realized ${formatKrw(pnl.realizedKrw)}, unrealized ${formatKrw(pnl.unrealizedKrw)})`,
        { realizedKrw: Math.round(pnl.realizedKrw), unrealizedKrw: Math.round(pnl.unrealizedKrw), limitKrw: this.limits.dailyLossLimitKrw },
      );
    }
    return pnl;
  }

  /**
   * Judges one proposed order against the book. An approved entry is counted against the orders-per-minute
   * window at once (conservative: a send that fails afterwards still counted). Never throws.
   */
  async check(req: RiskRequest, view: RiskView): Promise<RiskDecision> {
    const decision = await this.judge(req, view);
    if (!decision.ok) this.log.warn({ strategy: req.strategy, symbol: req.symbol, side: req.side, qty: req.qty, code: decision.code }, `order refused: ${decision.reason}`);
    else if (decision.kind === 'entry') this.sentAt.push(this.o.clock.monotonicMs());
    return decision;
  }

  private async judge(req: RiskRequest, view: RiskView): Promise<RiskDecision> {
    const { symbol, side, qty, priceKrw } = req;
    if (!Number.isInteger(qty) || qty < 1) return reject('invalid-order', `quantity must be a whole number of shares >= 1 (got ${qty})`, { qty });
    if (!Number.isFinite(priceKrw) || priceKrw <= 0) return reject('invalid-order', `no usable price to judge the order value (got ${priceKrw})`, { priceKrw });
    const valueKrw = qty * priceKrw;

    if (side === 'sell') {
      const accountSellable = view.heldQty(symbol) - view.openSellQty(symbol);
      const own = req.strategySellableQty;
      const sellable = own === undefined ? accountSellable : Math.min(accountSellable, own);
      if (qty > sellable) {
        const what = own !== undefined && own < accountSellable ? `the ${Math.max(0, own)} shares ${req.strategy} bought today and is not already selling` : `the ${Math.max(0, sellable)} shares held and not already being sold (cash accounts cannot short)`;
        return reject('oversell', `selling ${qty} ${symbol} would exceed ${what}`, { qty, sellable: Math.max(0, sellable) });
      }
      return { ok: true, kind: 'exit', valueKrw };
    }

    await this.evaluateDailyLoss(view);
    if (this.o.killSwitch.isTripped()) {
      const s = this.o.killSwitch.snapshot();
      return reject('kill-switch', `the kill switch is tripped since ${s?.trippedAt ?? '?'} (${s?.reason ?? 'unknown'}); only exits are allowed`, { since: s?.trippedAt ?? '' });
    }
    const L = this.limits;
    if (valueKrw > L.maxOrderValueKrw) {
      return reject('max-order-value', `order value ${formatKrw(valueKrw)} (${qty} × ${formatKrw(priceKrw)}) exceeds the ${formatKrw(L.maxOrderValueKrw)} limit per order`, { valueKrw, limitKrw: L.maxOrderValueKrw });
    }
    const symbolAfter = symbolExposure(view, symbol) + valueKrw;
    if (symbolAfter > L.maxPositionValueKrw) {
      return reject('max-position', `${symbol} exposure would reach ${formatKrw(symbolAfter)}, over the ${formatKrw(L.maxPositionValueKrw)} limit per symbol`, { exposureKrw: symbolAfter, limitKrw: L.maxPositionValueKrw });
    }
    let gross = valueKrw;
    for (const s of view.symbols()) gross += symbolExposure(view, s);
    if (gross > L.maxGrossExposureKrw) {
      return reject('gross-exposure', `gross exposure would reach ${formatKrw(gross)}, over the ${formatKrw(L.maxGrossExposureKrw)} limit`, { grossKrw: gross, limitKrw: L.maxGrossExposureKrw });
    }
    const now = this.o.clock.monotonicMs();
    while (this.sentAt.length > 0 && now - this.sentAt[0]! >= MINUTE_MS) this.sentAt.shift();
    if (this.sentAt.length >= L.maxOrdersPerMinute) {
      const waitSec = Math.ceil((MINUTE_MS - (now - this.sentAt[0]!)) / 1000);
      return reject('order-rate', `${this.sentAt.length} entry orders in the last minute reached the limit of ${L.maxOrdersPerMinute}; next allowed in ${waitSec} s`, { inLastMinute: this.sentAt.length, limit: L.maxOrdersPerMinute });
    }
    return { ok: true, kind: 'entry', valueKrw };
  }
}
