// sd_notify through systemd-notify: no-op without NOTIFY_SOCKET, READY/STOPPING/STATUS messages, and a watchdog
// fed from a clock interval (so a starved event loop stops feeding it).
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { SdNotifier } from '../../../src/health/sd-notify.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

function fakeRunner() {
  const calls: string[][] = [];
  return { calls, run: async (_bin: string, args: string[]) => void calls.push(args) };
}
const logger = pino({ level: 'silent' });

describe('SdNotifier', () => {
  it('does nothing when NOTIFY_SOCKET is unset', async () => {
    const r = fakeRunner();
    const n = new SdNotifier({ logger, env: {}, run: r.run });
    await n.ready('up');
    await n.watchdog();
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs()).toBeUndefined();
    expect(r.calls).toEqual([]);
  });

  it('sends READY=1, STATUS= and STOPPING=1', async () => {
    const r = fakeRunner();
    const n = new SdNotifier({ logger, env: { NOTIFY_SOCKET: '/run/systemd/notify' }, run: r.run });
    await n.ready('recovery done');
    await n.stopping();
    await n.status('trading');
    expect(r.calls).toEqual([['READY=1', 'STATUS=recovery done'], ['STOPPING=1'], ['STATUS=trading']]);
  });

  it('feeds the watchdog at once and then every WATCHDOG_USEC/2 from the clock, and only for this pid', async () => {
    const r = fakeRunner();
    const clock = createFakeClock('2026-11-23 09:00:00');
    const env = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '4242' };
    expect(new SdNotifier({ logger, env, run: r.run, pid: 1 }).watchdogIntervalMs()).toBeUndefined();
    const n = new SdNotifier({ logger, env, run: r.run, pid: 4242 });
    expect(n.watchdogIntervalMs()).toBe(15_000);
    const stop = n.startWatchdog(clock);
    // The first one at once: start-up may have used most of the first period.
    expect(r.calls).toEqual([['WATCHDOG=1']]);
    await clock.tickAsync(60_000);
    expect(r.calls).toEqual([['WATCHDOG=1'], ['WATCHDOG=1'], ['WATCHDOG=1'], ['WATCHDOG=1'], ['WATCHDOG=1']]);
    stop();
    await clock.tickAsync(60_000);
    expect(r.calls).toHaveLength(5);
  });

  it('logs a failing notify instead of throwing', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const n = new SdNotifier({ logger: log, env: { NOTIFY_SOCKET: '@x' }, run: async () => { throw new Error('no such socket'); } });
    await expect(n.ready()).resolves.toBeUndefined();
    expect(lines.join('')).toContain('systemd notify failed');
  });

  it('drives the real systemd-notify binary when present (fails cleanly on a dead socket)', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const n = new SdNotifier({ logger: log, env: { NOTIFY_SOCKET: '/nonexistent/kisd-notify.sock' }, timeoutMs: 3_000 });
    await n.ready();
    // Either systemd-notify is absent or it cannot reach the socket: both are logged, neither throws.
    expect(lines.join('')).toContain('systemd notify failed');
  });
});
