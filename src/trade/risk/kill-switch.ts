// The daily-loss kill switch: once tripped, no new entries (exits stay allowed) until the next KST day or an
// operator reset. Its state survives restarts in an atomic JSON file; a corrupt file is quarantined and the
// switch reads as tripped (fail closed: with real money, "unknown" must not mean "trade").
import type { Logger } from 'pino';
import type { AlertPort } from '../../core/alert.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { formatKstTimestamp, kstYmd } from '../../core/kst.js';
import { fileKillSwitchStore, type KillSwitchState, type KillSwitchStore } from './kill-switch-store.js';

export { killSwitchPath, type KillSwitchState } from './kill-switch-store.js';

export interface KillSwitchOptions {
  /** Directory of kisd's state files; by default the switch lives in `<stateDir>/kill-switch.json`. */
  stateDir: string;
  clock: Clock;
  logger: Logger;
  alerts?: AlertPort;
  /** Where the state is shared (default: the file in stateDir; Redis shares it across hosts). */
  store?: KillSwitchStore;
}

export class KillSwitch {
  private state: KillSwitchState | undefined;
  private readonly store: KillSwitchStore;
  private readonly log: Logger;

  constructor(private readonly o: KillSwitchOptions) {
    this.store = o.store ?? fileKillSwitchStore({ stateDir: o.stateDir, clock: o.clock });
    this.log = o.logger.child({ component: 'kill-switch' });
  }

  /**
   * Reads the shared state (at start, and whenever another process or host may have changed it). A corrupt
   * copy is set aside and the switch trips.
   */
  async load(): Promise<void> {
    const read = await this.store.read();
    if (read.kind === 'absent') return;
    if (read.kind === 'corrupt') {
      const moved = read.quarantinedTo ?? 'not moved';
      this.log.error({ err: read.reason, where: this.store.where, quarantinedTo: moved }, 'kill-switch state file is corrupt; failing closed');
      await this.trip('kill-switch state file was corrupt (moved aside); failing closed until an operator resets it', { quarantinedTo: moved });
      return;
    }
    const parsed = read.state;
    const wasTripped = this.isTripped();
    this.state = parsed;
    // Logged on the change only: a shared store is re-read often (a watch, a poll).
    if (this.isTripped() && !wasTripped) this.log.warn({ since: parsed.trippedAt, reason: parsed.reason, where: this.store.where }, 'kill switch is tripped (restored from disk): no new entries today');
    if (!this.isTripped() && wasTripped) this.log.warn({ resetBy: parsed.resetBy, where: this.store.where }, 'kill switch was reset elsewhere: new entries allowed again');
  }

  /** True while tripped for the current KST day. */
  isTripped(nowMs = this.o.clock.nowMs()): boolean {
    return this.state?.tripped === true && this.state.ymd === kstYmd(nowMs);
  }

  /** The persisted state (undefined if never tripped). */
  snapshot(): KillSwitchState | undefined {
    return this.state ? { ...this.state } : undefined;
  }

  /** Trips for today (idempotent: a second trip on the same day keeps the first reason). Sends one CRITICAL alert. */
  async trip(reason: string, details: Record<string, string | number | boolean> = {}): Promise<void> {
    const nowMs = this.o.clock.nowMs();
    if (this.isTripped(nowMs)) return;
    const ymd = kstYmd(nowMs);
    this.state = { tripped: true, ymd, trippedAt: formatKstTimestamp(nowMs), trippedAtMs: nowMs, reason, details };
    try {
      await this.store.write(this.state);
    } catch (err) {
      // Still tripped in memory; the alert says the state may not survive a restart.
      this.log.error({ err: errorMessage(err) }, 'kill-switch state could not be written');
      details = { ...details, persisted: false };
    }
    this.log.fatal({ reason, ...details }, 'KILL SWITCH TRIPPED: no new entries until tomorrow or an operator reset');
    try {
      await this.o.alerts?.send({
        key: `kill-switch:${ymd}`,
        level: 'CRITICAL',
        title: 'Trading kill switch tripped: no new entries today',
        what: reason,
        tried: 'New entry orders are refused; exits and the market-close flatten still run.',
        nextSteps: 'Check positions and the journal. The switch clears at the next KST day; reset earlier with the operator reset if it was a false alarm.',
        details,
      });
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'kill-switch alert failed');
    }
  }

  /** Operator reset: clears today's trip and records who reset it. */
  async reset(by: string): Promise<void> {
    if (!this.state) return;
    const nowMs = this.o.clock.nowMs();
    this.state = { ...this.state, tripped: false, resetBy: by, resetAt: formatKstTimestamp(nowMs) };
    await this.store.write(this.state);
    this.log.warn({ by }, 'kill switch reset by operator');
  }
}
