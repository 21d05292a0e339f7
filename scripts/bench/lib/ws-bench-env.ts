// Main-thread side of the WebSocket benchmarks: starts the simulator worker (lib/sim-ws-worker.ts), and
// builds the daemon's realtime client on it — approval-key manager (real, against the simulator's REST),
// WsSession with the session defaults unless overridden, publishing into the feed EventBus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { createApprovalKeyManager, type ApprovalKeyManager } from '../../../src/kis/auth/index.js';
import { WsSession, type RealtimeEvent, type WsSessionOptions } from '../../../src/kis/ws/index.js';
import type { SimWebSocketStats } from '../../../src/sim/ws/index.js';
import { silentLogger } from './sim-broker.js';
import type { SimWsWorkerData, SimWsWorkerRequest } from './sim-ws-worker.js';

export const BENCH_APP = { appKey: 'PSbenchAppKey000000000000000000000001', appSecret: 'benchSecret'.padEnd(180, 'x'), accountNo: '50000009-01', htsId: 'benchhts' };

export interface SimWorker {
  restUrl: string;
  wsUrl: string;
  /** Up to 41 plain stock codes of the simulator's universe. */
  codes: string[];
  abruptClose(): void;
  stats(): Promise<SimWebSocketStats>;
  stop(): Promise<void>;
}

export async function startSimWorker(o: { tickRecordsPerSec: number; tickIntervalMs?: number; stampSendTime?: boolean }): Promise<SimWorker> {
  const data: SimWsWorkerData = { app: BENCH_APP, tickRecordsPerSec: o.tickRecordsPerSec, tickIntervalMs: o.tickIntervalMs ?? 100, stampSendTime: o.stampSendTime ?? false };
  const worker = new Worker(new URL('./sim-ws-worker.js', import.meta.url), { workerData: data });
  const ready = await new Promise<{ restUrl: string; wsUrl: string; codes: string[] }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { type: string; restUrl: string; wsUrl: string; codes: string[] }) => (m.type === 'ready' ? resolve(m) : reject(new Error(`unexpected ${m.type}`))));
  });
  const post = (m: SimWsWorkerRequest): void => worker.postMessage(m);
  const next = <T>(type: string): Promise<T> =>
    new Promise((resolve) => {
      const on = (m: { type: string }): void => {
        if (m.type !== type) return;
        worker.off('message', on);
        resolve(m as T);
      };
      worker.on('message', on);
    });
  return {
    ...ready,
    abruptClose: () => post({ type: 'abruptClose' }),
    stats: async () => {
      const p = next<{ stats: SimWebSocketStats }>('stats');
      post({ type: 'stats' });
      return (await p).stats;
    },
    stop: async () => {
      const p = next('stopped');
      post({ type: 'stop' });
      await Promise.race([p, systemClock.sleep(5_000)]);
      await worker.terminate();
    },
  };
}

export interface BenchClient {
  session: WsSession;
  approvalKeys: ApprovalKeyManager;
  close(): Promise<void>;
}

/** A WsSession on the worker's simulator, not yet started. */
export function createBenchClient(w: SimWorker, sink: (ev: RealtimeEvent) => void, overrides: Partial<WsSessionOptions> = {}, log: Logger = silentLogger): BenchClient {
  const stateDir = mkdtempSync(join(tmpdir(), 'kisd-bench-ws-'));
  const approvalKeys = createApprovalKeyManager({ clock: systemClock, log, baseUrl: w.restUrl, credentials: BENCH_APP, stateDir });
  const session = new WsSession({ clock: systemClock, log, url: `${w.wsUrl}/tryitout`, approvalKeys, sink, ...overrides });
  return {
    session,
    approvalKeys,
    close: async () => {
      await session.stop();
      await approvalKeys.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Resolves (with the wait in ms) on the lifecycle event after which every desired key is acknowledged; rejects after timeoutMs. */
export function waitAllAcknowledged(session: WsSession, timeoutMs: number): Promise<number> {
  const start = systemClock.monotonicMs();
  const done = (): boolean => {
    const st = session.status();
    return st.state === 'ready' && st.desired > 0 && st.acknowledged === st.desired && st.pending === 0;
  };
  if (done()) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const timer = systemClock.setTimeout(() => {
      off();
      const st = session.status();
      reject(new Error(`subscriptions not acknowledged within ${timeoutMs} ms: ${JSON.stringify({ state: st.state, desired: st.desired, ack: st.acknowledged, pending: st.pending, rejected: st.rejected })}`));
    }, timeoutMs);
    const off = session.on(() => {
      if (!done()) return;
      off();
      systemClock.clearTimeout(timer);
      resolve(systemClock.monotonicMs() - start);
    });
  });
}
