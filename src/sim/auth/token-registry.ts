// Access tokens as KIS issues them (/oauth2/tokenP): 24 h validity on the wall clock, the same token re-served
// within 6 h of its issue, and at most one tokenP success per minute per app key (EGW00133). Also revocation
// (/oauth2/revokeP) and the test hooks that expire or revoke tokens behind the client's back.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';

export interface TokenRules {
  validitySec: number;
  reuseWindowSec: number;
  issueMinIntervalSec: number;
}

export interface TokenRecord {
  value: string;
  appKey: string;
  issuedAtMs: number;
  expiresAtMs: number;
  revoked: boolean;
}

export type TokenRequestResult =
  | { kind: 'issued' | 'reused'; token: TokenRecord }
  | { kind: 'tooSoon' };

export type TokenCheck = 'ok' | 'expired' | 'invalid';

export class TokenRegistry {
  private readonly byValue = new Map<string, TokenRecord>();
  private readonly latest = new Map<string, TokenRecord>();
  private readonly lastSuccessMono = new Map<string, number>();
  private readonly changeListeners: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly rules: TokenRules,
  ) {}

  /**
   * A tokenP call for a registered app key.
   * The 1/min rule counts every successful tokenP reply, including one that re-serves the current token:
   * PK issue #24 users got EGW00133 on a second call seconds after the first, i.e. in exactly the case the
   * 6-hour reuse rule would otherwise answer with the same token, so the limit is checked first. Rejected
   * calls do not restart the minute.
   */
  request(appKey: string): TokenRequestResult {
    const mono = this.clock.monotonicMs();
    const last = this.lastSuccessMono.get(appKey);
    if (last !== undefined && mono - last < this.rules.issueMinIntervalSec * 1000) return { kind: 'tooSoon' };
    this.lastSuccessMono.set(appKey, mono);
    const now = this.clock.nowMs();
    const current = this.latest.get(appKey);
    if (current && !current.revoked && now < current.expiresAtMs && now - current.issuedAtMs < this.rules.reuseWindowSec * 1000) {
      return { kind: 'reused', token: current };
    }
    this.prune(now);
    const token: TokenRecord = { value: makeJwtLike(now, this.rules.validitySec), appKey, issuedAtMs: now, expiresAtMs: now + this.rules.validitySec * 1000, revoked: false };
    this.byValue.set(token.value, token);
    this.latest.set(appKey, token);
    for (const listener of this.changeListeners) listener();
    return { kind: 'issued', token };
  }

  /** Called after every newly issued token (the embedded simulator persists its server state). */
  onIssued(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** The live (unexpired, unrevoked) tokens, for persisting. */
  liveRecords(): TokenRecord[] {
    const now = this.clock.nowMs();
    return [...this.byValue.values()].filter((t) => !t.revoked && now < t.expiresAtMs).map((t) => ({ ...t }));
  }

  /** Restores tokens a previous run issued (each becomes its app's latest if it was issued later). */
  restore(records: readonly TokenRecord[]): void {
    for (const r of records) {
      const t = { ...r };
      this.byValue.set(t.value, t);
      const cur = this.latest.get(t.appKey);
      if (!cur || cur.issuedAtMs < t.issuedAtMs) this.latest.set(t.appKey, t);
    }
  }

  /** Whether value is a live token of appKey. A token of another app is 'invalid'. */
  check(value: string, appKey: string): TokenCheck {
    const t = this.byValue.get(value);
    if (!t || t.revoked || t.appKey !== appKey) return 'invalid';
    return this.clock.nowMs() >= t.expiresAtMs ? 'expired' : 'ok';
  }

  /** Revokes one token; false if unknown or already revoked. */
  revoke(value: string): boolean {
    const t = this.byValue.get(value);
    if (!t || t.revoked) return false;
    t.revoked = true;
    return true;
  }

  owner(value: string): string | undefined {
    return this.byValue.get(value)?.appKey;
  }

  /** Makes every issued token expire now (as if 24 h had passed); tokenP then issues a fresh one. */
  expireAll(): void {
    const now = this.clock.nowMs();
    for (const t of this.byValue.values()) t.expiresAtMs = Math.min(t.expiresAtMs, now);
  }

  expire(value: string): boolean {
    const t = this.byValue.get(value);
    if (!t) return false;
    t.expiresAtMs = Math.min(t.expiresAtMs, this.clock.nowMs());
    return true;
  }

  revokeAll(): void {
    for (const t of this.byValue.values()) t.revoked = true;
  }

  /** The app's latest token if it is still live. */
  current(appKey: string): string | undefined {
    const t = this.latest.get(appKey);
    return t && !t.revoked && this.clock.nowMs() < t.expiresAtMs ? t.value : undefined;
  }

  private prune(now: number): void {
    for (const [v, t] of this.byValue) {
      if (now - t.expiresAtMs > 86_400_000 && this.latest.get(t.appKey) !== t) this.byValue.delete(v);
    }
  }
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** An opaque JWT-shaped token like KIS's (header.payload.signature, ~330 chars, never over 350). */
function makeJwtLike(nowMs: number, validitySec: number): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS512' }));
  const iat = Math.floor(nowMs / 1000);
  const payload = b64url(JSON.stringify({ sub: 'token', aud: randomUUID(), prdt_cd: '', iss: 'unogw', exp: iat + validitySec, iat, jti: randomBytes(18).toString('hex') }));
  return `${header}.${payload}.${b64url(randomBytes(64))}`;
}
