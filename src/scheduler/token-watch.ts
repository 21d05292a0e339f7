// Seed 003 (24-hour unattended operation): every 30 minutes log the token's remaining validity, refresh it
// under the margin (through TokenCheck), and re-initialise the broker when the token changed, here or in another
// process; every 6 hours re-initialise the broker without issuing a token (KIS limits issuing).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { AccessToken, TokenProvider } from '../kis/auth/types.js';
import type { BrokerReinit, BrokerReinitReason, TokenCheck, TokenCheckResult } from './ports.js';

export interface TokenWatchStatus {
  checkedAtEpochMs: number;
  remainingMs: number;
  expiresAtEpochMs: number;
  lastReinitAtEpochMs?: number;
  lastReinitReason?: BrokerReinitReason;
}

/** "19h 30m" */
export function formatDuration(ms: number): string {
  const totalMin = Math.max(0, Math.floor(ms / 60_000));
  return `${Math.floor(totalMin / 60)}h ${totalMin % 60}m`;
}

export class TokenWatch {
  private status: TokenWatchStatus | undefined;
  private nextReinitAt: () => number | undefined = () => undefined;
  private lastReinit: { atMs: number; reason: BrokerReinitReason } | undefined;

  constructor(
    private readonly tokenCheck: TokenCheck,
    private readonly broker: BrokerReinit,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The scheduler tells the watch when the next periodic re-init is due (for the log line). */
  setNextReinitProvider(fn: () => number | undefined): void {
    this.nextReinitAt = fn;
  }

  /** Last check, for /healthz. */
  lastStatus(): TokenWatchStatus | undefined {
    return this.status;
  }

  /** One 30-minute check. Throws when the token could not be obtained (the job runner retries and alerts). */
  async check(signal?: AbortSignal): Promise<TokenCheckResult & { reinitialised: boolean }> {
    const result = await this.tokenCheck.check(signal);
    const nowMs = this.clock.nowMs();
    this.status = {
      checkedAtEpochMs: nowMs,
      remainingMs: result.remainingMs,
      expiresAtEpochMs: nowMs + result.remainingMs,
      ...(this.lastReinit ? { lastReinitAtEpochMs: this.lastReinit.atMs, lastReinitReason: this.lastReinit.reason } : {}),
    };
    const remaining = formatDuration(result.remainingMs);
    if (result.refreshed) {
      this.logger.info({ remainingMs: result.remainingMs }, `[TOKEN_CHECK] token refreshed under the margin (remaining ${remaining})`);
    } else if (result.changed) {
      this.logger.info({ remainingMs: result.remainingMs }, `[TOKEN_CHECK] token change detected (issued elsewhere; remaining ${remaining})`);
    } else {
      this.logger.info({ remainingMs: result.remainingMs }, `[TOKEN_CHECK] existing token in use (remaining ${remaining})`);
    }
    if (result.changed || result.refreshed) {
      await this.reinit('token-changed');
      return { ...result, reinitialised: true };
    }
    const next = this.nextReinitAt();
    const nextText = next === undefined ? 'not scheduled' : `in ${((next - nowMs) / 3_600_000).toFixed(1)} h`;
    this.logger.info({ nextReinitAtEpochMs: next }, `[TOKEN_CHECK] token valid, broker ok (next periodic re-init ${nextText})`);
    return { ...result, reinitialised: false };
  }

  /** The 6-hourly re-init: rebuilds broker sessions, never issues a token. */
  async periodicReinit(): Promise<void> {
    this.logger.info('[TOKEN_CHECK] periodic broker re-init (guards against the 24 h token expiry)');
    await this.reinit('periodic');
  }

  private async reinit(reason: BrokerReinitReason): Promise<void> {
    this.logger.info({ reason }, '[TOKEN_REFRESH] broker re-init started');
    await this.broker.reinit(reason);
    this.lastReinit = { atMs: this.clock.nowMs(), reason };
    if (this.status) this.status = { ...this.status, lastReinitAtEpochMs: this.lastReinit.atMs, lastReinitReason: reason };
    this.logger.info({ reason }, '[TOKEN_REFRESH] broker re-init finished');
  }
}

/**
 * Adapts a TokenProvider (the token manager) to TokenCheck: `changed` when the value differs from the previous
 * check's, `refreshed` when that new token was issued during this check. The first check only records.
 */
export function tokenCheckFromProvider(provider: TokenProvider, clock: Clock): TokenCheck {
  let previous: AccessToken | undefined;
  return {
    async check(signal?: AbortSignal): Promise<TokenCheckResult> {
      const startedMs = clock.nowMs();
      const token = await provider.getAccessToken(signal);
      const changed = previous !== undefined && previous.value !== token.value;
      previous = token;
      return {
        remainingMs: Math.max(0, token.expiresAtEpochMs - clock.nowMs()),
        changed,
        refreshed: changed && token.issuedAtEpochMs >= startedMs,
      };
    },
  };
}
