// The order journal as the order path uses it: every state change and every fill is one SQLite transaction
// (journal row + leg + fill + position together), committed before listeners hear of it. Fill accounting per
// KIS order number ("leg") keeps two lower bounds of the same cumulative quantity — the sum of distinct
// execution notices and daily executions' tot_ccld_qty — and records only increments of their maximum, so a
// fill seen both ways (or twice either way) is counted once; the (leg, cumulative qty) key makes a double
// insert impossible even if that logic were wrong.
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { AttemptAction, OrderJournalRepo, OrderJournalRow, OrderLegRow, JournalPatch } from '../../store/order-journal-repo.js';
import type { PositionsRepo } from '../../store/positions-repo.js';
import { normalizeOrderNo } from './ids.js';
import { TERMINAL_STATES, type Fill, type JournalOrder, type OrderIntent, type OrderState, type OrderUpdate, type Position } from './types.js';

export interface LegProgress {
  /** A realtime fill: counted once per noticeKey. */
  notice?: { key: string; qty: number; price: number; atMs: number };
  /** Daily executions' cumulative filled quantity and amount for the leg. */
  executions?: { filledQty: number; filledAmount: number; atMs: number };
}

export class OrderJournal {
  private readonly fillListeners = new Set<(f: Fill, o: JournalOrder | undefined) => void>();
  private readonly updateListeners = new Set<(u: OrderUpdate) => void>();

