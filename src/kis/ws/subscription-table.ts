// Desired vs server-side registrations (tr_id + tr_key) of one WebSocket session, and the reconcile step
// that says what to send next. Pure: no I/O, no timers. KIS caps a session at 41 registrations summed over
// all TRs (fact sheet §5); OTA and PK stop at 40, so do we by default.
import { KisdError } from '../../core/errors.js';
import type { TrType } from './wire.js';

export interface SubscriptionKey {
  trId: string;
  trKey: string;
}

/** Server-side state of one key on the current connection. */
export type ServerState = 'subscribing' | 'acked' | 'releasing' | 'rejected';

export interface PendingAction extends SubscriptionKey {
  trType: TrType;
}

interface Entry extends SubscriptionKey {
  state: ServerState;
  /** Rejected for the registration cap (OPSP0008): retried once a release on this connection frees room. */
  overCap?: boolean;
  /** approval key the last request for this key was sent with (OPSP0011 handling) */
  sentWith?: string;
}

export function keyOf(trId: string, trKey: string): string {
  return `${trId}|${trKey}`;
}

/** Thrown by subscribe/setDesired past the cap. */
export class SubscriptionCapError extends KisdError {
  constructor(wanted: number, cap: number) {
    super('KIS_WS_SUBSCRIPTION_CAP', `${wanted} realtime registrations requested but one session allows at most ${cap}`, {
      disposition: 'fatal',
      details: { wanted, cap },
    });
  }
}

export class SubscriptionTable {
  private readonly desired = new Map<string, SubscriptionKey>();
  private readonly server = new Map<string, Entry>();
  /** What a lost connection may have left registered on the server: released first on the next one. */
  private readonly stale = new Map<string, SubscriptionKey>();

  /** rank: subscribe order (lower first, ties in desired order); default desired order. */
  constructor(
    private readonly cap: number,
    private readonly rank: (key: SubscriptionKey) => number = () => 0,
  ) {}

  /** Adds a desired key; throws SubscriptionCapError past the cap. A rejected key gets one more try. */
  desire(trId: string, trKey: string): void {
    const k = keyOf(trId, trKey);
    if (!this.desired.has(k)) {
      if (this.desired.size >= this.cap) throw new SubscriptionCapError(this.desired.size + 1, this.cap);
      this.desired.set(k, { trId, trKey });
    }
    if (this.server.get(k)?.state === 'rejected') this.server.delete(k);
  }

  undesire(trId: string, trKey: string): void {
    const k = keyOf(trId, trKey);
    this.desired.delete(k);
    if (this.server.get(k)?.state === 'rejected') this.server.delete(k);
  }

  /** Replaces the desired set atomically; throws (changing nothing) past the cap. */
  setDesired(list: readonly SubscriptionKey[]): void {
    const next = new Map(list.map((s) => [keyOf(s.trId, s.trKey), { trId: s.trId, trKey: s.trKey }]));
    if (next.size > this.cap) throw new SubscriptionCapError(next.size, this.cap);
    this.desired.clear();
    for (const [k, v] of next) this.desired.set(k, v);
  }

  desiredList(): SubscriptionKey[] {
    return [...this.desired.values()];
  }

  isDesired(trId: string, trKey: string): boolean {
    return this.desired.has(keyOf(trId, trKey));
  }

  stateOf(trId: string, trKey: string): ServerState | undefined {
    return this.server.get(keyOf(trId, trKey))?.state;
  }

  /**
   * Keys to release first on a new connection (seed 001 §4.1): every desired key plus anything the last
   * connection may have left registered on the server.
   */
  releaseList(): SubscriptionKey[] {
    const out = new Map(this.desired);
    for (const [k, v] of this.stale) out.set(k, v);
    for (const [k, e] of this.server) if (e.state !== 'rejected') out.set(k, { trId: e.trId, trKey: e.trKey });
    return [...out.values()];
  }

  /** The connection ended: nothing is acknowledged any more, but keep what may linger for the next release. */
  connectionLost(): void {
    for (const [k, e] of this.server) if (e.state !== 'rejected') this.stale.set(k, { trId: e.trId, trKey: e.trKey });
    this.server.clear();
  }

  /** Forget all server state (after the release phase of a new connection). */
  resetServer(): void {
    this.server.clear();
    this.stale.clear();
  }

