// An in-memory OrderBroker for unit tests of the order manager: every call can be scripted (a handler that
// returns, throws or waits on a test-controlled promise), and the signals it was given are kept for asserts.
import pino from 'pino';
import type { Balance, CancelInput, CashOrderInput, DailyCcldQuery, DailyExecutions, Execution, Holding, OrderAck, ReviseInput } from '../../../src/kis/rest/index.js';
import { OrderOutcomeUnknownError } from '../../../src/kis/rest/index.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/index.js';
import { createOrderManager, type OrderBroker, type OrderManagerOptions, type RunningOrderManager } from '../../../src/trade/orders/index.js';
import type { KrExecutionNotice } from '../../../src/kis/ws/events.js';

export const silent = pino({ level: 'silent' });

export class FakeBroker implements OrderBroker {
  private next = 1;
  rows: Execution[] = [];
  holdings: Holding[] = [];
  cash: CashOrderInput[] = [];
  revises: ReviseInput[] = [];
  cancels: CancelInput[] = [];
  ccldSignals: (AbortSignal | undefined)[] = [];
  onCash?: (input: CashOrderInput, signal?: AbortSignal) => Promise<OrderAck>;
  onRevise?: (input: ReviseInput, signal?: AbortSignal) => Promise<OrderAck>;
  onCancel?: (input: CancelInput, signal?: AbortSignal) => Promise<OrderAck>;
  onCcld?: (q: DailyCcldQuery) => Promise<DailyExecutions>;
  onBalance?: () => Promise<Balance>;

  ack(): OrderAck {
    return { orgNo: '91252', orderNo: String(this.next++).padStart(10, '0'), orderTime: '100000', msgCd: 'APBK0013', msg1: '' };
  }
  orderCash(input: CashOrderInput, signal?: AbortSignal): Promise<OrderAck> {
    this.cash.push(input);
    return this.onCash ? this.onCash(input, signal) : Promise.resolve(this.ack());
  }
  orderRevise(input: ReviseInput, signal?: AbortSignal): Promise<OrderAck> {
    this.revises.push(input);
    return this.onRevise ? this.onRevise(input, signal) : Promise.resolve(this.ack());
  }
  orderCancel(input: CancelInput, signal?: AbortSignal): Promise<OrderAck> {
    this.cancels.push(input);
    return this.onCancel ? this.onCancel(input, signal) : Promise.resolve(this.ack());
  }
  overseasOrder(): Promise<OrderAck> {
    return Promise.reject(new Error('not used'));
  }
  inquireBalance(): Promise<Balance> {
    return this.onBalance ? this.onBalance() : Promise.resolve({ holdings: this.holdings, summary: undefined, pages: 1 });
  }
  inquireDailyCcld(q: DailyCcldQuery): Promise<DailyExecutions> {
    this.ccldSignals.push(q.signal);
    return this.onCcld ? this.onCcld(q) : Promise.resolve({ executions: this.rows, totals: undefined, pages: 1 });
  }
}

export function holding(code: string, qty: number, avgPrice: number): Holding {
  return { code, name: code, qty, orderableQty: qty, avgPrice, purchaseAmount: null, price: null, evalAmount: null, pnlAmount: null, pnlRatePct: null };
}

export function execution(o: Partial<Execution> & { orderNo: string; code: string; side: 'buy' | 'sell'; orderQty: number }): Execution {
  return {
    orderDate: '20261123', branchNo: '91252', originalOrderNo: '', ordDvsn: '00', name: o.code, orderPrice: 1000, orderTime: '100000',
    filledQty: 0, avgFillPrice: null, filledAmount: null, cancelled: false, remainingQty: o.orderQty, rejectedQty: 0, ...o,
  };
}

export function lostReply(): OrderOutcomeUnknownError {
  return new OrderOutcomeUnknownError({ trId: 'TTTC0012U', sentBody: {}, sentAtEpochMs: 0, clientRef: 'x', reason: 'read timeout' });
}

let seq = 0;
export function notice(o: Partial<KrExecutionNotice> & { orderNo: string }): KrExecutionNotice {
  return {
    kind: 'kr-notice', trId: 'H0STCNI0', receivedAtMs: 1_000 + seq++, htsId: 'kisd', accountNo: '5000001101', originalOrderNo: '', sideCode: '02',
    correctionCode: '0', orderType: '00', orderCondition: '0', code: '005930', qty: 0, price: 0, time: '100001', rejected: false, isFill: false,
    acceptCode: '2', branchNo: '91252', orderQty: 0, name: '', exchangeCode: '1', orderPrice: 0, ...o,
  };
}

export interface Harness {
  clock: FakeClock;
  broker: FakeBroker;
  db: SqliteDatabase;
  om: RunningOrderManager;
}

export function harness(extra: Partial<OrderManagerOptions> = {}): Harness {
  const clock = createFakeClock('2026-11-23 10:00:00');
  const broker = new FakeBroker();
  const db = openDatabase({ path: ':memory:' });
  const om = createOrderManager({ broker, db, clock, log: silent, reconcileIntervalMs: 0, notFoundGraceMs: 60_000, unknownRecheckMs: 3_600_000, ...extra });
  return { clock, broker, db, om };
}

/** A promise and its resolve/reject, for broker calls the test finishes by hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise continuations run (no timers involved). */
export async function turns(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}
