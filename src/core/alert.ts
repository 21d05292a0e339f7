// The alert vocabulary every layer speaks (seed 002 §10): four levels, an alert a person can act on, and the
// one port code raises alerts through. src/alerts' dispatcher implements the port (de-duplication, sinks);
// everything else depends on the port only.
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

/**
 * Where code raises an alert. The dispatcher's promise settles when every sink has been tried; a failing sink
 * is logged and recorded there, so callers only guard against a rejection they cannot act on.
 */
export interface AlertPort {
  send(alert: Alert): Promise<unknown>;
}
