// Builds the alert dispatcher's remote sinks from the config switches and the environment
// (KISD_SMTP_* and KISD_ALERT_WEBHOOK_URL): secrets never live in the YAML.
import type { Logger } from 'pino';
import type { KisdConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { createEmailSink, createWebhookSink, type AlertSink } from '../alerts/index.js';

export function alertSinksFromEnv(config: KisdConfig, env: NodeJS.ProcessEnv, logger: Logger): AlertSink[] {
  const sinks: AlertSink[] = [];
  if (config.alerts.email_enabled) {
    const host = env['KISD_SMTP_HOST'];
    const from = env['KISD_SMTP_FROM'];
    const to = env['KISD_SMTP_TO'];
    if (!host || !from || !to) {
      throw new ConfigError(`${config.source}: alerts.email_enabled is true but KISD_SMTP_HOST, KISD_SMTP_FROM and KISD_SMTP_TO are not all set (put them in /etc/kisd/kisd.env)`);
    }
    const port = env['KISD_SMTP_PORT'] ? Number(env['KISD_SMTP_PORT']) : undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) {
      throw new ConfigError(`environment: KISD_SMTP_PORT must be a port number 1-65535 (got ${env['KISD_SMTP_PORT']})`);
    }
    sinks.push(createEmailSink({ host, port, user: env['KISD_SMTP_USER'], password: env['KISD_SMTP_PASSWORD'], from, to: to.split(',').map((s) => s.trim()) }));
  }
  if (config.alerts.webhook_enabled) {
    const url = env['KISD_ALERT_WEBHOOK_URL'];
    if (!url) throw new ConfigError(`${config.source}: alerts.webhook_enabled is true but KISD_ALERT_WEBHOOK_URL is not set`);
    sinks.push(createWebhookSink({ url }));
  }
  logger.info({ sinks: sinks.length + 1 }, `alerts: log${config.alerts.email_enabled ? ' + email' : ''}${config.alerts.webhook_enabled ? ' + webhook' : ''}`);
  return sinks;
}
