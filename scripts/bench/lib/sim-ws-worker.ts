// Worker thread for the WebSocket benchmarks: runs the KIS simulator (REST + WebSocket) on its own event loop
// and core, as KIS is a separate machine for the daemon. With `stampSendTime`, every H0STCNT0 data frame
// leaving the simulator carries its send instant in field 45 (VI_STND_PRC) of each record: microseconds of
// process.hrtime — CLOCK_MONOTONIC, the same clock in every thread of the process (performance.now() has a
// per-thread origin, so it cannot be compared across threads). The client reads it back as viStandardPrice.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { systemClock } from '../../../src/core/clock.js';
import { createSimulator } from '../../../src/sim/index.js';
import { attachSimWebSocketTo } from '../../../src/sim/ws/index.js';

export interface SimWsWorkerData {
  app: { appKey: string; appSecret: string; accountNo: string; htsId: string };
  tickRecordsPerSec: number;
  tickIntervalMs: number;
  stampSendTime: boolean;
}

export type SimWsWorkerRequest = { type: 'abruptClose' } | { type: 'stats' } | { type: 'stop' };

const TICK_PREFIX = '0|H0STCNT0|';
const TICK_FIELDS = 46;
const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

function stamp(frame: string): string {
  const payloadAt = frame.indexOf('|', TICK_PREFIX.length) + 1;
  const fields = frame.slice(payloadAt).split('^');
  const t = String(nowMicros());
  for (let i = TICK_FIELDS - 1; i < fields.length; i += TICK_FIELDS) fields[i] = t;
  return frame.slice(0, payloadAt) + fields.join('^');
}

async function main(): Promise<void> {
  const data = workerData as SimWsWorkerData;
  const port = parentPort;
  if (!port) throw new Error('sim-ws-worker must run as a worker thread');
  if (data.stampSendTime) {
    const send = WebSocket.prototype.send;
    // Only this worker's module graph is patched: the client's ws in the main thread is untouched.
    WebSocket.prototype.send = function (this: WebSocket, payload: unknown, ...rest: unknown[]) {
      const out = typeof payload === 'string' && payload.startsWith(TICK_PREFIX) ? stamp(payload) : payload;
      return (send as (...a: unknown[]) => void).call(this, out, ...rest);
    } as typeof WebSocket.prototype.send;
  }
  const sim = await createSimulator({ clock: systemClock, apps: [data.app], rateLimitPerSec: 0 });
  const ws = attachSimWebSocketTo(sim, { tickRecordsPerSec: data.tickRecordsPerSec, tickIntervalMs: data.tickIntervalMs, marketHoursOnly: false });
  port.on('message', (msg: SimWsWorkerRequest) => {
    if (msg.type === 'abruptClose') ws.faults.abruptClose();
    else if (msg.type === 'stats') port.postMessage({ type: 'stats', stats: ws.stats() });
    else if (msg.type === 'stop') {
      void sim.close().then(() => {
        port.postMessage({ type: 'stopped' });
        port.close();
      });
    }
  });
  const codes = sim.market.krCodes().filter((c) => sim.market.krSymbol(c)?.kind === 'stock').slice(0, 41);
  port.postMessage({ type: 'ready', restUrl: sim.restUrl, wsUrl: sim.wsUrl, codes });
}

void main();
