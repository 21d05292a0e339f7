// KIS realtime WebSocket session (fact sheet §5; seed 001 §4.1-4.2): one socket, desired vs acknowledged
// registrations, release-first + 3 s grace on every new connection (ALREADY IN SUBSCRIBE fix), PINGPONG
// echo and a 30 s application keepalive (idle-cut fix), silence watchdog, reconnect with backoff + jitter.
// All timers run on the injected Clock.
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { TimerHandle } from '../../core/clock.js';
import { KisdError, errorMessage } from '../../core/errors.js';
import { registerSecret } from '../../log/secrets.js';
import { backoffDelayMs } from './backoff.js';
import type { NoticeCipherKey } from './cipher.js';
import { openWebSocket } from './connect.js';
import { classifyControl, safeMsg1 } from './control-codes.js';
import type { ControlReply, ParseResult } from './events.js';
import { createParseStats, parseFrame } from './parse.js';
import { compileWsSessionOptions, type CompiledWsSessionOptions, type WsSessionOptions } from './session-options.js';
import { zeroCounters, type ConnectionEndReason, type SessionLifecycleEvent, type SessionState, type WsSessionStatus } from './session-events.js';
import { SubscriptionTable, type PendingAction, type ServerState, type SubscriptionKey } from './subscription-table.js';
import { ENCRYPTED_TRS, KEEPALIVE_FRAME, OPSP, subscribeFrame } from './wire.js';

/** One physical connection; a new one is made for every (re)connect. */
interface Connection {
  id: number;
  ws: WebSocket;
  approvalKey: string;
  /** Aborts this connection's phases, pump sleeps and timers. */
  abort: AbortController;
  phase: 'releasing' | 'subscribing' | 'ready' | 'stopping';
  ended: boolean;
  closingByUs: boolean;
  resolveEnded: (reason: ConnectionEndReason) => void;
  ended$: Promise<ConnectionEndReason>;
  pumping: boolean;
  rekeyed: boolean;
  rekeying: Promise<void> | undefined;
  lastRxMono: number;
  /** PINGPONG texts we sent lately: an echo of one of them is not echoed again (no ping-pong storm). */
  recentPings: string[];
  /** encrypted TRs re-subscribed once on this connection to obtain their key/iv */
  keyRefreshes: Set<string>;
  timers: TimerHandle[];
}

const LOG_EVERY = 1000;

export class WsSession {
  private readonly o: CompiledWsSessionOptions;
  private readonly log: Logger;
  private readonly table: SubscriptionTable;
  private readonly noticeKeys = new Map<string, NoticeCipherKey>();
  private readonly parseStats = createParseStats();
  private readonly counters = zeroCounters();
  private readonly listeners = new Set<(ev: SessionLifecycleEvent) => void>();
  private readonly changeWaiters = new Set<() => void>();
  private state: SessionState = 'idle';
  private conn: Connection | undefined;
  private connSeq = 0;
  private attempt = 0;
  private stopController: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private lastMessageAtMs: number | undefined;

  constructor(options: WsSessionOptions) {
    this.o = compileWsSessionOptions(options);
    this.log = this.o.log.child({ component: 'kis-ws' });
    this.table = new SubscriptionTable(this.o.maxSubscriptions);
  }

