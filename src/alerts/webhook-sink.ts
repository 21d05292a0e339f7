// Generic webhook alert sink: JSON POST with undici. The body carries a Slack-compatible `text` field;
// `extraFields` adds e.g. Telegram's `chat_id`. The URL often embeds a token, so it is a secret.
import { request } from 'undici';
import { registerSecret } from '../log/secrets.js';
import type { AlertLevel, AlertSink, RenderedAlert } from './types.js';

export interface WebhookSinkOptions {
  url: string;
  /** Default 'WARNING'. */
  minLevel?: AlertLevel;
  /** Merged into the JSON body (e.g. `{ chat_id: 12345 }` for Telegram sendMessage). */
  extraFields?: Readonly<Record<string, string | number | boolean>>;
  /** Extra request headers (e.g. an authorization header; registered as secrets). */
  headers?: Readonly<Record<string, string>>;
  /** Name in logs/history when several webhooks exist. Default 'webhook'. */
  name?: string;
}

export function createWebhookSink(opts: WebhookSinkOptions): AlertSink {
  registerSecret(opts.url, { pinned: true });
  for (const v of Object.values(opts.headers ?? {})) registerSecret(v, { pinned: true });
  return {
    name: opts.name ?? 'webhook',
    minLevel: opts.minLevel ?? 'WARNING',
    async send(alert: RenderedAlert, signal: AbortSignal): Promise<void> {
      const body = JSON.stringify({
        ...opts.extraFields,
        text: `${alert.subject}\n\n${alert.text}`,
        level: alert.level,
        key: alert.key,
        title: alert.title,
      });
      const res = await request(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...opts.headers },
        body,
        signal,
      });
      // Drain the body either way so the connection returns to the pool.
      const reply = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new Error(`webhook answered HTTP ${res.statusCode}: ${reply.slice(0, 200)}`);
      }
    },
  };
}
