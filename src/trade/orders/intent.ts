// Validation of an order intent before anything is journaled: shape, integer quantities, price rules per
// market (KRW integers, USD up to 4 decimals), symbol format. Tick size and limits are KIS's to check.
import { InvalidOrderIntentError } from './errors.js';
import type { OrderIntent } from './types.js';

const KR_SYMBOL = /^Q?[0-9A-Z]{6}$/;
const US_SYMBOL = /^[A-Z][A-Z0-9.\-/]{0,11}$/;

/** Returns a normalised copy (symbol upper-cased) or throws InvalidOrderIntentError. */
export function validateIntent(intent: OrderIntent): OrderIntent {
  const bad = (msg: string): never => {
    throw new InvalidOrderIntentError(msg, { strategy: intent?.strategy, symbol: intent?.symbol });
  };
  if (!intent || typeof intent !== 'object') bad('intent must be an object');
  if (typeof intent.strategy !== 'string' || intent.strategy.trim() === '') bad('strategy must be a non-empty string');
  if (intent.market !== 'KR' && intent.market !== 'US') bad(`market must be 'KR' or 'US', got ${String(intent.market)}`);
  if (intent.side !== 'buy' && intent.side !== 'sell') bad(`side must be 'buy' or 'sell', got ${String(intent.side)}`);
  if (intent.type !== 'limit' && intent.type !== 'market') bad(`type must be 'limit' or 'market', got ${String(intent.type)}`);
  if (!Number.isInteger(intent.qty) || intent.qty < 1) bad(`qty must be an integer >= 1, got ${String(intent.qty)}`);
  const symbol = typeof intent.symbol === 'string' ? intent.symbol.trim().toUpperCase() : '';
  if (!(intent.market === 'KR' ? KR_SYMBOL : US_SYMBOL).test(symbol)) bad(`symbol ${JSON.stringify(intent.symbol)} is not a ${intent.market} symbol`);
  if (intent.type === 'limit') {
    const p = intent.price;
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) bad('a limit order needs a price > 0');
    if (intent.market === 'KR' && !Number.isInteger(p)) bad(`KR prices are whole won, got ${String(p)}`);
    if (intent.market === 'US' && Math.abs(Number((p as number).toFixed(4)) - (p as number)) > 1e-9) bad(`US prices have at most 4 decimals, got ${String(p)}`);
  } else if (intent.price !== undefined && intent.price !== 0) {
    bad('a market order takes no price');
  }
  if (intent.market === 'US' && intent.type === 'market') bad('US market orders are not supported (KIS US orders are limit, ORD_DVSN 00)');
  const out: OrderIntent = { strategy: intent.strategy, market: intent.market, symbol, side: intent.side, qty: intent.qty, type: intent.type };
  if (intent.type === 'limit') out.price = intent.price as number;
  if (intent.exchange !== undefined) out.exchange = intent.exchange;
  if (intent.tag !== undefined) out.tag = intent.tag;
  return out;
}