  /** Next request to send to converge server state on the desired set, or undefined when converged. */
  nextAction(): PendingAction | undefined {
    // Releases first: swapping a watchlist must never hold old + new registrations at once, or the server's
    // cap (41) refuses the new ones with OPSP0008.
    for (const [k, e] of this.server) {
      if (!this.desired.has(k) && (e.state === 'acked' || e.state === 'subscribing')) {
        return { trType: '2', trId: e.trId, trKey: e.trKey };
      }
    }
    let best: SubscriptionKey | undefined;
    let bestRank = Infinity;
    for (const [k, d] of this.desired) {
      if (this.server.has(k)) continue;
      const r = this.rank(d);
      if (r < bestRank) [best, bestRank] = [d, r];
    }
    return best === undefined ? undefined : { trType: '1', trId: best.trId, trKey: best.trKey };
  }

  /** Records that `action` was sent with `approvalKey`. */
  markSent(action: PendingAction, approvalKey: string): void {
    this.server.set(keyOf(action.trId, action.trKey), {
      trId: action.trId,
      trKey: action.trKey,
      state: action.trType === '1' ? 'subscribing' : 'releasing',
      sentWith: approvalKey,
    });
  }

  /** Registration confirmed; false if the key was not being subscribed (late or unsolicited reply). */
  markAcked(trId: string, trKey: string): boolean {
    const e = this.server.get(keyOf(trId, trKey));
    if (e === undefined) {
      // Unsolicited ack (e.g. a release crossed a re-subscribe): the server holds it, so track it.
      this.server.set(keyOf(trId, trKey), { trId, trKey, state: 'acked' });
      return true;
    }
    if (e.state !== 'subscribing') return false;
    e.state = 'acked';
    return true;
  }

  /**
   * Release confirmed (or not found): the key is gone from the server. Only acts on a pending release. The slot
   * it frees goes to one key refused over the cap on this connection (best rank first), which nextAction() then
   * sends again: one retry per freed slot, never a loop of refused subscribes.
   */
  markReleased(trId: string, trKey: string): void {
    const k = keyOf(trId, trKey);
    if (this.server.get(k)?.state !== 'releasing') return;
    this.server.delete(k);
    let retry: string | undefined;
    let bestRank = Infinity;
    for (const [key, e] of this.server) {
      if (e.state !== 'rejected' || e.overCap !== true || !this.desired.has(key)) continue;
      const r = this.rank(e);
      if (r < bestRank) [retry, bestRank] = [key, r];
    }
    if (retry !== undefined) this.server.delete(retry);
  }

  /** Refused: not retried on this connection (over the cap: until a release frees room, see markReleased). */
  markRejected(trId: string, trKey: string, overCap = false): void {
    const e = this.server.get(keyOf(trId, trKey));
    if (e !== undefined) {
      e.state = 'rejected';
      e.overCap = overCap;
    } else this.server.set(keyOf(trId, trKey), { trId, trKey, state: 'rejected', overCap });
  }

  /**
   * A request was refused without effect (OPSP0011): undo its pending state so nextAction() sends it
   * again — a pending subscribe is forgotten, a pending release goes back to acked.
   */
  revertPending(trId: string, trKey: string): void {
    const k = keyOf(trId, trKey);
    const e = this.server.get(k);
    if (e?.state === 'subscribing') this.server.delete(k);
    else if (e?.state === 'releasing') e.state = 'acked';
  }

  sentWith(trId: string, trKey: string): string | undefined {
    return this.server.get(keyOf(trId, trKey))?.sentWith;
  }

  /** Keys the server holds or may hold (for the release on stop). */
  registeredList(): SubscriptionKey[] {
    return [...this.server.values()].filter((e) => e.state === 'acked' || e.state === 'subscribing').map((e) => ({ trId: e.trId, trKey: e.trKey }));
  }

  counts(): { desired: number; acknowledged: number; pending: number; rejected: number } {
    let acknowledged = 0;
    let pending = 0;
    let rejected = 0;
    for (const [k, e] of this.server) {
      if (e.state === 'acked' && this.desired.has(k)) acknowledged++;
      else if (e.state === 'subscribing' || e.state === 'releasing') pending++;
      else if (e.state === 'rejected') rejected++;
    }
    return { desired: this.desired.size, acknowledged, pending, rejected };
  }

  hasPendingRelease(): boolean {
    for (const e of this.server.values()) if (e.state === 'releasing') return true;
    return false;
  }
}
