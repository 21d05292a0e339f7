// KIS realtime WebSocket session (fact sheet §5; seed 001 §4.1-4.2): one socket, desired vs acknowledged
// registrations, release-first + 3 s grace on every new connection (ALREADY IN SUBSCRIBE fix), PINGPONG
// echo and a 30 s application keepalive (idle-cut fix), silence watchdog, reconnect with backoff + jitter.
// All timers run on the injected Clock.
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { KisdError, errorMessage } from '../../core/errors.js';
import { registerSecret } from '../../log/secrets.js';
import { backoffDelayMs } from '../../core/retry.js';
import type { NoticeCipherKey } from './cipher.js';
import { openWebSocket } from './connect.js';
import type { ParseResult } from './events.js';
import { createParseStats, parseFrame } from './parse.js';
import { compileWsSessionOptions, type CompiledWsSessionOptions, type WsSessionOptions } from './session-options.js';
import { zeroCounters, type ConnectionEndReason, type SessionLifecycleEvent, type SessionState, type WsSessionStatus } from './session-events.js';
import { SubscriptionTable, type PendingAction, type ServerState, type SubscriptionKey } from './subscription-table.js';
import type { Connection } from './connection.js';
import { SessionReplies } from './control-replies.js';
import { subscribeFrame } from './wire.js';

const LOG_EVERY = 1000;

export class WsSession {
  private readonly o: CompiledWsSessionOptions;
  private readonly log: Logger;
  private readonly table: SubscriptionTable;
  private readonly replies: SessionReplies;
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
    this.table = new SubscriptionTable(this.o.maxSubscriptions, this.o.subscribeRank);
    this.replies = new SessionReplies({
      options: this.o,
      log: this.log,
      table: this.table,
      noticeKeys: this.noticeKeys,
      counters: this.counters,
      send: (conn, text) => this.send(conn, text),
      sendRequest: (conn, action) => this.sendRequest(conn, action),
      endConnection: (conn, reason) => this.endConnection(conn, reason),
      emit: (ev) => this.emit(ev),
      kick: () => this.kick(),
      notifyChange: () => this.notifyChange(),
    });
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
      lastRxMono: this.o.clock.monotonicMs(), recentPings: [], keyRefreshes: new Set(), keysReceived: new Set(), timers: [],
    };
    this.conn = conn;
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(conn, data));
    // Protocol-level ping/pong frames are traffic too (ws answers pings itself).
    ws.on('ping', () => (conn.lastRxMono = this.o.clock.monotonicMs()));
    ws.on('pong', () => (conn.lastRxMono = this.o.clock.monotonicMs()));
    ws.on('error', (err) => this.log.warn({ connectionId: id, err: errorMessage(err) }, 'websocket error'));
    ws.on('close', (code: number) => this.endConnection(conn, conn.closingByUs ? 'stopped' : 'remote-close', code));
    conn.timers.push(this.o.clock.setInterval(() => this.replies.sendKeepalive(conn), this.o.keepaliveIntervalMs));
    this.replies.watchSilence(conn);
    return conn;
  }

  /** Ends a connection once: stops its timers and phases, kills the socket, wakes the run loop. */
  private endConnection(conn: Connection, reason: ConnectionEndReason, code?: number): void {
    if (conn.ended) return;
    conn.ended = true;
    conn.abort.abort();
    for (const t of conn.timers) this.o.clock.clearInterval(t);
    if (conn.silenceTimer !== undefined) this.o.clock.clearTimeout(conn.silenceTimer);
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
        this.replies.onControl(conn, r.control);
        break;
      case 'pingpong':
        this.replies.onPingpong(conn, r.text);
        break;
      case 'malformed':
        this.logMalformed(r);
        if (r.reason === 'decrypt-failed' || r.reason === 'no-key' || r.reason === 'bad-base64') this.replies.onUndecryptable(conn, r.detail);
        break;
    }
  }

  private logMalformed(r: Extract<ParseResult, { kind: 'malformed' }>): void {
    const n = this.parseStats.malformedFrames;
    if (n <= 10 || n % LOG_EVERY === 0) this.log.warn({ reason: r.reason, detail: r.detail, malformedFrames: n }, 'malformed realtime frame dropped');
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
