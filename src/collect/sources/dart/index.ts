// The OpenDART source: collection fetchers on the DART adapter (structural port in dart-ports.ts) and its datasets.
export * from './dart-ports.js';
export * from './dart-fetchers.js';
export * from './dart-datasets.js';
