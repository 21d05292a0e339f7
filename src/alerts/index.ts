// Alerts: levels, rendering, the dispatcher with durable 30-minute de-duplication, e-mail and webhook sinks.
export * from './types.js';
export * from './render.js';
export * from './dispatcher.js';
export * from './email-sink.js';
export * from './webhook-sink.js';
