// The small ports only the scheduler depends on (STYLE rule 3): the token check and broker re-initialisation.
// The composition root (`kisd run`) adapts the real token manager and REST client onto these; tests use
// `Fake…` doubles. The vocabulary other layers share (phases, jobs, alerts, the calendar) is in src/core.

export interface TokenCheckResult {
  /** Validity left on the current access token, ms (after any refresh). */
  remainingMs: number;
  /** The token differs from the one seen at the previous check (refreshed here or by another process). */
  changed: boolean;
  /** This check issued a new token because less than the refresh margin was left. */
  refreshed: boolean;
}

/** Ensures a valid token (refreshing under the margin) and reports what it saw. */
export interface TokenCheck {
  check(signal?: AbortSignal): Promise<TokenCheckResult>;
}

export type BrokerReinitReason = 'token-changed' | 'periodic' | 'manual';

/** Rebuilds broker sessions (HTTP pools, cached headers) without issuing a token (seed 003). */
export interface BrokerReinit {
  reinit(reason: BrokerReinitReason): Promise<void>;
}
