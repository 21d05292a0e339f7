// Overseas (US) symbols and exchange codes: quote/WS exchange codes (NAS/NYS/AMS) differ from the order
// exchange codes (NASD/NYSE/AMEX) (fact sheet §4.1, §4.4).
import { SymbolError } from './domestic.js';

export type UsQuoteExchange = 'NAS' | 'NYS' | 'AMS';
export type UsOrderExchange = 'NASD' | 'NYSE' | 'AMEX';

const QUOTE_TO_ORDER: Record<UsQuoteExchange, UsOrderExchange> = { NAS: 'NASD', NYS: 'NYSE', AMS: 'AMEX' };
const ORDER_TO_QUOTE: Record<UsOrderExchange, UsQuoteExchange> = { NASD: 'NAS', NYSE: 'NYS', AMEX: 'AMS' };

export interface OverseasSymbol {
  /** As KIS takes it in SYMB / PDNO, e.g. "AAPL", "BRK/B". */
  symbol: string;
  exchange: UsQuoteExchange;
  orderExchange: UsOrderExchange;
}

// 1–5 letters, optionally a share class after '.' or '/' (BRK.B, BRK/B). Which separator KIS expects for
// class shares is ❓ unconfirmed; both are accepted and passed through unchanged.
const US_SYMBOL = /^[A-Z]{1,5}([./][A-Z]{1,2})?$/;

/** Accepts NAS/NYS/AMS or NASD/NYSE/AMEX; throws SymbolError otherwise. */
export function parseUsExchange(input: string): UsQuoteExchange {
  const x = input.trim();
  if (x in QUOTE_TO_ORDER) return x as UsQuoteExchange;
  if (x in ORDER_TO_QUOTE) return ORDER_TO_QUOTE[x as UsOrderExchange];
  throw new SymbolError(`invalid US exchange ${JSON.stringify(input)}: expected NAS, NYS or AMS (or NASD, NYSE, AMEX)`, input);
}

export function toOrderExchange(exchange: UsQuoteExchange): UsOrderExchange {
  return QUOTE_TO_ORDER[exchange];
}

export function toQuoteExchange(exchange: UsOrderExchange): UsQuoteExchange {
  return ORDER_TO_QUOTE[exchange];
}

/** Validates a US symbol and its exchange; throws SymbolError saying what was expected. */
export function parseOverseasSymbol(symbol: string, exchange: string): OverseasSymbol {
  const s = typeof symbol === 'string' ? symbol.trim() : '';
  if (!US_SYMBOL.test(s)) {
    throw new SymbolError(
      `invalid US symbol ${JSON.stringify(symbol)}: expected 1-5 uppercase letters, optionally a class after '.' or '/' (e.g. AAPL, BRK.B, BRK/B)`,
      String(symbol),
    );
  }
  const ex = parseUsExchange(exchange);
  return { symbol: s, exchange: ex, orderExchange: toOrderExchange(ex) };
}
