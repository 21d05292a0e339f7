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

let daemon: Daemon | undefined;
let inFlight = 0;
const gaps = feedGapTracker(data.sessionWindows);

async function main(): Promise<void> {
  const config = compileConfig(data.config, 'week-replay');
  const { credentials } = preflight(config, {});
  // Start-up needs real I/O (token, calendar, reconciliation) and virtual time: the replay ticks meanwhile.
  daemon = await startDaemon({ config, credentials, clock, logger, env: {} });
  daemon.broker.rest.events.on('attempt', () => inFlight++);
  daemon.broker.rest.events.on('outcome', () => inFlight--);
  daemon.feed.bus.subscribe((e) => gaps.onEvent(e.kind, clock.nowMs()), { name: 'week-replay-gaps', capacity: 4096, dropPolicy: 'drop-oldest' });
  reply({ op: 'ready', nowMs: clock.nowMs() });
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
        await clock.tickAsync(m.ms);
        for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
        reply({ op: 'ticked', inFlight, nowMs: clock.nowMs() });
      } else if (m.op === 'setNow') {
        clock.setSystemTime(m.ms);
        reply({ op: 'ticked', inFlight, nowMs: clock.nowMs() });
      } else if (m.op === 'probe') {
        reply({ op: 'probe', probe: probe() });
      } else {
        // Graceful stop (SIGTERM) needs virtual time too: acknowledged now, 'stopped' is posted when done.
        reply({ op: 'ticked', inFlight, nowMs: clock.nowMs() });
        const report = await daemon!.stop(20_000);
        reply({ op: 'stopped', inTime: report.inTime });
      }
    } catch (err) {
      reply({ op: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

main().catch((err: unknown) => reply({ op: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
