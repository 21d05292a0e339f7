// Public surface of health/ops: metrics registry, /healthz + /metrics server, status text, systemd notify.
export { createKisdMetrics, type KisdMetrics, type KisdMetricsOptions } from './metrics.js';
export { HealthServer, type HealthSnapshot, type HealthSource, type HealthJson, type HealthServerOptions } from './health-server.js';
export { formatStatus } from './format-status.js';
export { SdNotifier, type SdNotifyOptions, type NotifyRunner } from './sd-notify.js';