  constructor(
    readonly repo: OrderJournalRepo,
    readonly positionsRepo: PositionsRepo,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  onFill(l: (f: Fill, o: JournalOrder | undefined) => void): () => void {
    this.fillListeners.add(l);
    return () => this.fillListeners.delete(l);
  }

  onOrderUpdate(l: (u: OrderUpdate) => void): () => void {
    this.updateListeners.add(l);
    return () => this.updateListeners.delete(l);
  }

  get(id: string): JournalOrder | undefined {
    const row = this.repo.get(id);
    return row ? toOrder(row) : undefined;
  }

  row(id: string): OrderJournalRow | undefined {
    return this.repo.get(id);
  }

  inStates(states: readonly OrderState[]): JournalOrder[] {
    return this.repo.inStates(states).map(toOrder);
  }

  positions(): Position[] {
    return this.positionsRepo.all().map((p) => ({ market: p.market, symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice, realizedPnl: p.realizedPnl }));
  }

  /** Commits the `new` row. */
  create(id: string, intent: OrderIntent): JournalOrder {
    const now = this.clock.nowMs();
    this.repo.insert({
      clientOrderId: id,
      strategy: intent.strategy,
      market: intent.market,
      symbol: intent.symbol,
      exchange: intent.exchange ?? null,
      side: intent.side,
      orderType: intent.type,
      qty: intent.qty,
      price: intent.price ?? null,
      tag: intent.tag ?? null,
      state: 'new',
      kisOrgNo: null,
      kisOrderNo: null,
      filledQty: 0,
      filledAmount: 0,
      createdAtMs: now,
      sentAtMs: null,
      updatedAtMs: now,
      lastError: null,
      pendingAction: null,
      pendingJson: null,
      pendingSentAtMs: null,
    });
    const order = this.get(id)!;
    this.emitUpdate(order, 'new');
    return order;
  }

  /** Applies a patch in its own transaction and tells listeners when the state changed. */
  patch(id: string, patch: JournalPatch): JournalOrder | undefined {
    const r = this.repo.transaction(() => {
      const before = this.repo.get(id);
      if (!before) return undefined;
      this.repo.update(id, patch, this.clock.nowMs());
      return { before: before.state, after: this.repo.get(id)! };
    });
    if (!r) return undefined;
    const order = toOrder(r.after);
    if (order.state !== r.before || patch.kisOrderNo !== undefined || patch.qty !== undefined || patch.price !== undefined) this.emitUpdate(order, r.before);
    return order;
  }

  /**
   * Records that KIS order number kisOrderNo belongs to order id (its ack, or a match found by
   * reconciliation). Idempotent. The journal's kisOrderNo/kisOrgNo point to the newest leg.
   */
  attachLeg(id: string, leg: { kisOrderNo: string; kisOrgNo: string; qty: number; price: number | null }, state?: OrderState): JournalOrder | undefined {
    const no = normalizeOrderNo(leg.kisOrderNo);
    const r = this.repo.transaction(() => {
      const before = this.repo.get(id);
      if (!before) return undefined;
      const existing = this.repo.leg(no);
      if (existing && existing.clientOrderId !== id) {
        throw new Error(`KIS order ${no} already belongs to ${existing.clientOrderId}, not ${id}`);
      }
      if (!existing) {
        this.repo.insertLeg({ kisOrderNo: no, clientOrderId: id, kisOrgNo: leg.kisOrgNo || null, qty: leg.qty, price: leg.price, noticeFilledQty: 0, noticeFilledAmount: 0, filledQty: 0, filledAmount: 0, closed: 0, createdAtMs: this.clock.nowMs() });
      }
      // The journal keeps KIS's own spelling (10-digit ODNO) for revise/cancel requests; legs are normalised.
      const patch: JournalPatch = existing && before.kisOrderNo !== null ? {} : { kisOrderNo: leg.kisOrderNo.trim(), kisOrgNo: leg.kisOrgNo || before.kisOrgNo || null };
      if (state && !TERMINAL_STATES.has(before.state) && !(before.state === 'partially_filled' && state === 'acknowledged')) patch.state = state;
      this.repo.update(id, patch, this.clock.nowMs());
      return { before: before.state, after: this.repo.get(id)! };
    });
    if (!r) return undefined;
    const order = toOrder(r.after);
    this.emitUpdate(order, r.before);
    return order;
  }

  /** Records that a request of order id left at sentAtMs (committed before the bytes leave; idempotent). */
  recordAttempt(id: string, action: AttemptAction, sentAtMs: number): void {
    this.repo.insertAttempt(id, action, sentAtMs);
  }

  /** Retracts an attempt that provably never reached KIS (connect refused). */
  retractAttempt(id: string, action: AttemptAction, sentAtMs: number): void {
    this.repo.deleteAttempt(id, action, sentAtMs);
  }

  /** When the order's requests of that action left (wall ms, oldest first); empty when none is known to have. */
  attemptsOf(id: string, action: AttemptAction = 'order'): number[] {
    return this.repo.attemptsOf(id, action);
  }

  legsOf(id: string): OrderLegRow[] {
    return this.repo.legsOf(id);
  }

  leg(kisOrderNo: string): OrderLegRow | undefined {
    return this.repo.leg(normalizeOrderNo(kisOrderNo));
  }

  /**
   * Advances a leg's filled quantity (see the file comment); records the increment as one fill, moves the
   * position, and updates the order's filled quantity and state — all in one transaction. Returns the fill
   * recorded, if any.
   */
  applyProgress(kisOrderNo: string, p: LegProgress, source: Fill['source']): Fill | undefined {
    const no = normalizeOrderNo(kisOrderNo);
    const r = this.repo.transaction(() => {
      const leg = this.repo.leg(no);
      if (!leg) return undefined;
      const row = this.repo.get(leg.clientOrderId);
      if (!row) return undefined;
      let target = leg.filledQty;
      let incPrice: number | undefined;
      let atMs = this.clock.nowMs();
      const legPatch: Parameters<OrderJournalRepo['updateLeg']>[1] = {};
      if (p.notice) {
        if (!this.repo.markNoticeSeen(no, p.notice.key, p.notice.atMs)) return undefined; // the same notice again
        legPatch.noticeFilledQty = leg.noticeFilledQty + p.notice.qty;
        legPatch.noticeFilledAmount = leg.noticeFilledAmount + p.notice.qty * p.notice.price;
        if (legPatch.noticeFilledQty > target) {
          target = legPatch.noticeFilledQty;
          incPrice = p.notice.price;
          atMs = p.notice.atMs;
        }
      }
      if (p.executions && p.executions.filledQty > target) {
        const inc = p.executions.filledQty - leg.filledQty;
        const amount = p.executions.filledAmount - leg.filledAmount;
        // The increment's price from the amounts when they are consistent, else the executions' average.
        incPrice = amount > 0 && inc > 0 ? amount / inc : p.executions.filledAmount / p.executions.filledQty;
        target = p.executions.filledQty;
        atMs = p.executions.atMs;
      }
      if (target > leg.qty) {
        this.log.error({ kisOrderNo: no, legQty: leg.qty, target }, 'fills exceed the order quantity; capping (reconciliation will correct from KIS)');
        target = leg.qty;
      }
      const inc = target - leg.filledQty;
      if (inc <= 0 || incPrice === undefined) {
        this.repo.updateLeg(no, legPatch);
        return undefined;
      }
      const fill: Fill = { clientOrderId: row.clientOrderId, kisOrderNo: no, market: row.market, symbol: row.symbol, side: row.side, qty: inc, price: incPrice, atMs, source };
      if (!this.repo.insertFill({ kisOrderNo: no, cumQty: target, clientOrderId: row.clientOrderId, market: row.market, symbol: row.symbol, side: row.side, qty: inc, price: incPrice, atMs, source })) {
        throw new Error(`fill ${no}#${target} already recorded`); // rolls back: cannot happen unless the leg row lied
      }
      this.repo.updateLeg(no, { ...legPatch, filledQty: target, filledAmount: leg.filledAmount + inc * incPrice });
      const filledQty = row.filledQty + inc;
      const filledAmount = row.filledAmount + inc * incPrice;
      // A fill after a cancel ack (it happened before the cancel) keeps the order cancelled unless it completes it.
      const state: OrderState = filledQty >= row.qty ? 'filled' : TERMINAL_STATES.has(row.state) ? row.state : 'partially_filled';
      this.repo.update(row.clientOrderId, { filledQty, filledAmount, state }, this.clock.nowMs());
      this.positionsRepo.applyFill(row.market, row.symbol, row.side, inc, incPrice, atMs);
      return { fill, before: row.state, after: this.repo.get(row.clientOrderId)! };
    });
    if (!r) return undefined;
    const order = toOrder(r.after);
    for (const l of this.fillListeners) safeCall(this.log, 'fill listener', () => l(r.fill, order));
    this.emitUpdate(order, r.before);
    return r.fill;
  }

  /** Sets a leg's order quantity (a revision's quantity as KIS reports it). */
  setLegQty(kisOrderNo: string, qty: number): void {
    this.repo.updateLeg(normalizeOrderNo(kisOrderNo), { qty });
  }

  /** Marks a leg's remainder closed (cancelled, expired or moved to a revision). */
  closeLeg(kisOrderNo: string): void {
    this.repo.updateLeg(normalizeOrderNo(kisOrderNo), { closed: 1 });
  }

  private emitUpdate(order: JournalOrder, previousState: OrderState): void {
    for (const l of this.updateListeners) safeCall(this.log, 'order-update listener', () => l({ order, previousState }));
  }
}

function safeCall(log: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error({ err: errorMessage(err) }, `${what} threw`);
  }
}

export function toOrder(r: OrderJournalRow): JournalOrder {
  const o: JournalOrder = {
    clientOrderId: r.clientOrderId,
    strategy: r.strategy,
    market: r.market,
    symbol: r.symbol,
    side: r.side,
    qty: r.qty,
    type: r.orderType,
    state: r.state,
    filledQty: r.filledQty,
    createdAtMs: r.createdAtMs,
    updatedAtMs: r.updatedAtMs,
  };
  if (r.price !== null) o.price = r.price;
  if (r.exchange !== null) o.exchange = r.exchange;
  if (r.tag !== null) o.tag = r.tag;
  if (r.kisOrderNo !== null) o.kisOrderNo = r.kisOrderNo;
  if (r.kisOrgNo !== null) o.kisOrgNo = r.kisOrgNo;
  if (r.filledQty > 0) o.avgFillPrice = r.filledAmount / r.filledQty;
  if (r.sentAtMs !== null) o.sentAtMs = r.sentAtMs;
  if (r.lastError !== null) o.lastError = r.lastError;
  return o;
}
