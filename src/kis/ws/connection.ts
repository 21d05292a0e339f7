// One physical WebSocket connection of a session; a new one is made for every (re)connect.
import type WebSocket from 'ws';
import type { TimerHandle } from '../../core/clock.js';
import type { ConnectionEndReason } from './session-events.js';

/** One physical connection; a new one is made for every (re)connect. */
export interface Connection {
  id: number;
  ws: WebSocket;
  approvalKey: string;
  /** Aborts this connection's phases, pump sleeps and timers. */
  abort: AbortController;
  phase: 'releasing' | 'subscribing' | 'ready' | 'stopping';
  ended: boolean;
  closingByUs: boolean;
  resolveEnded: (reason: ConnectionEndReason) => void;
  ended$: Promise<ConnectionEndReason>;
  pumping: boolean;
  rekeyed: boolean;
  rekeying: Promise<void> | undefined;
  lastRxMono: number;
  /** PINGPONG texts we sent lately: an echo of one of them is not echoed again (no ping-pong storm). */
  recentPings: string[];
  /** encrypted TRs re-subscribed once on this connection to obtain their key/iv */
  keyRefreshes: Set<string>;
  /** TRs whose key/iv came in a reply on this connection (others are kept from an earlier one) */
  keysReceived: Set<string>;
  timers: TimerHandle[];
  /** The silence watchdog's next wake-up (session.ts watchSilence). */
  silenceTimer?: TimerHandle;
}