  /** Starts connecting; reconnects without limit until stop(). Idempotent. */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopController = new AbortController();
    this.stopping = undefined;
    this.loop = this.run(this.stopController.signal);
  }

  /** Releases registrations, closes the socket and ends the reconnect loop, all within stopTimeoutMs. */
  stop(): Promise<void> {
    if (this.loop === undefined) {
      this.state = 'stopped';
      return Promise.resolve();
    }
    this.stopping ??= this.shutdown(this.loop);
    return this.stopping;
  }

  /** Adds a registration; throws SubscriptionCapError past maxSubscriptions. */
  subscribe(trId: string, trKey: string): void {
    this.table.desire(trId, trKey);
    this.kick();
  }

  unsubscribe(trId: string, trKey: string): void {
    this.table.undesire(trId, trKey);
    this.kick();
  }

  /** Replaces the desired set (throws, changing nothing, past the cap); the session converges on it. */
  setDesired(list: readonly SubscriptionKey[]): void {
    this.table.setDesired(list);
    this.kick();
  }

  desired(): SubscriptionKey[] {
    return this.table.desiredList();
  }

  /** Every desired key with its state on the current connection ('none' = not sent yet). */
  registrations(): (SubscriptionKey & { state: ServerState | 'none' })[] {
    return this.table.desiredList().map((k) => ({ ...k, state: this.table.stateOf(k.trId, k.trKey) ?? 'none' }));
  }

  /** Subscribes to lifecycle events; returns the unsubscribe function. */
  on(listener: (ev: SessionLifecycleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): WsSessionStatus {
    const c = this.table.counts();
    return {
      state: this.state,
      connectionId: this.conn?.id ?? 0,
      desired: c.desired,
      acknowledged: c.acknowledged,
      pending: c.pending,
      rejected: c.rejected,
      lastMessageAtMs: this.lastMessageAtMs,
      counters: { ...this.counters },
      parse: { ...this.parseStats, byReason: { ...this.parseStats.byReason } },
    };
  }

  // ---- connection loop -------------------------------------------------------------------------

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const reason = await this.connectOnce(signal);
      if (signal.aborted) break;
      this.attempt++;
      let delayMs = backoffDelayMs(this.attempt, this.o.reconnect, this.o.random);
      if (reason === 'in-use') delayMs = Math.max(delayMs, this.o.inUseRetryDelayMs);
      this.counters.reconnects++;
      this.state = 'backoff';
      this.log.info({ attempt: this.attempt, delayMs, reason }, 'websocket reconnecting after backoff');
      this.emit({ type: 'reconnecting', attempt: this.attempt, delayMs, reason });
      try {
        await this.o.clock.sleep(delayMs, signal);
      } catch {
        break;
      }
    }
  }

  private async connectOnce(signal: AbortSignal): Promise<ConnectionEndReason> {
    const id = ++this.connSeq;
    this.state = 'connecting';
    this.emit({ type: 'connecting', connectionId: id, attempt: this.attempt });
    let approvalKey: string;
    try {
      approvalKey = await this.o.approvalKeys.getApprovalKey(signal);
      registerSecret(approvalKey);
    } catch (err) {
      if (signal.aborted) return 'stopped';
      this.log.warn({ err: errorMessage(err) }, 'websocket approval key unavailable');
      this.emit({ type: 'error', connectionId: id, code: 'KIS_WS_APPROVAL_KEY', message: errorMessage(err) });
      return 'approval-key-failed';
    }
    let ws: WebSocket;
    try {
      ws = await openWebSocket(this.o.url, this.o.clock, this.o.connectTimeoutMs, signal);
    } catch (err) {
      if (signal.aborted) return 'stopped';
      this.log.warn({ err: errorMessage(err), connectionId: id }, 'websocket connect failed');
      this.emit({ type: 'error', connectionId: id, code: err instanceof KisdError ? err.code : 'KIS_WS_CONNECT', message: errorMessage(err) });
      return 'connect-failed';
    }
    const conn = this.attach(id, ws, approvalKey);
    this.counters.connects++;
    this.log.info({ connectionId: id }, 'websocket connected');
    this.emit({ type: 'connected', connectionId: id });
    void this.runPhases(conn);
    return conn.ended$;
  }

  private attach(id: number, ws: WebSocket, approvalKey: string): Connection {
    let resolveEnded!: (reason: ConnectionEndReason) => void;
    const ended$ = new Promise<ConnectionEndReason>((r) => (resolveEnded = r));
    const conn: Connection = {
      id, ws, approvalKey, abort: new AbortController(), phase: 'releasing', ended: false, closingByUs: false,
      resolveEnded, ended$, pumping: false, rekeyed: false, rekeying: undefined,
      lastRxMono: this.o.clock.monotonicMs(), recentPings: [], keyRefreshes: new Set(), timers: [],
    };
    this.conn = conn;
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(conn, data));
    // Protocol-level ping/pong frames are traffic too (ws answers pings itself).
    ws.on('ping', () => (conn.lastRxMono = this.o.clock.monotonicMs()));
    ws.on('pong', () => (conn.lastRxMono = this.o.clock.monotonicMs()));
    ws.on('error', (err) => this.log.warn({ connectionId: id, err: errorMessage(err) }, 'websocket error'));
    ws.on('close', (code: number) => this.endConnection(conn, conn.closingByUs ? 'stopped' : 'remote-close', code));
    conn.timers.push(
      this.o.clock.setInterval(() => this.sendKeepalive(conn), this.o.keepaliveIntervalMs),
      this.o.clock.setInterval(() => this.checkSilence(conn), this.o.silenceCheckMs),
    );
    return conn;
  }

  /** Ends a connection once: stops its timers and phases, kills the socket, wakes the run loop. */
  private endConnection(conn: Connection, reason: ConnectionEndReason, code?: number): void {
    if (conn.ended) return;
    conn.ended = true;
    conn.abort.abort();
    for (const t of conn.timers) this.o.clock.clearInterval(t);
    if (conn.ws.readyState !== WebSocket.CLOSED) conn.ws.terminate();
    this.table.connectionLost();
    if (reason !== 'stopped') this.counters.drops++;
    if (reason === 'in-use') this.counters.inUse++;
    this.log.info({ connectionId: conn.id, reason, code }, 'websocket connection ended');
    this.emit({ type: 'closed', connectionId: conn.id, reason, ...(code === undefined ? {} : { code }) });
    conn.resolveEnded(reason);
    this.notifyChange();
  }

  // ---- phases: release everything, wait the grace, then converge on the desired set ---------------

  private async runPhases(conn: Connection): Promise<void> {
    try {
      this.state = 'releasing';
      const stale = this.table.releaseList();
      for (let i = 0; i < stale.length; i++) {
        if (conn.rekeying) await conn.rekeying;
        const k = stale[i]!;
        this.send(conn, subscribeFrame(conn.approvalKey, this.o.custtype, '2', k.trId, k.trKey));
        if (i < stale.length - 1) await this.o.clock.sleep(this.o.subscribeSpacingMs, conn.abort.signal);
        if (this.phaseOver(conn)) return;
      }
      this.table.resetServer();
      if (stale.length > 0) {
        this.emit({ type: 'released', connectionId: conn.id, count: stale.length });
        // KIS may still hold the old session's registrations: give it the grace before re-registering.
        await this.o.clock.sleep(this.o.releaseGraceMs, conn.abort.signal);
      }
      if (this.phaseOver(conn)) return;
      conn.phase = 'subscribing';
      this.state = 'subscribing';
      this.kick();
    } catch (err) {
      if (!conn.ended) this.log.warn({ err: errorMessage(err), connectionId: conn.id }, 'websocket release phase failed');
    }
  }

  /** stop() began or the connection ended while a phase was waiting. */
  private phaseOver(conn: Connection): boolean {
    return conn.ended || conn.phase === 'stopping';
  }

  private kick(): void {
    const conn = this.conn;
    if (conn === undefined || conn.ended || conn.pumping || (conn.phase !== 'subscribing' && conn.phase !== 'ready')) return;
    conn.pumping = true;
    void this.pump(conn);
  }

  /** Sends one request at a time, subscribeSpacingMs apart, until the server side matches the desired set. */
  private async pump(conn: Connection): Promise<void> {
    try {
      // Bounded: each key is sent at most once per state change; 10 000 sends would mean a bug.
      for (let n = 0; n < 10_000; n++) {
        if (conn.rekeying) await conn.rekeying;
        if (this.phaseOver(conn)) return;
        const action = this.table.nextAction();
        if (action === undefined) break;
        this.sendRequest(conn, action);
        if (this.table.nextAction() === undefined) this.markReady(conn);
        await this.o.clock.sleep(this.o.subscribeSpacingMs, conn.abort.signal);
      }
      this.markReady(conn);
    } catch {
      // aborted: the connection ended or stop() began
    } finally {
      conn.pumping = false;
    }
  }

  /** Every desired key has been requested on this connection. */
  private markReady(conn: Connection): void {
    if (conn.phase !== 'subscribing' || this.phaseOver(conn)) return;
    conn.phase = 'ready';
    this.state = 'ready';
    this.attempt = 0; // a connection that got this far resets the backoff
    this.emit({ type: 'ready', connectionId: conn.id, desired: this.table.counts().desired });
  }

  private sendRequest(conn: Connection, action: PendingAction): void {
    if (this.send(conn, subscribeFrame(conn.approvalKey, this.o.custtype, action.trType, action.trId, action.trKey))) {
      this.table.markSent(action, conn.approvalKey);
    }
  }

  private send(conn: Connection, text: string): boolean {
    if (conn.ended || conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(text);
    return true;
  }

  // ---- inbound ------------------------------------------------------------------------------------

  private onMessage(conn: Connection, data: WebSocket.RawData): void {
    if (conn.ended) return;
    conn.lastRxMono = this.o.clock.monotonicMs();
    const nowMs = this.o.clock.nowMs();
    this.lastMessageAtMs = nowMs;
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const r = parseFrame(text, this.parseStats, { keys: this.noticeKeys, keepFields: this.o.keepFields, receivedAtMs: nowMs });
    switch (r.kind) {
      case 'data':
        this.counters.records += r.events.length;
        for (const ev of r.events) {
          try {
            this.o.sink(ev);
          } catch (err) {
            if (this.counters.sinkErrors++ % LOG_EVERY === 0) this.log.error({ err: errorMessage(err), count: this.counters.sinkErrors }, 'realtime sink threw');
          }
        }
        break;
      case 'control':
        this.onControl(conn, r.control);
        break;
      case 'pingpong':
        this.onPingpong(conn, r.text);
        break;
      case 'malformed':
        this.logMalformed(r);
        break;
    }
  }

  private logMalformed(r: Extract<ParseResult, { kind: 'malformed' }>): void {
    const n = this.parseStats.malformedFrames;
    if (n <= 10 || n % LOG_EVERY === 0) this.log.warn({ reason: r.reason, detail: r.detail, malformedFrames: n }, 'malformed realtime frame dropped');
  }

  private onPingpong(conn: Connection, text: string): void {
    this.counters.pingpongsReceived++;
    if (conn.recentPings.includes(text)) return; // the server echoed our own keepalive/echo: do not bounce it back
    // KIS expects the same payload back; PK and OTA's multi-process sample echo it as a text frame.
    if (this.send(conn, text)) {
      this.counters.pingpongsEchoed++;
      this.rememberPing(conn, text);
    }
  }

  private sendKeepalive(conn: Connection): void {
    if (this.send(conn, KEEPALIVE_FRAME)) {
      this.counters.keepalivesSent++;
      this.rememberPing(conn, KEEPALIVE_FRAME);
    }
  }

  private rememberPing(conn: Connection, text: string): void {
    conn.recentPings.push(text);
    if (conn.recentPings.length > 4) conn.recentPings.shift();
  }

  private checkSilence(conn: Connection): void {
    const silentMs = this.o.clock.monotonicMs() - conn.lastRxMono;
    if (conn.ended || silentMs < this.o.deadAfterSilenceMs) return;
    this.counters.deadSockets++;
    this.log.warn({ connectionId: conn.id, silentMs }, 'websocket silent too long: declaring it dead and replacing it');
    this.emit({ type: 'dead', connectionId: conn.id, silentMs });
    this.endConnection(conn, 'dead');
  }

  private onControl(conn: Connection, c: ControlReply): void {
    const action = classifyControl(c);
    const where = { connectionId: conn.id, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd };
    if (c.key !== undefined && c.iv !== undefined) this.noticeKeys.set(c.trId, { key: c.key, iv: c.iv });
    switch (action) {
      case 'acked':
        // Replies to the release-first step are not registrations of this connection.
        if (conn.phase === 'releasing') break;
        if (this.table.markAcked(c.trId, c.trKey)) {
          this.counters.acks++;
          if (c.msgCd === OPSP.alreadySubscribed) this.counters.alreadySubscribed++;
          this.emit({ type: 'acknowledged', connectionId: conn.id, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd });
          this.ensureNoticeKey(conn, c);
        }
        break;
      case 'released':
      case 'release-unknown':
        if (conn.phase === 'releasing') break;
        this.counters.releases++;
        this.table.markReleased(c.trId, c.trKey);
        break;
      case 'over-cap':
        // Not retried on this connection: a loop of refused subscribes can get the key blocked.
        this.reject(conn, c, 'KIS_WS_MAX_SUBSCRIBE', 'registration refused: MAX SUBSCRIBE OVER');
        break;
      case 'invalid-approval':
        this.onInvalidApproval(conn, c);
        break;
      case 'in-use':
        this.log.warn(where, 'websocket refused: app key already in use by another session; backing off');
        this.emit({ type: 'error', connectionId: conn.id, code: 'KIS_WS_IN_USE', message: 'ALREADY IN USE appkey', msgCd: c.msgCd });
        this.endConnection(conn, 'in-use');
        break;
      case 'rejected':
        this.reject(conn, c, 'KIS_WS_SUBSCRIBE_REJECTED', `registration refused: ${c.msgCd} ${safeMsg1(c)}`);
        break;
    }
    this.kick();
    this.notifyChange();
  }

  private reject(conn: Connection, c: ControlReply, code: string, message: string): void {
    this.counters.rejected++;
    this.table.markRejected(c.trId, c.trKey);
    this.log.warn({ connectionId: conn.id, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd }, message);
    this.emit({ type: 'error', connectionId: conn.id, code, message, trId: c.trId, trKey: c.trKey, msgCd: c.msgCd });
  }

  /**
   * An encrypted TR acknowledged without key/iv (OPSP0002 after a stale session) cannot be decrypted:
   * release and re-register it once on this connection to get a fresh key/iv.
   */
  private ensureNoticeKey(conn: Connection, c: ControlReply): void {
    if (!ENCRYPTED_TRS.has(c.trId) || this.noticeKeys.has(c.trId) || conn.keyRefreshes.has(c.trId)) return;
    conn.keyRefreshes.add(c.trId);
    this.log.warn({ connectionId: conn.id, trId: c.trId }, 'encrypted TR acknowledged without key/iv: re-registering once');
    this.sendRequest(conn, { trType: '2', trId: c.trId, trKey: c.trKey });
  }

  /** OPSP0011: drop the approval key, issue a new one once per connection and resend; a second refusal reconnects. */
  private onInvalidApproval(conn: Connection, c: ControlReply): void {
    const sentWith = this.table.sentWith(c.trId, c.trKey) ?? conn.approvalKey;
    this.table.revertPending(c.trId, c.trKey);
    if (conn.rekeying !== undefined || sentWith !== conn.approvalKey) return; // already being / been replaced
    if (conn.rekeyed) {
      this.log.warn({ connectionId: conn.id, trId: c.trId }, 'websocket approval key refused again after re-issue: reconnecting');
      this.emit({ type: 'error', connectionId: conn.id, code: 'KIS_WS_INVALID_APPROVAL', message: 'approval key refused after re-issue', trId: c.trId, trKey: c.trKey, msgCd: c.msgCd });
      this.endConnection(conn, 'invalid-approval');
      return;
    }
    conn.rekeyed = true;
    this.log.warn({ connectionId: conn.id, trId: c.trId }, 'websocket approval key refused (OPSP0011): re-issuing it once');
    const bad = conn.approvalKey;
    conn.rekeying = (async () => {
      await this.o.approvalKeys.invalidateApprovalKey(bad);
      const fresh = await this.o.approvalKeys.getApprovalKey(conn.abort.signal);
      registerSecret(fresh);
      conn.approvalKey = fresh;
      this.counters.approvalReissues++;
    })()
      .catch((err: unknown) => {
        if (conn.ended) return;
        this.log.warn({ connectionId: conn.id, err: errorMessage(err) }, 'approval key re-issue failed: reconnecting');
        this.endConnection(conn, 'invalid-approval');
      })
      .finally(() => {
        conn.rekeying = undefined;
        this.kick();
      });
  }

  // ---- stop -----------------------------------------------------------------------------------------

  private async shutdown(loop: Promise<void>): Promise<void> {
    const deadline = this.o.clock.monotonicMs() + this.o.stopTimeoutMs;
    const left = (): number => Math.max(0, deadline - this.o.clock.monotonicMs());
    this.stopController?.abort();
    const conn = this.conn;
    if (conn !== undefined && !conn.ended) {
      this.state = 'stopping';
      conn.phase = 'stopping';
      const registered = this.table.registeredList();
      // One burst at shutdown (not spaced): the next connection releases everything anyway.
      for (const k of registered) this.sendRequest(conn, { trType: '2', ...k });
      if (registered.length > 0) await this.waitUntil(() => conn.ended || !this.table.hasPendingRelease(), left() / 2);
      if (!conn.ended) {
        conn.closingByUs = true;
        conn.ws.close(1000, 'client stop');
        await this.waitUntil(() => conn.ended, left());
      }
      this.endConnection(conn, 'stopped');
    }
    // The deadline timer is cancelled once the loop ends, so it never keeps the process alive after stop().
    const cancelTimer = new AbortController();
    await Promise.race([loop, this.o.clock.sleep(left(), cancelTimer.signal).catch(() => undefined)]);
    cancelTimer.abort();
    this.loop = undefined;
    this.state = 'stopped';
    this.emit({ type: 'stopped' });
  }

  /** Resolves true once pred() holds (checked after every control reply / connection end), false at timeout. */
  private waitUntil(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (v: boolean): void => {
        this.o.clock.clearTimeout(timer);
        this.changeWaiters.delete(check);
        resolve(v);
      };
      const check = (): void => {
        if (pred()) done(true);
      };
      const timer = this.o.clock.setTimeout(() => done(false), timeoutMs);
      this.changeWaiters.add(check);
    });
  }

  private notifyChange(): void {
    for (const w of [...this.changeWaiters]) w();
  }

  private emit(ev: SessionLifecycleEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        this.log.error({ err: errorMessage(err), event: ev.type }, 'session lifecycle listener threw');
      }
    }
  }
}
