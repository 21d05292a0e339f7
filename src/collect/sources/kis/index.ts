// The KIS source: collection fetchers on the KIS REST adapter (structural port in kis-ports.ts) and its datasets.
export * from './kis-ports.js';
export * from './kis-daily-bars.js';
export * from './kis-investor-flows.js';
export * from './kis-quotes.js';
export * from './kis-datasets.js';
