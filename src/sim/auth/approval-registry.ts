// WebSocket approval keys issued by /oauth2/Approval: UUID-like, valid 24 h, bound to the issuing app. The
// WebSocket side asks appForApprovalKey when a session subscribes (KIS checks the key at session start).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { SimApp, SimApprovalRegistry } from '../contracts.js';

const APPROVAL_VALIDITY_MS = 86_400_000;
const MAX_KEYS = 10_000;

export class ApprovalRegistry implements SimApprovalRegistry {
  private readonly keys = new Map<string, { app: SimApp; expiresAtMs: number }>();

  private readonly changeListeners: (() => void)[] = [];

  constructor(private readonly clock: Clock) {}

  onIssued(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Unexpired keys with their app's key, for persisting. */
  liveKeys(): { key: string; appKey: string; expiresAtMs: number }[] {
    const now = this.clock.nowMs();
    return [...this.keys].filter(([, v]) => now < v.expiresAtMs).map(([key, v]) => ({ key, appKey: v.app.appKey, expiresAtMs: v.expiresAtMs }));
  }

  restore(key: string, app: SimApp, expiresAtMs: number): void {
    this.keys.set(key, { app, expiresAtMs });
  }

  /** Issues a fresh key for app (every call a new key; earlier keys stay valid until they expire). */
  issue(app: SimApp): string {
    const now = this.clock.nowMs();
    if (this.keys.size >= MAX_KEYS) {
      for (const [k, v] of this.keys) if (v.expiresAtMs <= now) this.keys.delete(k);
    }
    const key = randomUUID();
    this.keys.set(key, { app, expiresAtMs: now + APPROVAL_VALIDITY_MS });
    for (const listener of this.changeListeners) listener();
    return key;
  }

  appForApprovalKey(approvalKey: string): SimApp | undefined {
    const e = this.keys.get(approvalKey);
    return e && this.clock.nowMs() < e.expiresAtMs ? e.app : undefined;
  }

  revoke(approvalKey: string): boolean {
    return this.keys.delete(approvalKey);
  }

  revokeAll(): void {
    this.keys.clear();
  }
}
