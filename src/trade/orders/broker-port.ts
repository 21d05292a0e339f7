// The broker port of the order path: the KIS REST calls the order manager and reconciliation make.
// `KisRestApi` (src/kis/rest) satisfies it structurally; tests may pass a fake.
import type { Balance, ClockOffsetEstimate, BalanceOptions, CancelInput, CashOrderInput, DailyCcldQuery, DailyExecutions, OrderAck, OverseasOrderInput, ReviseInput } from '../../kis/rest/index.js';

export interface OrderBroker {
  orderCash(input: CashOrderInput, signal?: AbortSignal): Promise<OrderAck>;
  orderRevise(input: ReviseInput, signal?: AbortSignal): Promise<OrderAck>;
  orderCancel(input: CancelInput, signal?: AbortSignal): Promise<OrderAck>;
  overseasOrder(input: OverseasOrderInput, signal?: AbortSignal): Promise<OrderAck>;
  inquireBalance(o?: BalanceOptions): Promise<Balance>;
  inquireDailyCcld(q: DailyCcldQuery): Promise<DailyExecutions>;
  /** host − KIS clock offset as learnt from KIS's replies, if any yet (KisRestApi: its client's estimator). */
  clockOffset?(): ClockOffsetEstimate | undefined;
}
