// What a KIS WebSocket session does with the server's replies: control replies to (un)registrations (ack,
// release, refusals, the approval-key re-issue on OPSP0011, the key/iv of encrypted TRs) and connection
// liveness (PINGPONG echo, the application keepalive, the silence watchdog). The session owns the state; this
// handler acts on it through the narrow SessionHost it is given.
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { registerSecret } from '../../log/secrets.js';
import type { NoticeCipherKey } from './cipher.js';
import type { Connection } from './connection.js';
import { classifyControl, safeMsg1 } from './control-codes.js';
import type { ControlReply } from './events.js';
import type { CompiledWsSessionOptions } from './session-options.js';
import type { ConnectionEndReason, SessionLifecycleEvent, WsSessionCounters } from './session-events.js';
import type { PendingAction, SubscriptionTable } from './subscription-table.js';
import { ENCRYPTED_TRS, KEEPALIVE_FRAME, OPSP } from './wire.js';

/** The parts of a session its reply handler reads and drives. */
export interface SessionHost {
  readonly options: CompiledWsSessionOptions;
  readonly log: Logger;
  readonly table: SubscriptionTable;
  readonly noticeKeys: Map<string, NoticeCipherKey>;
  readonly counters: WsSessionCounters;
  send(conn: Connection, text: string): boolean;
  sendRequest(conn: Connection, action: PendingAction): void;
  endConnection(conn: Connection, reason: ConnectionEndReason): void;
  emit(ev: SessionLifecycleEvent): void;
  kick(): void;
  notifyChange(): void;
}

export class SessionReplies {
  constructor(private readonly h: SessionHost) {}

  onPingpong(conn: Connection, text: string): void {
    this.h.counters.pingpongsReceived++;
    if (conn.recentPings.includes(text)) return; // the server echoed our own keepalive/echo: do not bounce it back
    // KIS expects the same payload back; PK and OTA's multi-process sample echo it as a text frame.
    if (this.h.send(conn, text)) {
      this.h.counters.pingpongsEchoed++;
      this.rememberPing(conn, text);
    }
  }

  sendKeepalive(conn: Connection): void {
    if (this.h.send(conn, KEEPALIVE_FRAME)) {
      this.h.counters.keepalivesSent++;
      this.rememberPing(conn, KEEPALIVE_FRAME);
    }
  }

  private rememberPing(conn: Connection, text: string): void {
    conn.recentPings.push(text);
    if (conn.recentPings.length > 4) conn.recentPings.shift();
  }

  /**
   * The silence watchdog sleeps until the instant the socket would have been silent deadAfterSilenceMs: if
   * nothing came in meanwhile it is dead, else it sleeps until the new deadline. (It used to look every 5 s:
   * twelve wake-ups a minute per socket, all night, to find it alive, and up to 5 s late when it was not.)
   */
  watchSilence(conn: Connection): void {
    const { clock, deadAfterSilenceMs } = this.h.options;
    const silentMs = clock.monotonicMs() - conn.lastRxMono;
    if (conn.ended) return;
    if (silentMs < deadAfterSilenceMs) {
      conn.silenceTimer = clock.setTimeout(() => this.watchSilence(conn), deadAfterSilenceMs - silentMs);
      return;
    }
    this.h.counters.deadSockets++;
    this.h.log.warn({ connectionId: conn.id, silentMs }, 'websocket silent too long: declaring it dead and replacing it');
    this.h.emit({ type: 'dead', connectionId: conn.id, silentMs });
    this.h.endConnection(conn, 'dead');
  }

  onControl(conn: Connection, c: ControlReply): void {
    const action = classifyControl(c);
    const where = { connectionId: conn.id, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd };
    if (c.key !== undefined && c.iv !== undefined) {
      this.h.noticeKeys.set(c.trId, { key: c.key, iv: c.iv });
      conn.keysReceived.add(c.trId);
    }
    switch (action) {
      case 'acked':
        // Replies to the release-first step are not registrations of this connection.
        if (conn.phase === 'releasing') break;
        if (this.h.table.markAcked(c.trId, c.trKey)) {
          this.h.counters.acks++;
          if (c.msgCd === OPSP.alreadySubscribed) this.h.counters.alreadySubscribed++;
          this.h.emit({ type: 'acknowledged', connectionId: conn.id, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd });
          this.ensureNoticeKey(conn, c);
        }
        break;
      case 'released':
      case 'release-unknown':
        if (conn.phase === 'releasing') break;
        this.h.counters.releases++;
        this.h.table.markReleased(c.trId, c.trKey);
        break;
      case 'over-cap':
        // Not retried in a loop (refused subscribes over and over can get the key blocked): only once a release on
        // this connection frees a slot (SubscriptionTable.markReleased).
        this.reject(conn, c, 'KIS_WS_MAX_SUBSCRIBE', 'registration refused: MAX SUBSCRIBE OVER', true);
        break;
      case 'invalid-approval':
        this.onInvalidApproval(conn, c);
        break;
      case 'in-use':
        this.h.log.warn(where, 'websocket refused: app key already in use by another session; backing off');
        this.h.emit({ type: 'error', connectionId: conn.id, code: 'KIS_WS_IN_USE', message: 'ALREADY IN USE appkey', msgCd: c.msgCd });
        this.h.endConnection(conn, 'in-use');
        break;
      case 'rejected':
        this.reject(conn, c, 'KIS_WS_SUBSCRIBE_REJECTED', `registration refused: ${c.msgCd} ${safeMsg1(c)}`);
        break;
    }
    this.h.kick();
    this.h.notifyChange();
  }

