// The order manager: the one way kisd places, revises and cancels orders. Every intent is committed to the
// SQLite journal as `new`, then `sent` — both before any byte leaves — and sent exactly once. A lost reply
// (OrderOutcomeUnknownError) leaves it `unknown`; it is never sent again but settled by reconciliation
// (daily executions) and execution notices, looking around the instants its bytes left (each attempt is
// committed as it leaves; the REST client tells us). An order that cannot leave within sendDeadlineMs of the
// decision is abandoned as `failed`, never sent late. Crash-only start-up: `new` rows were never sent (closed as
// cancelled-before-send), `sent`/`unknown` rows are settled by the start-up reconciliation, and trading
// stays disallowed until that reconciliation has passed (nautilus_trader's "unknown is reconciled, not resent").
import type { Logger } from 'pino';
import { unrefTimer, type TimerHandle } from '../../core/clock.js';
import { AbortedError, errorMessage, KisdError } from '../../core/errors.js';
import { kstAt } from '../../core/kst.js';
import type { OrderAck, OrderSendOptions } from '../../kis/rest/index.js';
import type { KrExecutionNotice, RealtimeEvent } from '../../kis/ws/events.js';
import { createOrderJournalRepo, type OrderFillRow } from '../../store/order-journal-repo.js';
import { createPositionsRepo } from '../../store/positions-repo.js';
import { sameSymbol } from './reconcile/match.js';
import { reconcileOnce } from './reconcile/reconciler.js';
import { InvalidOrderIntentError, OrderNotChangeableError, TradingNotAllowedError } from './errors.js';
import { newClientOrderId, normalizeOrderNo } from './ids.js';
import { validateIntent } from './intent.js';
import { OrderJournal, toOrder } from './journal.js';
import { NoticeHandler, type NoticeHandlerStats } from './notice-handler.js';
import { compileOrderManagerOptions, type CompiledOrderManagerOptions, type OrderManagerOptions } from './options.js';
import { settleLegClosed, settleRevision } from './settle.js';
import { TERMINAL_STATES, type Fill, type JournalOrder, type OrderIntent, type OrderManager, type OrderState, type ReconcileReport } from './types.js';

/** A bus the manager can take notices from (src/feed's EventBus<RealtimeEvent> fits). */
export interface NoticeSource {
  subscribe(handler: (e: RealtimeEvent) => void, opts: { name: string; capacity?: number; dropPolicy?: 'drop-oldest' | 'drop-newest' }): { unsubscribe(): void };
}

export interface RunningOrderManager extends OrderManager {
  readonly options: CompiledOrderManagerOptions;
  /**
   * Crash recovery + start-up reconciliation, then the reconciliation schedule. Resolves with the first
   * report (trading is allowed iff it passed; a failed one is retried on the schedule). Call once.
   */
  start(signal?: AbortSignal): Promise<ReconcileReport>;
  /** Stops the schedule, aborts a running reconciliation and waits for it to unwind. */
  stop(): Promise<void>;
  /** Applies one execution notice (idempotent). */
  handleNotice(n: KrExecutionNotice): void;
  /** Feeds kr-notice events of a bus into handleNotice; returns an unsubscribe. */
  consumeNotices(bus: NoticeSource): () => void;
  noticeStats(): NoticeHandlerStats;
  /** The latest reconciliation report, if any ran. */
  lastReconcile(): ReconcileReport | undefined;
  /** When the order's requests left for KIS (wall ms, oldest first); empty when none did. */
  sendAttempts(clientOrderId: string): number[];
}

/** A journaled fill row as the order manager's Fill. */
function fillOfRow(r: OrderFillRow): Fill {
  return { ...(r.clientOrderId !== null ? { clientOrderId: r.clientOrderId } : {}), kisOrderNo: r.kisOrderNo, market: r.market, symbol: r.symbol, side: r.side, qty: r.qty, price: r.price, atMs: r.atMs, source: r.source };
}

