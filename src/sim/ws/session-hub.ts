// The simulated KIS WebSocket server's state machine: sessions, the one-session-per-app-key rule,
// registrations with OPSP replies, PINGPONG liveness, the L4-style idle cut (seed 001 §4.2), lingering
// registrations after abnormal closes (seed 001 §4.1), data/notice delivery and scripted faults.
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import type { TimerHandle } from '../../core/clock.js';
import { maskSecret } from '../../log/secrets.js';
import { parseClientMessage, type ClientMessage } from './client-message.js';
import { executionNoticeRecord, type ExecutionNoticeFields } from './execution-notice.js';
import {
  controlReplyFrame,
  dataFrame,
  encryptedDataFrame,
  garbageFrames,
  MSG1_MANDATORY_INPUT_MISSING,
  newCipherKeys,
  pingPongFrame,
  type ControlReplyInput,
} from './frames.js';
import type { CompiledSimWebSocketOptions } from './options.js';
import { RegistrationTable } from './registration-table.js';
import { SimSession } from './sim-session.js';
import { DOMESTIC_NOTICE_TR_IDS, ENCRYPTED_TR_IDS, marketRecord, SUPPORTED_TR_IDS } from './tr-catalog.js';

export interface SimWebSocketStats {
  /** Sessions the server still holds (a half-open one whose socket closed stays until reaped). */
  sessions: number;
  /** Open sockets. */
  sockets: number;
  /** Registrations, lingering ones included. */
  registrations: number;
  lingering: number;
  /** Data frames sent (market data and notices). */
  framesSent: number;
  recordsSent: number;
  noticesSent: number;
  /** Replies decided per msg_cd (dropped/delayed ones included). */
  controlReplies: Record<string, number>;
  controlRepliesDropped: number;
  pingsSent: number;
  /** PINGPONG answers in any style: text echo, ws pong, ws ping. */
  pongsReceived: number;
  idleDisconnects: number;
  pingTimeoutDrops: number;
  malformedInputs: number;
  /** Data frames not sent because the client's send buffer was over maxBufferedBytes. */
  backpressureSkips: number;
  garbageFramesSent: number;
}

type ReapMode = 'clean' | 'abnormal' | 'restart';

export class SessionHub {
  readonly table = new RegistrationTable<SimSession>();
  /** Sessions the server holds. */
  private readonly sessions = new Set<SimSession>();
  /** Sessions with an open socket (a reaped half-open socket stays here until it closes). */
  private readonly sockets = new Set<SimSession>();
  private readonly bindings = new Map<string, SimSession>();
  private readonly delayedReplies = new Set<TimerHandle>();
  private nextId = 1;
  private controlDelayMs = 0;
  private controlDropsLeft = 0;
  private readonly counters: Omit<SimWebSocketStats, 'sessions' | 'sockets' | 'registrations' | 'lingering'> = {
    framesSent: 0,
    recordsSent: 0,
    noticesSent: 0,
    controlReplies: {},
    controlRepliesDropped: 0,
    pingsSent: 0,
    pongsReceived: 0,
    idleDisconnects: 0,
    pingTimeoutDrops: 0,
    malformedInputs: 0,
    backpressureSkips: 0,
    garbageFramesSent: 0,
  };

  constructor(private readonly o: CompiledSimWebSocketOptions) {}