  private reject(conn: Connection, c: ControlReply, code: string, message: string, overCap = false): void {
    this.h.counters.rejected++;
    this.h.table.markRejected(c.trId, c.trKey, overCap);
    this.h.log.warn({ connectionId: conn.id, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd }, message);
    this.h.emit({ type: 'error', connectionId: conn.id, code, message, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd });
  }

  /**
   * An encrypted TR acknowledged without key/iv (OPSP0002 ALREADY IN SUBSCRIBE) keeps the key of the previous
   * connection when there is one: KIS hands key/iv out with the subscribe reply of a registration (fact sheet §5:
   * "from that TR's subscribe reply"), and ALREADY IN SUBSCRIBE means the registration — and the key its notices
   * are encrypted with — predates this connection (the simulator models it so). Without any key, or when a
   * notice does not decrypt with the kept one (onUndecryptable), release and re-register once on this connection
   * for a fresh key/iv.
   */
  private ensureNoticeKey(conn: Connection, c: ControlReply): void {
    if (!ENCRYPTED_TRS.has(c.trId) || this.h.noticeKeys.has(c.trId)) return;
    this.refreshNoticeKey(conn, c.trId, c.trKey, 'encrypted TR acknowledged without key/iv');
  }

  /** A notice of an encrypted TR did not decrypt (no key, or a key this connection did not receive). */
  onUndecryptable(conn: Connection, trId: string): void {
    if (!ENCRYPTED_TRS.has(trId) || conn.keysReceived.has(trId)) return; // a key from this connection: nothing fresher to get
    const key = this.h.table.desiredList().find((k) => k.trId === trId);
    if (key === undefined || this.h.table.stateOf(key.trId, key.trKey) !== 'acked') return;
    this.h.noticeKeys.delete(trId);
    this.refreshNoticeKey(conn, trId, key.trKey, 'execution notice does not decrypt with the previous connection\'s key/iv');
  }

  private refreshNoticeKey(conn: Connection, trId: string, trKey: string, why: string): void {
    if (conn.keyRefreshes.has(trId)) return; // once per connection: a refresh loop could get the key blocked
    conn.keyRefreshes.add(trId);
    this.h.log.warn({ connectionId: conn.id, trId }, `${why}: re-registering once`);
    this.h.sendRequest(conn, { trType: '2', trId, trKey });
  }

  /** OPSP0011: drop the approval key, issue a new one once per connection and resend; a second refusal reconnects. */
  private onInvalidApproval(conn: Connection, c: ControlReply): void {
    const sentWith = this.h.table.sentWith(c.trId, c.trKey) ?? conn.approvalKey;
    this.h.table.revertPending(c.trId, c.trKey);
    if (conn.rekeying !== undefined || sentWith !== conn.approvalKey) return; // already being / been replaced
    if (conn.rekeyed) {
      this.h.log.warn({ connectionId: conn.id, trId: c.trId }, 'websocket approval key refused again after re-issue: reconnecting');
      this.h.emit({ type: 'error', connectionId: conn.id, code: 'KIS_WS_INVALID_APPROVAL', message: 'approval key refused after re-issue', trId: c.trId, trKey: c.trKey, msgCd: c.msgCd });
      this.h.endConnection(conn, 'invalid-approval');
      return;
    }
    conn.rekeyed = true;
    this.h.log.warn({ connectionId: conn.id, trId: c.trId }, 'websocket approval key refused (OPSP0011): re-issuing it once');
    const bad = conn.approvalKey;
    conn.rekeying = (async () => {
      await this.h.options.approvalKeys.invalidateApprovalKey(bad);
      const fresh = await this.h.options.approvalKeys.getApprovalKey(conn.abort.signal);
      registerSecret(fresh);
      conn.approvalKey = fresh;
      this.h.counters.approvalReissues++;
    })()
      .catch((err: unknown) => {
        if (conn.ended) return;
        this.h.log.warn({ connectionId: conn.id, err: errorMessage(err) }, 'approval key re-issue failed: reconnecting');
        this.h.endConnection(conn, 'invalid-approval');
      })
      .finally(() => {
        conn.rekeying = undefined;
        this.h.kick();
      });
  }
}
