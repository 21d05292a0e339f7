// Issue 9 item 4: the 10:40 periodic broker re-init and a token refresh renew the REST side only — the realtime
// socket stays up and ticks keep flowing (before, every re-init closed the socket, waited the 3 s release grace
// and re-subscribed: 7–16 s blind mid-session). Components together on one fake clock: the scheduler's re-init
// cron → TokenWatch → the daemon's re-init → the feed bundle with real WsSessions against the simulator.
// Also: after an unplanned reconnect our execution notices and the symbols we hold are subscribed first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/load.js';
import { kstInstant } from '../../../src/core/kst.js';
import { createFeedBundle, type FeedBundle } from '../../../src/daemon/feed-wiring.js';
import { createDaemonReinit } from '../../../src/daemon/reinit.js';
import { createKisdMetrics } from '../../../src/health/index.js';
import { IntegratedScheduler, TokenWatch } from '../../../src/scheduler/index.js';
import { advanceFor, advanceUntil, APP, startSim, type SimRig } from './sim-harness.js';

let rig: SimRig | undefined;
let bundle: FeedBundle | undefined;
let scheduler: IntegratedScheduler | undefined;
const dirs: string[] = [];

afterEach(async () => {
  if (scheduler) await scheduler.stop();
  if (bundle && rig) {
    let done = false;
    void bundle.stop().then(() => (done = true));
    await advanceUntil(rig.clock, () => done, 'feed stop');
  }
  await rig?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  [rig, bundle, scheduler] = [undefined, undefined, undefined];
});

const CODES = ['005930', '000660', '035420', '051910', '006400', '068270'];

function feedBundle(r: SimRig, feed: Record<string, unknown> = {}): FeedBundle {
  const varDir = mkdtempSync(join(tmpdir(), 'kisd-reinit-'));
  dirs.push(varDir);
  const config = compileConfig(
    { mode: 'sim', paths: { var_dir: varDir }, feed: { kr_watchlist: CODES, us_watchlist: [], subscribe_spacing_ms: 100, tick_log_interval_sec: 60, ...feed } },
    'test.yaml',
    varDir,
  );
  return createFeedBundle({ config, clock: r.clock, logger: pino({ level: 'silent' }), wsUrl: r.url, approvalKeys: r.keys, htsId: APP.htsId, calendar: { isKrTradingDay: () => true }, metrics: createKisdMetrics() });
}

describe('broker re-init and the realtime feed', () => {
  it('the 10:40 re-init and a token change renew REST only: no reconnect, no tick gap', { timeout: 60_000 }, async () => {
    rig = await startSim('2026-11-23 10:39:00', { tickRecordsPerSec: 20 }); // Monday, KRX open
    const r = rig;
    const b = (bundle = feedBundle(r));
    let restResets = 0;
    const daemonReinit = createDaemonReinit({ rest: { reinitRest: () => void restResets++ }, feed: b, logger: pino({ level: 'silent' }) });
    let tokenChanged = false;
    const watch = new TokenWatch(
      { check: async () => ({ remainingMs: 20 * 3_600_000, changed: tokenChanged, refreshed: tokenChanged }) },
      { reinit: (reason) => daemonReinit.reinit(reason) },
      r.clock,
      pino({ level: 'silent' }),
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'kisd-reinit-data-'));
    dirs.push(dataDir);
    scheduler = new IntegratedScheduler({ dataDir }, { clock: r.clock, logger: pino({ level: 'silent' }), calendar: { isKrTradingDay: () => true, refresh: async () => undefined }, jobs: {}, tokenWatch: watch });
    await scheduler.start();
    b.start();
    await advanceUntil(r.clock, () => b.feed.status().acknowledged === CODES.length * 2 + 1, 'KR registrations');
    await advanceUntil(r.clock, () => b.feed.status().ticksReceived > 0, 'first tick');

    // Record the instants of ticks from ~10:39:05 to 10:41:30: the 10:40 cron re-init, then a token refresh at 10:41.
    const tickTimes: number[] = [];
    const sub = b.bus.subscribe((ev) => void (ev.kind === 'kr-tick' && tickTimes.push(r.clock.nowMs())), { name: 'test-ticks' });
    const before = { switches: b.feed.status().switches, subscribes: r.sim.stats().controlReplies['OPSP0000'] ?? 0 };
    await advanceFor(r.clock, kstInstant('2026-11-23 10:41:00') - r.clock.nowMs(), 200);
    tokenChanged = true;
    const checked = watch.check(); // the 30-minute token check that finds a refreshed token
    await advanceFor(r.clock, 30_000, 200);
    expect((await checked).reinitialised).toBe(true);
    sub.unsubscribe();

    expect(restResets).toBe(2); // 10:40 periodic + 10:41 token changed
    // The same socket throughout: no new market session opened, nothing subscribed again, no reconnect.
    expect(b.feed.status()).toMatchObject({ switches: before.switches, reconnects: 0, socketState: 'ready' });
    expect(r.sim.stats().controlReplies['OPSP0000'] ?? 0).toBe(before.subscribes);
    let maxGap = 0;
    for (let i = 1; i < tickTimes.length; i++) maxGap = Math.max(maxGap, tickTimes[i]! - tickTimes[i - 1]!);
    expect(tickTimes.length).toBeGreaterThan(1000); // ~20 a second for 2.5 minutes
    expect(maxGap).toBeLessThanOrEqual(1_000);
  });

  it('after an unplanned reconnect subscribes our execution notices, then the symbols we hold, then the rest', { timeout: 60_000 }, async () => {
    rig = await startSim('2026-11-23 10:00:00', { tickRecordsPerSec: 0 });
    const r = rig;
    const b = (bundle = feedBundle(r));
    const held = ['051910', '068270']; // late in the watchlist on purpose
    b.prioritize(() => held);
    b.start();
    const all = CODES.length * 2 + 1;
    await advanceUntil(r.clock, () => b.feed.status().acknowledged === all, 'KR registrations');

    r.sim.faults.abruptClose(); // KIS cuts the socket: the session reconnects by itself
    await advanceUntil(r.clock, () => b.feed.status().acknowledged < all, 'connection lost', 20);
    const order: string[] = [];
    await advanceUntil(
      r.clock,
      () => {
        for (const reg of b.feed.registrations()) if (reg.state === 'acked' && !order.includes(`${reg.trId}:${reg.trKey}`)) order.push(`${reg.trId}:${reg.trKey}`);
        return order.length === all;
      },
      'registrations again after the reconnect',
      20,
    );
    expect(order[0]).toBe(`H0STCNI0:${APP.htsId}`);
    // Both TRs (tick, book) of the held symbols come next, before any other symbol.
    expect(new Set(order.slice(1, 5).map((k) => k.split(':')[1]))).toEqual(new Set(held));
    expect(order.slice(5).every((k) => !held.includes(k.split(':')[1]!))).toBe(true);
    expect(b.feed.status().reconnects).toBe(1);
  });
});
