// Alerts against a real SMTP server and a real HTTP webhook on loopback (port 0).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { openStore } from '../../../src/store/index.js';
import { createAlertDispatcher, createEmailSink, createWebhookSink, type Alert } from '../../../src/alerts/index.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Received[]; nextMail: () => Promise<Received> }> {
  const mails: Received[] = [];
  const waiters: ((m: Received) => void)[] = [];
  const server = new SMTPServer({
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'kisd' && auth.password === 's3cret-smtp-pass') cb(null, { user: auth.username });
      else cb(new Error('bad login'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail: Received = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        };
        mails.push(mail);
        waiters.shift()?.(mail);
        cb();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, mails, nextMail: () => new Promise((r) => waiters.push(r)) };
}

async function startWebhook(): Promise<{ server: Server; url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/bot-token-abcdef`, bodies };
}

function memoryLogger() {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }), lines };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const alert: Alert = {
  key: 'recovery-failed:1-3',
  level: 'CRITICAL',
  title: 'Recovery gave up on 3 collection task(s)',
  what: 'These tasks kept failing and reached their retry limit.',
  symbols: ['005930', '000660', '035420'],
  tried: 'Retried 5 times with back-off 60 s × 2^n.',
  nextSteps: 'Run `kisd queue retry <id>` once KIS answers again.',
};

describe('alerts over SMTP and webhook', () => {
  it('delivers an e-mail with the level and content; a duplicate within 30 minutes is held back across a restart', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => new Promise<void>((r) => smtp.server.close(() => r())));
    const dataDir = mkdtempSync(join(tmpdir(), 'kisd-alerts-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = createFakeClock('2026-11-23 10:00:00');
    const emailOpts = { host: '127.0.0.1', port: smtp.port, secure: false, user: 'kisd', password: 's3cret-smtp-pass', from: 'kisd <kisd@localhost>', to: ['ops@localhost'] };
    const { logger, lines } = memoryLogger();

    const store1 = openStore({ dataDir });
    const d1 = createAlertDispatcher({ clock, logger, sinks: [createEmailSink(emailOpts)], history: store1.alertHistory });
    const arrived = smtp.nextMail();
    const res = await d1.send(alert);
    expect(res.deliveries).toEqual([{ sink: 'email', ok: true }]);
    const mail = await arrived;
    expect(mail.user).toBe('kisd');
    expect(mail.to).toEqual(['ops@localhost']);
    expect(mail.raw).toContain('Subject: [kisd CRITICAL] Recovery gave up on 3 collection task(s)');
    expect(mail.raw).toMatch(/X-Kisd-Alert-Level: CRITICAL/i);
    expect(mail.raw).toContain('005930, 000660, 035420');
    expect(mail.raw).toContain('What to do next:');
    await d1.close();
    store1.close();

    // Restart: a new dispatcher on the same SQLite file, 10 minutes later.
    await clock.tickAsync(10 * 60_000);
    const store2 = openStore({ dataDir });
    const d2 = createAlertDispatcher({ clock, logger, sinks: [createEmailSink(emailOpts)], history: store2.alertHistory });
    expect((await d2.send(alert)).suppressed).toBe(true);
    await clock.tickAsync(21 * 60_000);
    const again = smtp.nextMail();
    expect((await d2.send(alert)).suppressed).toBe(false);
    await again;
    expect(smtp.mails).toHaveLength(2);
    await d2.close();
    store2.close();
    expect(lines.join('\n')).not.toContain('s3cret-smtp-pass');
  });

  it('with SMTP down, the webhook and the log still get the alert', async () => {
    const hook = await startWebhook();
    cleanups.push(() => new Promise<void>((r) => hook.server.close(() => r())));
    // A port that was just listening and is now closed: connection refused.
    const dead = await startSmtp();
    const deadPort = dead.port;
    await new Promise<void>((r) => dead.server.close(() => r()));

    const clock = createFakeClock('2026-11-23 10:00:00');
    const { logger, lines } = memoryLogger();
    const d = createAlertDispatcher({
      clock,
      logger,
      history: openStore({ path: ':memory:' }).alertHistory,
      sinks: [
        createEmailSink({ host: '127.0.0.1', port: deadPort, secure: false, user: 'kisd', password: 's3cret-smtp-pass', from: 'kisd@localhost', to: 'ops@localhost', connectionTimeoutMs: 2_000 }),
        createWebhookSink({ url: hook.url, extraFields: { chat_id: 42 } }),
      ],
    });
    const res = await d.send(alert);
    expect(res.deliveries[0]).toMatchObject({ sink: 'email', ok: false });
    expect(res.deliveries[1]).toEqual({ sink: 'webhook', ok: true });
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({ chat_id: 42, level: 'CRITICAL', key: 'recovery-failed:1-3' });
    expect(String(hook.bodies[0]?.['text'])).toContain('[kisd CRITICAL] Recovery gave up');
    const log = lines.join('\n');
    expect(log).toContain('ALERT [kisd CRITICAL] Recovery gave up on 3 collection task(s)');
    expect(log).toContain('alert sink failed');
    expect(log).not.toContain('s3cret-smtp-pass');
    expect(log).not.toContain('bot-token-abcdef');
    await d.close();
  });
});
