// The main-thread side of one daemon worker: starts it, moves its clock in lock-step with the simulator's,
// asks it for a probe, stops it gracefully, or kills it (Worker.terminate: the SIGKILL of a thread).
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonProbe, WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
// The worker runs the compiled daemon (a worker thread has no TypeScript loader); from src or from dist.
const REPO = here.includes(`${join('dist', 'test')}`) ? resolve(here, '../../../..') : resolve(here, '../../..');
const WORKER = join(REPO, 'dist/test/helpers/replay/daemon-worker.js');

export class DaemonHost {
  private readonly worker: Worker;
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  readonly ready: Promise<void>;
  private stopped: (() => void) | undefined;
  inFlight = 0;
  /** The realtime socket's state after the last tick ('closed' when none is open). */
  socket = 'closed';
  dead = false;

  constructor(data: WorkerData) {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` (npm test does it via pretest)`);
    this.worker = new Worker(WORKER, { workerData: data });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: WorkerReply) => {
      if (m.op === 'ready') return readyResolve();
      if (m.op === 'stopped') return this.stopped?.();
      if (m.op === 'failed') {
        this.failure = new Error(`daemon worker failed: ${m.error}`);
        readyReject(this.failure);
        this.pending?.reject(this.failure);
        this.pending = undefined;
        return;
      }
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      readyReject(err);
      this.pending?.reject(err);
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      const err = this.failure ?? new Error(`daemon worker exited (code ${code})`);
      readyReject(err);
      this.pending?.reject(err);
      this.pending = undefined;
    });
  }

  private request(m: WorkerRequest): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('daemon worker: one request at a time'));
    return new Promise((resolveReply, reject) => {
      this.pending = { resolve: resolveReply, reject };
      this.worker.postMessage(m);
    });
  }

  /** Advances the daemon's fake clock by ms (its timers run) and gives its I/O two turns. */
  async tick(ms: number): Promise<void> {
    const r = await this.request({ op: 'tick', ms });
    if (r.op === 'ticked') {
      this.inFlight = r.inFlight;
      this.socket = r.socket;
    }
  }

  /** Steps the daemon's wall clock (an NTP step on the host: skew against the simulator). */
  async setNow(ms: number): Promise<void> {
    await this.request({ op: 'setNow', ms });
  }

  async probe(): Promise<DaemonProbe> {
    const r = await this.request({ op: 'probe' });
    if (r.op !== 'probe') throw new Error(`daemon worker: expected a probe, got ${r.op}`);
    return r.probe;
  }

  /** Graceful stop (SIGTERM): resolves once asked; `stopped` settles when the daemon has stopped. */
  async stop(): Promise<{ stopped: Promise<void> }> {
    const stopped = new Promise<void>((res) => (this.stopped = res));
    await this.request({ op: 'stop' });
    return { stopped };
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /** SIGKILL: the thread ends between two statements; nothing after this instant is written or sent. */
  async kill(): Promise<void> {
    this.failure ??= new Error('killed');
    await this.worker.terminate();
  }
}