/** States whose order may still trade or whose outcome KIS has not yet confirmed. */
const UNSETTLED: readonly OrderState[] = ['new', 'sent', 'acknowledged', 'partially_filled', 'unknown'];

export function createOrderManager(raw: OrderManagerOptions): RunningOrderManager {
  const options = compileOrderManagerOptions(raw);
  const { broker, clock } = raw;
  const log: Logger = raw.log.child({ component: 'order-manager' });
  const journal = new OrderJournal(createOrderJournalRepo(raw.db), createPositionsRepo(raw.db), clock, log);
  /** ownFills' fills before the KST day starting at `from`, dropped when a fill dated before it arrives. */
  let beforeDay: { from: number; fills: Fill[] } | undefined;
  journal.onFill((f, o) => {
    if (beforeDay && f.atMs < beforeDay.from) beforeDay = undefined;
    // Every fill, whatever brought it (notice, executions, balance), gets one line: most arrive after the
    // order's acknowledgement, whose own line says only "acknowledged".
    log.info(
      { clientOrderId: f.clientOrderId, kisOrderNo: f.kisOrderNo, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, source: f.source, state: o?.state, filledQty: o?.filledQty },
      `fill: ${f.side} ${f.qty} ${f.symbol} @ ${f.price} (${f.source}); order ${o ? `${o.state} ${o.filledQty}/${o.qty}` : 'unknown'}`,
    );
  });
  // A repeated fill notice may have been a second real fill: daily executions settle it at the recheck.
  const notices = new NoticeHandler(journal, log, undefined, () => scheduleRecheck());
  const inFlight = new Set<string>();
  const crash = (point: Parameters<NonNullable<OrderManagerOptions['crashHook']>>[0], id: string): void | Promise<never> => raw.crashHook?.(point, id);
  let allowed = false;
  let positionsVerified = false;
  let last: ReconcileReport | undefined;
  let running: Promise<ReconcileReport> | undefined;
  let interval: TimerHandle | undefined;
  let recheck: TimerHandle | undefined;
  let stopped = false;
  // Aborted by stop(): every reconciliation (scheduled or called) runs under it, so stop() never waits out
  // a slow pass's requests (the daemon's stop deadline is 20 s).
  const lifecycle = new AbortController();

  const alert = (a: Parameters<NonNullable<OrderManagerOptions['alerts']>['send']>[0]): void => {
    raw.alerts?.send(a).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'order alert failed'));
  };

  function reconcile(signal?: AbortSignal): Promise<ReconcileReport> {
    // One at a time: a second caller shares the running pass.
    const s = signal ? AbortSignal.any([lifecycle.signal, signal]) : lifecycle.signal;
    running ??= reconcileOnce(
      { journal, broker, clock, log, alerts: raw.alerts, options, inFlight, onLegAttached: (no) => notices.flush(no), requirePositionCheck: !positionsVerified, bufferedNotices: () => notices.bufferedOrders() },
      s,
    )
      .then((r) => {
        last = r;
        if (r.positionsChecked) positionsVerified = true;
        allowed = r.passed;
        return r;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  /** Nothing to settle: the scheduled pass can wait for idleReconcileIntervalMs (see the option). */
  function idle(): boolean {
    return last?.passed === true && journal.inStates(UNSETTLED).length === 0 && notices.bufferedOrders().length === 0;
  }

  function scheduleRecheck(): void {
    if (stopped || recheck !== undefined) return;
    recheck = clock.setTimeout(() => {
      recheck = undefined;
      void reconcile().catch((err: unknown) => log.error({ err: errorMessage(err) }, 'reconciliation failed'));
    }, options.unknownRecheckMs);
    unrefTimer(recheck);
  }

  /** A `new` row was committed but `sent` never was: its bytes never left (sent is written first). */
  function closeNeverSent(): number {
    const rows = journal.inStates(['new']);
    for (const o of rows) journal.patch(o.clientOrderId, { state: 'cancelled', lastError: 'cancelled before send (process stopped between journal and send)' });
    if (rows.length > 0) log.warn({ count: rows.length }, 'journal rows never sent were closed as cancelled');
    return rows.length;
  }

  async function send(o: OrderIntent, id: string, sendOpts: OrderSendOptions, signal?: AbortSignal): Promise<OrderAck> {
    if (o.market === 'KR') {
      return broker.orderCash({ side: o.side, code: o.symbol, qty: o.qty, price: o.type === 'market' ? 0 : (o.price ?? 0), ordDvsn: o.type === 'market' ? '01' : '00', clientRef: id, send: sendOpts }, signal);
    }
    return broker.overseasOrder({ side: o.side, symbol: o.symbol, exchange: o.exchange ?? 'NAS', qty: o.qty, price: o.price ?? 0, ordDvsn: '00', clientRef: id, send: sendOpts }, signal);
  }

  /**
   * The send seam's journal side: every attempt is committed as its bytes leave (a crash right after still
   * knows it may have reached KIS) and retracted when it provably did not (connect refused).
   */
  function attemptRecorder(id: string, action: 'order' | 'cancel' | 'revise'): Pick<OrderSendOptions, 'onSend' | 'onNotReached'> {
    return { onSend: (sentAtMs) => journal.recordAttempt(id, action, sentAtMs), onNotReached: (sentAtMs) => journal.retractAttempt(id, action, sentAtMs) };
  }

  /** A lost reply's error carries when its bytes left: recorded too (the seam's callback may not have run, e.g. a fake broker). */
  function recordLostReplyAttempt(id: string, action: 'order' | 'cancel' | 'revise', err: unknown): void {
    const at = err instanceof KisdError ? err.details['sentAtEpochMs'] : undefined;
    if (typeof at === 'number' && at > 0) journal.recordAttempt(id, action, at);
  }

  /** Classifies a failed order request: unknown (never resend) or refused/not sent. */
  function failure(err: unknown): { unknown: boolean; text: string } {
    // Read by stable code and disposition (STYLE rule 5), not by the adapter's classes: OrderOutcomeUnknownError
    // is 'unresolved'; a broker refusal (KIS_API_ERROR) is best told in KIS's own code and message.
    if (err instanceof KisdError && err.disposition === 'unresolved') return { unknown: true, text: errorMessage(err) };
    if (err instanceof KisdError && err.code === 'KIS_API_ERROR') return { unknown: false, text: `${String(err.details['msgCd'] ?? '')} ${String(err.details['msg1'] ?? '').trim()}`.trim() };
    if (err instanceof KisdError) return { unknown: false, text: errorMessage(err) };
    // Anything unexpected might have happened after the bytes left: the safe reading is "unknown".
    return { unknown: true, text: errorMessage(err) };
  }

  /**
   * While trading is paused after a failed reconciliation, exits must still work (a lost stop-loss reply
   * fails the next pass): a KR sell is accepted when it only reduces a position the balance has confirmed —
   * qty ≤ held − the open sell quantity of the symbol (unknown sells count as open, so a lost exit is not
   * doubled). Returns why it is refused, or undefined to accept. Buys, US orders, and everything before
   * positions were ever compared with KIS, stay refused.
   */
  function pausedRefusal(o: OrderIntent): string | undefined {
    const why = last ? 'the last reconciliation did not pass' : 'start-up reconciliation has not run';
    if (!positionsVerified || o.market !== 'KR' || o.side !== 'sell') return why;
    const held = journal.positions().find((p) => p.market === 'KR' && sameSymbol(p.symbol, o.symbol))?.qty ?? 0;
    const selling = journal
      .inStates(UNSETTLED)
      .filter((x) => x.market === 'KR' && x.side === 'sell' && sameSymbol(x.symbol, o.symbol))
      .reduce((sum, x) => sum + Math.max(0, x.qty - x.filledQty), 0);
    const free = held - selling;
    return o.qty <= free ? undefined : `${why}; only sells reducing a held position are accepted (${o.symbol}: ${held} held, ${selling} already being sold)`;
  }

  async function submit(intent: OrderIntent, signal?: AbortSignal): Promise<JournalOrder> {
    if (!allowed && last === undefined) throw new TradingNotAllowedError('start-up reconciliation has not run');
    const clean = validateIntent(intent);
    if (!allowed) {
      const why = pausedRefusal(clean);
      if (why !== undefined) throw new TradingNotAllowedError(why);
      log.warn({ symbol: clean.symbol, qty: clean.qty }, 'trading paused: accepting a sell that only reduces a held position');
    }
    // The decision is now: an order that cannot leave within sendDeadlineMs is abandoned, never sent late.
    const deadlineMonoMs = clock.monotonicMs() + options.sendDeadlineMs;
    const id = newClientOrderId(clock.nowMs());
    journal.create(id, clean);
    // A crash hook that halts (an in-process kill) is awaited; none, or one that returns, costs no turn.
    let halt = crash('after-new', id);
    if (halt) await halt;
    journal.patch(id, { state: 'sent', sentAtMs: clock.nowMs() });
    halt = crash('after-sent', id);
    if (halt) await halt;
    inFlight.add(id);
    let ack: OrderAck;
    try {
      ack = await send(clean, id, { deadlineMonoMs, ...attemptRecorder(id, 'order') }, signal);
    } catch (err) {
      inFlight.delete(id);
      if (err instanceof KisdError && err.code === 'KIS_ORDER_NOT_SENT') return abandonNotSent(id, clean, err);
      const f = failure(err);
      if (f.unknown) {
        recordLostReplyAttempt(id, 'order', err);
        log.error({ clientOrderId: id, symbol: clean.symbol, err: f.text }, 'order outcome unknown: not resending; reconciliation will settle it');
        alert({ key: `order-unknown:${id}`, level: 'WARNING', title: `Order outcome unknown: ${clean.side} ${clean.qty} ${clean.symbol}`, what: `The reply to order ${id} was lost (${f.text}). It is not resent; reconciliation settles it.`, details: { clientOrderId: id, symbol: clean.symbol } });
        const o = journal.patch(id, { state: 'unknown', lastError: f.text })!;
        scheduleRecheck();
        return o;
      }
      log.warn({ clientOrderId: id, symbol: clean.symbol, err: f.text }, 'order refused');
      return journal.patch(id, { state: 'rejected', lastError: f.text })!;
    }
    inFlight.delete(id);
    halt = crash('after-reply', id);
    if (halt) await halt;
    // A reconciliation may have attached this number already while the reply was in flight: attachLeg is idempotent.
    const o = journal.attachLeg(id, { kisOrderNo: ack.orderNo, kisOrgNo: ack.orgNo, qty: clean.qty, price: clean.price ?? null }, 'acknowledged')!;
    halt = crash('after-ack', id);
    if (halt) await halt;
    notices.flush(ack.orderNo);
    return journal.get(id) ?? o;
  }

  /** The order could not leave within its send deadline: nothing reached KIS, and it is never sent late. */
  function abandonNotSent(id: string, o: OrderIntent, err: KisdError): JournalOrder {
    const why = `not sent: could not leave within ${options.sendDeadlineMs} ms of the decision (${err.message})`;
    log.error({ clientOrderId: id, symbol: o.symbol, side: o.side, qty: o.qty }, 'order abandoned: its send deadline passed before it could leave; not sent late');
    alert({ key: `order-not-sent:${id}`, level: 'WARNING', title: `Order not sent: ${o.side} ${o.qty} ${o.symbol}`, what: `Order ${id} could not leave within ${options.sendDeadlineMs / 1000} s of the decision (KIS unreachable, or token/rate waits). It was abandoned, not sent late.`, details: { clientOrderId: id, symbol: o.symbol } });
    return journal.patch(id, { state: 'failed', lastError: why })!;
  }

  function changeable(id: string, action: 'cancel' | 'revise') {
    const row = journal.row(id);
    if (!row) throw new OrderNotChangeableError(id, 'no such order');
    if (TERMINAL_STATES.has(row.state)) throw new OrderNotChangeableError(id, `order is ${row.state}`);
    if (row.kisOrderNo === null || row.kisOrgNo === null) throw new OrderNotChangeableError(id, `order has no KIS order number yet (${row.state})`);
    if (row.pendingAction !== null) throw new OrderNotChangeableError(id, `a ${row.pendingAction} is unresolved; it is never resent`);
    if (row.market !== 'KR') throw new OrderNotChangeableError(id, `${action} of US orders is not supported yet`);
    return { ...row, kisOrderNo: row.kisOrderNo, kisOrgNo: row.kisOrgNo };
  }

  async function change(id: string, action: 'cancel' | 'revise', price: number | undefined, signal?: AbortSignal): Promise<JournalOrder> {
    // A cancel only reduces exposure: allowed even while trading is paused. A revision is a new price: not.
    if (action === 'revise' && !allowed) throw new TradingNotAllowedError('the last reconciliation did not pass');
    const row = changeable(id, action);
    const legNo = normalizeOrderNo(row.kisOrderNo);
    const remaining = row.qty - row.filledQty;
    journal.patch(id, { pendingAction: action, pendingJson: JSON.stringify({ legNo, price }), pendingSentAtMs: clock.nowMs() });
    inFlight.add(id);
    try {
      if (action === 'cancel') {
        await broker.orderCancel({ orgNo: row.kisOrgNo, orderNo: row.kisOrderNo, clientRef: `${id}:cancel`, send: attemptRecorder(id, 'cancel') }, signal);
        inFlight.delete(id);
        return settleLegClosed(journal, id, legNo, 'cancelled') ?? journal.get(id)!;
      }
      const ack = await broker.orderRevise({ orgNo: row.kisOrgNo, orderNo: row.kisOrderNo, ordDvsn: '00', qty: remaining, price: price!, all: true, clientRef: `${id}:revise`, send: attemptRecorder(id, 'revise') }, signal);
      inFlight.delete(id);
      // KIS revises what is left when it processes the request (QTY_ALL_ORD_YN Y), so fills that landed while
      // the request was out are not in it: take the old leg's remainder now, not the one from before the
      // request. A fill notified even later is corrected by the revision's notice / daily executions row.
      const oldLeg = journal.leg(legNo);
      const revisedQty = oldLeg ? Math.max(0, oldLeg.qty - oldLeg.filledQty) : remaining;
      const o = settleRevision(journal, id, legNo, { kisOrderNo: ack.orderNo, kisOrgNo: ack.orgNo, qty: revisedQty, price: price! }, { qtyIsFinal: false }) ?? journal.get(id)!;
      notices.flush(ack.orderNo);
      return o;
    } catch (err) {
      inFlight.delete(id);
      const f = failure(err);
      if (f.unknown) {
        recordLostReplyAttempt(id, action, err);
        log.error({ clientOrderId: id, action, err: f.text }, `${action} outcome unknown: not resending; reconciliation will settle it`);
        scheduleRecheck();
        return journal.patch(id, { lastError: `${action} outcome unknown: ${f.text}` })!;
      }
      log.warn({ clientOrderId: id, action, err: f.text }, `${action} refused`);
      return journal.patch(id, { pendingAction: null, pendingJson: null, pendingSentAtMs: null, lastError: `${action} refused: ${f.text}` })!;
    }
  }

  const manager: RunningOrderManager = {
    options,
    get tradingAllowed() {
      return allowed;
    },
    submit,
    cancel: (id, signal) => change(id, 'cancel', undefined, signal),
    revise(id, c, signal) {
      const row = journal.row(id);
      if (c.price === undefined || !(c.price > 0)) return Promise.reject(new InvalidOrderIntentError('revise needs a price > 0'));
      if (row && c.qty !== undefined && c.qty !== row.qty - row.filledQty) {
        // KIS moves the revised quantity to a new order and leaves the rest at the old price; kisd revises the
        // whole remainder only, so one order never splits into two live prices.
        return Promise.reject(new InvalidOrderIntentError(`revise changes the price of the whole remaining quantity (${row.qty - row.filledQty}); cancel and resubmit to change the size`));
      }
      if (row?.market === 'KR' && !Number.isInteger(c.price)) return Promise.reject(new InvalidOrderIntentError('KR prices are whole won'));
      return change(id, 'revise', c.price, signal);
    },
    get: (id) => journal.get(id),
    openOrders: () => journal.inStates(['sent', 'acknowledged', 'partially_filled', 'unknown']),
    ordersOfDay(dayMs = clock.nowMs()) {
      const from = kstAt(dayMs, 0);
      return journal.repo.createdBetween(from, from + 86_400_000).map(toOrder);
    },
    positions: () => journal.positions(),
    ownFills(dayMs = clock.nowMs()) {
      const from = kstAt(dayMs, 0);
      // The risk check runs every few seconds and on every decision; the fills before today change only when
      // a late fill dated before today is journaled (the fill listener at the top drops them), so they are read once a day.
      if (beforeDay?.from !== from) beforeDay = { from, fills: journal.repo.fillsBetween(0, from).map(fillOfRow) };
      return { beforeToday: beforeDay.fills, today: journal.repo.fillsBetween(from, from + 86_400_000).map(fillOfRow) };
    },
    onFill: (l) => journal.onFill(l),
    onOrderUpdate: (l) => journal.onOrderUpdate(l),
    reconcile,
    async start(signal) {
      closeNeverSent();
      const first = await reconcile(signal).catch((err: unknown): ReconcileReport => {
        const now = clock.nowMs();
        return { passed: false, startedAtMs: now, finishedAtMs: now, settledOrders: 0, addedFillQty: 0, differences: [], unresolved: [], positionsChecked: false, error: errorMessage(err) };
      });
      if (!first.passed) {
        log.error({ error: first.error, unresolved: first.unresolved.length }, 'start-up reconciliation did not pass: trading stays disallowed');
        alert({ key: 'reconcile:startup', level: 'CRITICAL', title: 'Start-up reconciliation did not pass; trading is disallowed', what: first.error ?? `${first.unresolved.length} order(s) still unresolved`, details: { unresolved: first.unresolved.length } });
        scheduleRecheck();
      }
      if (options.reconcileIntervalMs > 0 && !stopped) {
        interval = clock.setInterval(() => {
          if (idle() && clock.nowMs() - (last?.startedAtMs ?? -Infinity) < options.idleReconcileIntervalMs) return;
          void reconcile().catch((err: unknown) => log.error({ err: errorMessage(err) }, 'reconciliation failed'));
        }, options.reconcileIntervalMs);
        unrefTimer(interval);
      }
      return first;
    },
    async stop() {
      stopped = true;
      clock.clearInterval(interval);
      clock.clearTimeout(recheck);
      interval = recheck = undefined;
      lifecycle.abort(new AbortedError('order manager stopping'));
      await running?.catch(() => undefined);
    },
    handleNotice: (n) => notices.handle(n),
    consumeNotices(bus) {
      const sub = bus.subscribe((e) => {
        if (e.kind === 'kr-notice') notices.handle(e);
      }, { name: 'order-manager', capacity: 100_000, dropPolicy: 'drop-newest' });
      return () => sub.unsubscribe();
    },
    noticeStats: () => notices.stats(),
    lastReconcile: () => last,
    sendAttempts: (id) => journal.attemptsOf(id, 'order'),
  };
  return manager;
}
