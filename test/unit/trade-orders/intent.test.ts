// Intent validation: invalid intents are refused before anything is journaled.
import { describe, expect, it } from 'vitest';
import { InvalidOrderIntentError, validateIntent, type OrderIntent } from '../../../src/trade/orders/index.js';

const base: OrderIntent = { strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 1, type: 'limit', price: 70000 };

describe('validateIntent', () => {
  it.each([
    [{ qty: 0 }, /qty/],
    [{ qty: 1.5 }, /qty/],
    [{ price: undefined }, /price/],
    [{ price: 70000.5 }, /whole won/],
    [{ type: 'market' as const, price: 1 }, /no price/],
    [{ symbol: '5930' }, /not a KR symbol/],
    [{ side: 'short' as never }, /side/],
    [{ market: 'US' as const, symbol: 'AAPL', type: 'market' as const, price: undefined }, /US market orders/],
    [{ strategy: ' ' }, /strategy/],
  ])('refuses %o', (patch, msg) => {
    expect(() => validateIntent({ ...base, ...patch })).toThrow(InvalidOrderIntentError);
    expect(() => validateIntent({ ...base, ...patch })).toThrow(msg);
  });

  it('normalises the symbol and keeps only known fields', () => {
    expect(validateIntent({ ...base, market: 'US', symbol: 'aapl', price: 187.25, exchange: 'NAS', tag: 'x', extra: 1 } as OrderIntent)).toEqual({
      strategy: 's', market: 'US', symbol: 'AAPL', side: 'buy', qty: 1, type: 'limit', price: 187.25, exchange: 'NAS', tag: 'x',
    });
    expect(validateIntent({ ...base, type: 'market', price: undefined })).not.toHaveProperty('price');
  });
});
