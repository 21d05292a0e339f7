// Symbol-code parsing and validation for domestic (KRX) and US instruments.
export { parseDomesticCode, isDomesticCode, SymbolError, type DomesticSymbol, type DomesticCodeKind } from './domestic.js';
export {
  parseOverseasSymbol,
  parseUsExchange,
  toOrderExchange,
  toQuoteExchange,
  type OverseasSymbol,
  type UsQuoteExchange,
  type UsOrderExchange,
} from './overseas.js';
