// Lifecycle events, counters and status of the KIS WebSocket session (for logs, health and tests).
import type { ParseStats } from './parse.js';

export type SessionState = 'idle' | 'connecting' | 'releasing' | 'subscribing' | 'ready' | 'backoff' | 'stopping' | 'stopped';

/** Why one connection ended. */
export type ConnectionEndReason =
  | 'remote-close'
  | 'dead'
  | 'in-use'
  | 'invalid-approval'
  | 'connect-failed'
  | 'approval-key-failed'
  | 'stopped';

export type SessionLifecycleEvent =
  | { type: 'connecting'; connectionId: number; attempt: number }
  | { type: 'connected'; connectionId: number }
  /** the release-first step of a new connection sent `count` releases; re-subscribing follows after the grace */
  | { type: 'released'; connectionId: number; count: number }
  /** every desired key has been requested on this connection */
  | { type: 'ready'; connectionId: number; desired: number }
  | { type: 'acknowledged'; connectionId: number; trId: string; trKey: string; msgCd: string }
  | { type: 'error'; connectionId: number; code: string; message: string; trId?: string; trKey?: string; msgCd?: string }
  | { type: 'dead'; connectionId: number; silentMs: number }
  | { type: 'closed'; connectionId: number; reason: ConnectionEndReason; code?: number }
  | { type: 'reconnecting'; attempt: number; delayMs: number; reason: ConnectionEndReason }
  | { type: 'stopped' };

export interface WsSessionCounters {
  connects: number;
  reconnects: number;
  /** connections lost without us asking (remote close, dead, in-use, invalid approval) */
  drops: number;
  deadSockets: number;
  acks: number;
  /** acks that were OPSP0002 ALREADY IN SUBSCRIBE */
  alreadySubscribed: number;
  releases: number;
  rejected: number;
  approvalReissues: number;
  inUse: number;
  pingpongsReceived: number;
  pingpongsEchoed: number;
  keepalivesSent: number;
  records: number;
  sinkErrors: number;
}

export interface WsSessionStatus {
  state: SessionState;
  connectionId: number;
  desired: number;
  acknowledged: number;
  pending: number;
  rejected: number;
  /** wall-clock ms of the last frame of any kind */
  lastMessageAtMs: number | undefined;
  counters: WsSessionCounters;
  parse: ParseStats;
}

export function zeroCounters(): WsSessionCounters {
  return {
    connects: 0,
    reconnects: 0,
    drops: 0,
    deadSockets: 0,
    acks: 0,
    alreadySubscribed: 0,
    releases: 0,
    rejected: 0,
    approvalReissues: 0,
    inUse: 0,
    pingpongsReceived: 0,
    pingpongsEchoed: 0,
    keepalivesSent: 0,
    records: 0,
    sinkErrors: 0,
  };
}
