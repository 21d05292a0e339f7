// In-memory OAuthClient for token/approval manager unit tests: scripted outcomes, every call recorded
// with the fake clock's time, and an optional hook run at call time (e.g. to inspect the pacer file).
import type { Clock } from '../../../src/core/clock.js';
import { formatKstTimestamp } from '../../../src/core/kst.js';
import type { OAuthClient } from '../../../src/kis/auth/oauth-client.js';
import { KisAuthError, type IssuedAccessToken, type IssuedApprovalKey } from '../../../src/kis/auth/oauth-wire.js';

export type FakeOutcome = 'ok' | 'EGW00133' | 'EGW00103' | Error;

export class FakeOAuthClient implements OAuthClient {
  readonly tokenCalls: number[] = [];
  readonly approvalCalls: number[] = [];
  /** Outcomes for the next calls (shifted per call); empty = 'ok'. */
  readonly script: FakeOutcome[] = [];
  lifetimeMs = 86_400_000;
  onCall: (() => Promise<void> | void) | undefined;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  private async outcome(): Promise<void> {
    await this.onCall?.();
    const next = this.script.shift() ?? 'ok';
    if (next === 'ok') return;
    if (next instanceof Error) throw next;
    throw new KisAuthError(
      next === 'EGW00133' ? 'KIS_AUTH_ISSUE_TOO_OFTEN' : 'KIS_AUTH_INVALID_APP_KEY',
      `fake ${next}`,
      { disposition: next === 'EGW00133' ? 'retryable' : 'fatal', kisCode: next, httpStatus: 403 },
    );
  }

  async issueAccessToken(): Promise<IssuedAccessToken> {
    const now = this.clock.nowMs();
    this.tokenCalls.push(now);
    await this.outcome();
    const expiresAtEpochMs = Math.floor((now + this.lifetimeMs) / 1000) * 1000;
    this.seq++;
    return {
      value: `fake-token-${this.seq}-${'x'.repeat(20)}`,
      tokenType: 'Bearer',
      expiresAtEpochMs,
      expiresAtKst: formatKstTimestamp(expiresAtEpochMs),
      expiresInSec: this.lifetimeMs / 1000,
      issuedAtEpochMs: now,
    };
  }

  async issueApprovalKey(): Promise<IssuedApprovalKey> {
    const now = this.clock.nowMs();
    this.approvalCalls.push(now);
    await this.outcome();
    this.seq++;
    return { value: `approval-${this.seq}-0000-4000-8000-000000000000`, issuedAtEpochMs: now };
  }

  async revokeAccessToken(): Promise<void> {}
}
