// Messages between the week replay (main thread, owns the simulator and the virtual clock) and the daemon
// worker (daemon-worker.ts). Plain data only: they cross a structured clone.
import type { JournalOrder } from '../../../src/trade/orders/types.js';

export interface WorkerData {
  /** The raw config object, as a YAML file would hold it (compiled in the worker, like `kisd run`). */
  config: Record<string, unknown>;
  /** The daemon's wall clock at start, epoch ms (the simulator's plus the host skew). */
  startMs: number;
  logLevel: string;
  /** Where the daemon logs (JSON lines); none = silent. */
  logFile?: string;
  /**
   * The daemon's wall clock, written by the worker before every REST request and after every timer: the
   * simulator reads its time from it, so a request meets KIS at the instant the daemon sent it even while the
   * two threads step separately (one Float64).
   */
  sharedNow: SharedArrayBuffer;
  /** KST "HH:MM" windows in which feed gaps count (the KR session). */
  sessionWindows: readonly (readonly [string, string])[];
}

export type WorkerRequest = { op: 'tick'; ms: number } | { op: 'setNow'; ms: number } | { op: 'probe' } | { op: 'stop' };

export interface FeedGap {
  fromMs: number;
  toMs: number;
}

export interface DaemonProbe {
  nowMs: number;
  orders: JournalOrder[];
  openOrders: number;
  positions: { symbol: string; qty: number }[];
  /** In-session gaps between realtime events longer than the tracker's threshold since the last probe. */
  feedGaps: FeedGap[];
}

export type WorkerReply =
  | { op: 'ready'; nowMs: number }
  | { op: 'ticked'; inFlight: number; socket: string; nowMs: number }
  | { op: 'probe'; probe: DaemonProbe }
  | { op: 'stopped'; inTime: boolean }
  | { op: 'failed'; error: string };
