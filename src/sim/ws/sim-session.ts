// One client socket as the simulated KIS server sees it: which app it serves, when it last showed
// application traffic (for the L4-style idle cut, seed 001 §4.2) and when it last answered PINGPONG.
import WebSocket from 'ws';

export class SimSession {
  /** App key this session is bound to after its first accepted request (1 session per app key). */
  appKey: string | undefined;
  /** Approval key accepted at bind time; KIS checks it only then (fact sheet §2.1). */
  approvalKey: string | undefined;
  /** Last text/binary message from the client (ws ping/pong frames do not count). */
  lastAppTrafficMonoMs: number;
  /** Last PINGPONG answer: text echo, ws pong or ws ping. */
  lastLivenessMonoMs: number;
  /** Fault: the path is a black hole — nothing is sent, input is ignored, the socket is never closed. */
  halfOpen = false;
  /** False once the server has let go of the session (reaped); its socket may still be open. */
  serverAlive = true;
  /** False once the socket has closed. */
  socketOpen = true;
  /** Set when the server kills the socket (fault, idle, ping timeout): a close that is abnormal. */
  killed = false;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    nowMonoMs: number,
    private readonly maxBufferedBytes: number,
  ) {
    this.lastAppTrafficMonoMs = nowMonoMs;
    this.lastLivenessMonoMs = nowMonoMs;
  }

  /** Sends unless the session is half-open or the socket is not open. Returns whether it was sent. */
  send(data: string | Buffer): boolean {
    if (this.halfOpen || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
  }

  /** Like send, but skips the frame when the client reads too slowly (bounded server memory). */
  sendData(frame: string): 'sent' | 'skipped' | 'closed' {
    if (this.halfOpen || this.ws.readyState !== WebSocket.OPEN) return 'closed';
    if (this.ws.bufferedAmount > this.maxBufferedBytes) return 'skipped';
    this.ws.send(frame);
    return 'sent';
  }

  /** Kills the TCP connection without a close frame (what the client sees as 1006). */
  kill(): void {
    this.killed = true;
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  /** Receives data: the live owner of registrations that should get frames. */
  get deliverable(): boolean {
    return this.serverAlive && this.socketOpen && !this.halfOpen;
  }
}
