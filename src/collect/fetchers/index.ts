// Concrete collection fetchers on the KIS REST adapter (structural port in kis-ports.ts).
export * from './kis-ports.js';
export * from './kis-daily-bars.js';
export * from './kis-investor-flows.js';
export * from './kis-quotes.js';