  accept(ws: WebSocket): SimSession {
    const s = new SimSession(this.nextId++, ws, this.o.clock.monotonicMs(), this.o.maxBufferedBytes);
    this.sessions.add(s);
    this.sockets.add(s);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(s, data, isBinary));
    ws.on('ping', (data: Buffer) => {
      if (s.halfOpen) return;
      this.onLiveness(s);
      ws.pong(data); // autoPong is off so a half-open session can stay silent
    });
    ws.on('pong', () => {
      if (!s.halfOpen) this.onLiveness(s);
    });
    ws.on('close', (code: number) => this.onClose(s, code));
    ws.on('error', (err: Error) => this.o.log.warn({ session: s.id, err: err.message }, 'sim ws socket error'));
    this.o.log.info({ session: s.id }, 'sim ws session opened');
    return s;
  }

  // ---- incoming -------------------------------------------------------------------------------

  private onMessage(s: SimSession, data: RawData, isBinary: boolean): void {
    if (s.halfOpen) return;
    // Any message counts as application traffic for the idle cut; ws ping/pong frames do not (seed 001 §4.2).
    s.lastAppTrafficMonoMs = this.o.clock.monotonicMs();
    if (isBinary) {
      this.counters.malformedInputs++;
      this.o.log.warn({ session: s.id }, 'sim ws binary frame from client ignored');
      return;
    }
    const msg = parseClientMessage(rawText(data));
    if (msg.kind === 'pingpong') {
      // An echo of our PINGPONG or the client's own keep-alive. ❓ KIS's answer to a client-initiated
      // PINGPONG is unknown; we send nothing back.
      this.onLiveness(s);
      return;
    }
    if (msg.kind === 'malformed') {
      this.counters.malformedInputs++;
      this.o.log.warn({ session: s.id }, 'sim ws malformed client message');
      this.sendControl(s, { code: 'OPSP9999', trId: '(null)', trKey: '(null)' });
      return;
    }
    this.onRequest(s, msg);
  }

  private onLiveness(s: SimSession): void {
    s.lastLivenessMonoMs = this.o.clock.monotonicMs();
    this.counters.pongsReceived++;
  }

  private onRequest(s: SimSession, r: Extract<ClientMessage, { kind: 'request' }>): void {
    const { trId, trKey } = r;
    if (!r.approvalKey) {
      this.sendControl(s, { code: 'OPSP0003', trId, trKey, msg1: MSG1_MANDATORY_INPUT_MISSING });
      return;
    }
    const appKey = this.resolveApp(s, r.approvalKey);
    if (appKey === undefined) {
      this.sendControl(s, { code: 'OPSP0011', trId, trKey, msg1: `invalid approval : ${r.approvalKey}` });
      return;
    }
    if (s.appKey === undefined) {
      const holder = this.bindings.get(appKey);
      if (holder && holder !== s && holder.serverAlive) {
        // We keep this second socket open (❓ KIS may close it): every request on it is refused until the
        // holder is gone, then the next request binds. A client must back off and retry.
        this.sendControl(s, { code: 'OPSP8996', trId: '(null)', trKey: '(null)' });
        return;
      }
      s.appKey = appKey;
      s.approvalKey = r.approvalKey;
      this.bindings.set(appKey, s);
      this.o.log.info({ session: s.id, app: maskSecret(appKey) }, 'sim ws session bound to app key');
    }
    if (!trId || !trKey || (r.trType !== '1' && r.trType !== '2')) {
      this.sendControl(s, { code: 'OPSP0003', trId, trKey, msg1: MSG1_MANDATORY_INPUT_MISSING });
      return;
    }
    if (!SUPPORTED_TR_IDS.has(trId)) {
      this.sendControl(s, { code: 'OPSP8991', trId, trKey });
      return;
    }
    const encrypted = ENCRYPTED_TR_IDS.has(trId);
    const existing = this.table.get(appKey, trId, trKey);
    if (r.trType === '1') {
      if (existing) {
        // Lingering from a dead socket (or a duplicate on this one): refused, but the data now flows to
        // this session. ❓ No key/iv on OPSP0002: a client that lost them must release and re-register.
        if (existing.owner !== s) this.table.adopt(existing, s);
        this.sendControl(s, { code: 'OPSP0002', trId, trKey, encrypted });
      } else if (this.table.countFor(appKey) >= this.o.maxRegistrations) {
        this.sendControl(s, { code: 'OPSP0008', trId, trKey, encrypted });
      } else {
        const keys = newCipherKeys();
        this.table.add(appKey, trId, trKey, keys, s);
        this.sendControl(s, { code: 'OPSP0000', trId, trKey, encrypted, output: keys });
      }
      return;
    }
    if (existing) {
      this.table.remove(existing);
      this.sendControl(s, { code: 'OPSP0001', trId, trKey, encrypted });
    } else {
      this.sendControl(s, { code: 'OPSP0003', trId, trKey, encrypted });
    }
  }

  /** The approval key is checked against the registry only when a session binds (fact sheet §2.1). */
  private resolveApp(s: SimSession, approvalKey: string): string | undefined {
    if (s.approvalKey !== undefined && approvalKey === s.approvalKey) return s.appKey;
    const app = this.o.approvals.appForApprovalKey(approvalKey);
    if (!app) return undefined;
    // One session serves one app key; another app's key on it is refused.
    if (s.appKey !== undefined && app.appKey !== s.appKey) return undefined;
    return app.appKey;
  }

  private sendControl(s: SimSession, input: ControlReplyInput): void {
    const counts = this.counters.controlReplies;
    counts[input.code] = (counts[input.code] ?? 0) + 1;
    this.o.log.debug({ session: s.id, msgCd: input.code, trId: input.trId }, 'sim ws control reply');
    if (this.controlDropsLeft > 0) {
      this.controlDropsLeft--;
      this.counters.controlRepliesDropped++;
      return;
    }
    const frame = controlReplyFrame(input);
    if (this.controlDelayMs > 0) {
      const handle = this.o.clock.setTimeout(() => {
        this.delayedReplies.delete(handle);
        s.send(frame);
      }, this.controlDelayMs);
      this.delayedReplies.add(handle);
      return;
    }
    s.send(frame);
  }

  // ---- session end --------------------------------------------------------------------------

  private onClose(s: SimSession, code: number): void {
    this.sockets.delete(s);
    s.socketOpen = false;
    if (!s.serverAlive) return;
    // Through a black hole the server never sees the close: the session stays until the sweep reaps it.
    if (s.halfOpen) return;
    this.reap(s, s.killed || code === 1006 ? 'abnormal' : 'clean');
  }

  private reap(s: SimSession, mode: ReapMode): void {
    if (!s.serverAlive) return;
    s.serverAlive = false;
    this.sessions.delete(s);
    if (s.appKey !== undefined && this.bindings.get(s.appKey) === s) this.bindings.delete(s.appKey);
    const lingerUntil = this.o.clock.monotonicMs() + this.o.lingerAfterAbnormalCloseMs;
    const n = this.table.releaseOwner(s, mode === 'abnormal', lingerUntil);
    this.o.log.info({ session: s.id, mode, registrations: n }, 'sim ws session ended');
  }

  /** The server gives up on a session: registrations linger; the socket is cut unless it is half-open. */
  private drop(s: SimSession): void {
    this.reap(s, 'abnormal');
    if (!s.halfOpen) s.kill();
  }

  // ---- timers -------------------------------------------------------------------------------

  sendPings(): void {
    const frame = pingPongFrame(this.o.clock.nowMs());
    for (const s of this.sessions) if (s.deliverable && s.send(frame)) this.counters.pingsSent++;
  }

  sweep(): void {
    const now = this.o.clock.monotonicMs();
    for (const s of [...this.sessions]) {
      if (now - s.lastLivenessMonoMs >= this.o.pingTimeoutMs) {
        this.counters.pingTimeoutDrops++;
        this.o.log.info({ session: s.id }, 'sim ws session dropped: PINGPONG unanswered');
        this.drop(s);
      } else if (now - s.lastAppTrafficMonoMs >= this.o.idleDisconnectMs) {
        this.counters.idleDisconnects++;
        this.o.log.info({ session: s.id }, 'sim ws session cut: no application traffic');
        this.drop(s);
      }
    }
    this.table.expireLingering(now);
  }

  // ---- outgoing data ------------------------------------------------------------------------

  emitData(s: SimSession, trId: string, records: string[][]): void {
    const result = s.sendData(dataFrame(trId, records));
    if (result === 'sent') {
      this.counters.framesSent++;
      this.counters.recordsSent += records.length;
    } else if (result === 'skipped') {
      this.counters.backpressureSkips++;
    }
  }

  /** One frame now for every deliverable registration of (trId, trKey); returns frames sent. */
  pushTick(trId: string, trKey: string): number {
    const before = this.counters.framesSent;
    for (const reg of this.table.forTr(trId, trKey)) {
      if (!reg.owner?.deliverable) continue;
      const record = marketRecord(this.o.market, trId, trKey, this.o.clock.nowMs(), reg);
      if (record) this.emitData(reg.owner, trId, [record]);
    }
    return this.counters.framesSent - before;
  }

  /** Encrypted H0STCNI0/H0STCNI9 to every deliverable registration on htsId; returns frames sent. */
  publishExecutionNotice(htsId: string, notice: ExecutionNoticeFields): number {
    const nowMs = this.o.clock.nowMs();
    const app = this.o.apps.find((a) => a.htsId === htsId);
    const record = executionNoticeRecord(notice, {
      htsId,
      accountNo: app?.accountNo,
      stockName: this.o.market.krQuote(notice.STCK_SHRN_ISCD, nowMs)?.name,
      nowMs,
    });
    let sent = 0;
    for (const trId of DOMESTIC_NOTICE_TR_IDS) {
      for (const reg of this.table.forTr(trId, htsId)) {
        // Notices bypass the backpressure skip: losing a fill notice is worse than a late one.
        if (reg.owner?.deliverable && reg.owner.send(encryptedDataFrame(trId, [record], reg.keys))) {
          sent++;
          this.counters.framesSent++;
          this.counters.recordsSent++;
          this.counters.noticesSent++;
        }
      }
    }
    return sent;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Every socket is cut without a close frame; registrations linger. */
  abruptClose(): void {
    for (const s of [...this.sessions]) this.reap(s, 'abnormal');
    for (const s of [...this.sockets]) s.kill();
  }

  /** Every open session becomes a black hole until its socket closes and the sweep reaps it. */
  halfOpen(): void {
    for (const s of this.sockets) s.halfOpen = true;
  }

  garbage(n: number): void {
    const frames = garbageFrames(n);
    for (const s of this.sessions) {
      if (!s.deliverable) continue;
      for (const f of frames) if (s.send(f)) this.counters.garbageFramesSent++;
    }
  }

  delayControlReplies(ms: number): void {
    this.controlDelayMs = Math.max(0, ms);
  }

  dropControlReplies(count: number): void {
    this.controlDropsLeft += Math.max(0, Math.floor(count));
  }

  /** KIS's weekly restart: every socket cut and all server state (bindings, registrations) forgotten. */
  weeklyRestart(): void {
    for (const s of [...this.sessions]) this.reap(s, 'restart');
    for (const s of [...this.sockets]) s.kill();
    this.table.clear();
    this.bindings.clear();
  }

  shutdown(): void {
    for (const h of this.delayedReplies) this.o.clock.clearTimeout(h);
    this.delayedReplies.clear();
    this.weeklyRestart();
  }

  // ---- introspection ------------------------------------------------------------------------

  stats(): SimWebSocketStats {
    const all = this.table.all();
    return {
      ...this.counters,
      controlReplies: { ...this.counters.controlReplies },
      sessions: this.sessions.size,
      sockets: this.sockets.size,
      registrations: all.length,
      lingering: all.filter((r) => r.owner === undefined).length,
    };
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
