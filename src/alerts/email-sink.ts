// E-mail alert sink over SMTP with nodemailer (seed 002 §14). Options come from the lead's config
// (env KISD_SMTP_*); the password is registered as a secret and never logged.
import nodemailer from 'nodemailer';
import { registerSecret } from '../log/secrets.js';
import type { AlertLevel, AlertSink, RenderedAlert } from './types.js';

export interface EmailSinkOptions {
  host: string;
  /** Default 587. */
  port?: number;
  /** Implicit TLS (SMTPS). Default true only for port 465; otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send without STARTTLS. Default false (loopback test servers have no TLS). */
  requireTls?: boolean;
  user?: string;
  password?: string;
  /** e.g. `kisd <alerts@example.com>` */
  from: string;
  to: string | readonly string[];
  /** Default 'ERROR' (seed 002 §10: e-mail for ERROR and CRITICAL). */
  minLevel?: AlertLevel;
  /** Connection / greeting / socket timeout inside nodemailer. Default 10000 ms. */
  connectionTimeoutMs?: number;
}

/** Creates the sink; no connection is made until the first alert. */
export function createEmailSink(opts: EmailSinkOptions): AlertSink {
  registerSecret(opts.password, { pinned: true });
  const port = opts.port ?? 587;
  const timeoutMs = opts.connectionTimeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: opts.host,
    port,
    secure: opts.secure ?? port === 465,
    requireTLS: opts.requireTls ?? false,
    auth: opts.user ? { user: opts.user, pass: opts.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  const to = typeof opts.to === 'string' ? opts.to : [...opts.to].join(', ');
  return {
    name: 'email',
    minLevel: opts.minLevel ?? 'ERROR',
    async send(alert: RenderedAlert, signal: AbortSignal): Promise<void> {
      if (signal.aborted) throw signal.reason;
      // nodemailer cannot cancel a send; the dispatcher's timeout stops waiting and the socket timeout ends it.
      await transport.sendMail({
        from: opts.from,
        to,
        subject: alert.subject,
        text: alert.text,
        headers: { 'X-Kisd-Alert-Key': alert.key, 'X-Kisd-Alert-Level': alert.level },
      });
    },
    close() {
      transport.close();
    },
  };
}
