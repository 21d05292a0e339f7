// Alert vocabulary (seed 002 §10): four levels, an alert a person can act on, and the sink port.
export type AlertLevel = 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
export const ALERT_LEVELS: readonly AlertLevel[] = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'];

export function levelRank(level: AlertLevel): number {
  return ALERT_LEVELS.indexOf(level);
}

/** What happened, to what, what kisd already did and what the reader should do. */
export interface Alert {
  /** De-duplication key: the same key is sent at most once per window (default 30 min). E.g. `recovery-failed:daily_bars`. */
  key: string;
  level: AlertLevel;
  /** One line, used as the e-mail subject: "Daily bars for 12 symbols still missing after 5 retries". */
  title: string;
  /** What failed, in a sentence or two. */
  what: string;
  /** Symbols concerned (the body lists the first 20). */
  symbols?: readonly string[];
  /** What kisd already tried on its own. */
  tried?: string;
  /** What the operator should do next. */
  nextSteps?: string;
  /** Extra facts (counts, error codes); never secrets. */
  details?: Readonly<Record<string, string | number | boolean>>;
}

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
