import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { openStore } from '../../../src/store/index.js';
import { createAlertDispatcher, renderAlert, type Alert, type AlertLevel, type AlertSink, type RenderedAlert } from '../../../src/alerts/index.js';
import { clearSecretsForTest, registerSecret } from '../../../src/log/secrets.js';

class FakeSink implements AlertSink {
  received: RenderedAlert[] = [];
  constructor(readonly name: string, readonly minLevel: AlertLevel, private readonly behaviour: 'ok' | 'throw' | 'hang' = 'ok') {}
  async send(alert: RenderedAlert, signal: AbortSignal): Promise<void> {
    if (this.behaviour === 'throw') throw new Error(`${this.name} exploded`);
    if (this.behaviour === 'hang') {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }
    this.received.push(alert);
  }
}

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { logger, lines };
}

const alert = (over: Partial<Alert> = {}): Alert => ({ key: 'fetch-failed:daily_bars', level: 'ERROR', title: 'Daily bars failed for 2 symbols', what: 'KIS answered HTTP 500.', symbols: ['005930', '000660'], tried: '5 retries with back-off', nextSteps: 'Run kisd queue list', ...over });

describe('alert dispatcher', () => {
  it('sends to sinks whose level is met, and holds the same key back for 30 minutes', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const store = openStore({ path: ':memory:' });
    const email = new FakeSink('email', 'ERROR');
    const hook = new FakeSink('webhook', 'WARNING');
    const { logger, lines } = memoryLogger();
    const d = createAlertDispatcher({ clock, logger, sinks: [email, hook], history: store.alertHistory });
    expect((await d.send(alert({ key: 'w', level: 'WARNING' }))).deliveries.map((x) => x.sink)).toEqual(['webhook']);
    const first = await d.send(alert());
    expect(first).toMatchObject({ suppressed: false, deliveries: [{ sink: 'email', ok: true }, { sink: 'webhook', ok: true }] });
    await clock.tickAsync(29 * 60_000);
    expect((await d.send(alert())).suppressed).toBe(true);
    await clock.tickAsync(60_000);
    expect((await d.send(alert())).suppressed).toBe(false);
    expect(email.received).toHaveLength(2);
    expect(lines.filter((l) => l['alertKey'] === 'fetch-failed:daily_bars')).toHaveLength(3); // the log sees every one
  });

  it('a throwing sink and a hanging sink do not stop the others; the hang ends at the per-sink timeout', async () => {
    const clock = createFakeClock();
    const good = new FakeSink('webhook', 'INFO');
    const d = createAlertDispatcher({
      clock,
      logger: pino({ level: 'silent' }),
      sinks: [new FakeSink('email', 'INFO', 'throw'), new FakeSink('slow', 'INFO', 'hang'), good],
      sinkTimeoutMs: 2_000,
    });
    const pending = d.send(alert());
    await clock.tickAsync(2_000);
    const res = await pending;
    expect(res.deliveries).toEqual([
      { sink: 'email', ok: false, error: 'email exploded' },
      { sink: 'slow', ok: false, error: 'slow sink timed out after 2000 ms' },
      { sink: 'webhook', ok: true },
    ]);
    expect(good.received).toHaveLength(1);
  });

  it('falls back to in-memory de-duplication when alert_history is unusable', async () => {
    const clock = createFakeClock();
    const store = openStore({ path: ':memory:' });
    const sink = new FakeSink('email', 'ERROR');
    const d = createAlertDispatcher({ clock, logger: pino({ level: 'silent' }), sinks: [sink], history: store.alertHistory });
    store.close(); // "DB unreachable" — the alert about it must still go out
    expect((await d.send(alert({ level: 'CRITICAL' }))).deliveries).toEqual([{ sink: 'email', ok: true }]);
    expect((await d.send(alert({ level: 'CRITICAL' }))).suppressed).toBe(true);
  });

  it('renders an actionable body and scrubs registered secrets', () => {
    clearSecretsForTest();
    registerSecret('smtp-pass-123456');
    const r = renderAlert(alert({ what: 'login failed with smtp-pass-123456' }), Date.UTC(2026, 10, 23, 1, 0, 0));
    expect(r.subject).toBe('[kisd ERROR] Daily bars failed for 2 symbols');
    expect(r.text).toContain('When: 2026-11-23 10:00:00 KST');
    expect(r.text).toContain('Symbols (2):\n  005930, 000660');
    expect(r.text).toContain('What kisd already tried:\n  5 retries with back-off');
    expect(r.text).toContain('What to do next:\n  Run kisd queue list');
    expect(r.text).not.toContain('smtp-pass-123456');
    clearSecretsForTest();
  });
});

describe('recent alerts (the status page)', () => {
  it('keeps the last 20 of this process, newest first, with only the log as a sink and repeats marked', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const d = createAlertDispatcher({ clock, logger: pino({ level: 'silent' }), sinks: [new FakeSink('webhook', 'WARNING')] });
    await d.send(alert({ key: 'a', level: 'INFO', title: 'info only: reaches the log alone' }));
    await d.send(alert({ key: 'b', title: 'first' }));
    await clock.tickAsync(60_000);
    await d.send(alert({ key: 'b', title: 'first' }));
    expect(d.recent?.().map((r) => [r.title, r.level, r.suppressed])).toEqual([
      ['first', 'ERROR', true],
      ['first', 'ERROR', false],
      ['info only: reaches the log alone', 'INFO', false],
    ]);
    for (let i = 0; i < 25; i++) await d.send(alert({ key: `k${i}`, title: `t${i}` }));
    const recent = d.recent?.() ?? [];
    expect(recent).toHaveLength(20);
    expect(recent[0]?.title).toBe('t24');
    await d.close();
  });
});
