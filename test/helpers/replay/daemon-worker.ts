// One kisd daemon (the composition root of `kisd run`: startDaemon) in a worker thread, on a fake clock the week
// replay moves in lock-step with the simulator's. A worker so that "SIGKILL" is real: Worker.terminate() stops
// the daemon between any two statements, with no graceful stop and no write after the kill, and a new worker
// rebuilds it from the same var dir. The host-clock skew is this clock minus the simulator's.
// Protocol (parentPort): in {op:'tick', ms} | {op:'setNow', ms} | {op:'probe'} | {op:'stop'};
// out {op:'ready'} | {op:'ticked', inFlight} | {op:'probe', probe} | {op:'stopped'} | {op:'failed', error}.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { compileConfig } from '../../../src/config/load.js';
import { preflight } from '../../../src/daemon/preflight.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import { createFakeClock } from '../fake-clock.js';
import { feedGapTracker } from './feed-gaps.js';
import type { DaemonProbe, WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

const data = workerData as WorkerData;
const port = parentPort!;
const clock = createFakeClock(data.startMs);
const logger = pino({ level: data.logLevel }, data.logFile ? pino.destination({ dest: data.logFile, sync: false, mkdir: true }) : undefined);
const reply = (m: WorkerReply): void => port.postMessage(m);
const sharedNow = new Float64Array(data.sharedNow);
const publishNow = (): void => void (sharedNow[0] = clock.nowMs());
publishNow();

let daemon: Daemon | undefined;
let inFlight = 0;
const gaps = feedGapTracker(data.sessionWindows);

async function main(): Promise<void> {
  const config = compileConfig(data.config, 'week-replay');
  const { credentials } = preflight(config, {});
  // Start-up needs real I/O (token, calendar, reconciliation) and virtual time: the replay ticks meanwhile.
  daemon = await startDaemon({ config, credentials, clock, logger, env: {} });
  daemon.broker.rest.events.on('attempt', () => {
    publishNow();
    inFlight++;
  });
  daemon.broker.rest.events.on('outcome', () => inFlight--);
  daemon.feed.bus.subscribe((e) => gaps.onEvent(e.kind, clock.nowMs()), { name: 'week-replay-gaps', capacity: 4096, dropPolicy: 'drop-oldest' });
  reply({ op: 'ready', nowMs: clock.nowMs() });
}

/** Real time a step waits for REST replies before virtual time moves on (a hung reply then times out virtually). */
const DRAIN_REAL_MS = 25;

async function drain(): Promise<void> {
  const until = performance.now() + DRAIN_REAL_MS;
  while (inFlight > 0 && performance.now() < until) await new Promise((r) => setImmediate(r));
}

/**
 * Moves virtual time by ms timer by timer; whenever a timer has started a REST request, waits (in real time,
 * virtual time standing still) for its reply before the next timer, so a reply is never overtaken by its own
 * read timeout only because the clock jumped.
 */
async function advance(ms: number): Promise<void> {
  const fake = clock.fake as unknown as { now: number; timerHeap?: { peek(): { callAt: number } | undefined } };
  const target = fake.now + ms;
  while (fake.now < target) {
    const next = fake.timerHeap?.peek()?.callAt;
    const to = next === undefined ? target : Math.min(target, Math.max(next, fake.now));
    await clock.tickAsync(to - fake.now);
    publishNow();
    if (to === fake.now && next !== undefined && next <= fake.now) await new Promise((r) => setImmediate(r));
    if (inFlight > 0) await drain();
  }
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
  if (inFlight > 0) await drain();
}

function probe(): DaemonProbe {
  const d = daemon!;
  return {
    nowMs: clock.nowMs(),
    orders: d.orders.ordersOfDay().map((o) => ({ ...o })),
    openOrders: d.orders.openOrders().length,
    positions: d.orders.positions().map((p) => ({ symbol: p.symbol, qty: p.qty })),
    feedGaps: gaps.take(),
  };
}

port.on('message', (m: WorkerRequest) => {
  void (async () => {
    try {
      if (m.op === 'tick') {
        await advance(m.ms);
        reply({ op: 'ticked', inFlight, socket: daemon?.feed.feed.status().socketState ?? 'closed', nowMs: clock.nowMs() });
      } else if (m.op === 'setNow') {
        clock.setSystemTime(m.ms);
        publishNow();
        reply({ op: 'ticked', inFlight, socket: 'closed', nowMs: clock.nowMs() });
      } else if (m.op === 'probe') {
        reply({ op: 'probe', probe: probe() });
      } else {
        // Graceful stop (SIGTERM) needs virtual time too: acknowledged now, 'stopped' is posted when done.
        reply({ op: 'ticked', inFlight, socket: 'closed', nowMs: clock.nowMs() });
        const report = await daemon!.stop(20_000);
        reply({ op: 'stopped', inTime: report.inTime });
      }
    } catch (err) {
      reply({ op: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

main().catch((err: unknown) => reply({ op: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
