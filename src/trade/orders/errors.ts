// Failures of the order manager's own checks (STYLE rule 5: stable code + disposition). KIS refusals are not
// thrown: a refused order resolves as a journaled order in state `rejected`.
import { KisdError } from '../../core/errors.js';

/** The intent is invalid (qty, price, type, symbol format); nothing was journaled or sent. */
export class InvalidOrderIntentError extends KisdError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('KISD_ORDER_INVALID', message, { disposition: 'fatal', details });
  }
}

/** Orders are refused until start-up reconciliation has passed (and after a reconciliation fails). */
export class TradingNotAllowedError extends KisdError {
  constructor(reason: string) {
    super('KISD_TRADING_NOT_ALLOWED', `trading not allowed: ${reason}`, { disposition: 'retryable' });
  }
}

/** cancel/revise on an order that is unknown to the journal or cannot be changed in its state. */
export class OrderNotChangeableError extends KisdError {
  constructor(clientOrderId: string, reason: string) {
    super('KISD_ORDER_NOT_CHANGEABLE', `order ${clientOrderId}: ${reason}`, { disposition: 'fatal', details: { clientOrderId } });
  }
}
