// Alert delivery: an alert rendered for the sinks, and the sink port each channel (e-mail, webhook) implements.
// The vocabulary itself (levels, Alert, AlertPort) lives on the ground floor, src/core/alert.ts.
export { ALERT_LEVELS, levelRank, type Alert, type AlertLevel, type AlertPort } from '../core/alert.js';
import type { AlertLevel } from '../core/alert.js';

/** An alert rendered once for every sink; secrets already scrubbed. */
export interface RenderedAlert {
  key: string;
  level: AlertLevel;
  title: string;
  subject: string;
  text: string;
  atMs: number;
}

export interface AlertSink {
  /** Short stable name used in logs and alert_history ('email', 'webhook'). */
  readonly name: string;
  /** Lowest level this sink receives. */
  readonly minLevel: AlertLevel;
  /** Delivers or throws. The signal fires when the dispatcher's per-sink timeout runs out. */
  send(alert: RenderedAlert, signal: AbortSignal): Promise<void>;
  /** Releases connections (called by the dispatcher's close). */
  close?(): Promise<void> | void;
}
