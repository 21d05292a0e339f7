// The daily-loss kill switch: once tripped, no new entries (exits stay allowed) until the next KST day or an
// operator reset. Its state survives restarts in an atomic JSON file; a corrupt file is quarantined and the
// switch reads as tripped (fail closed: with real money, "unknown" must not mean "trade").
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AlertPort } from '../../core/alert.js';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { formatKstTimestamp, kstYmd } from '../../core/kst.js';

const stateSchema = z.object({
  tripped: z.boolean(),
  /** KST day "YYYYMMDD" the trip applies to; a new day clears it. */
  ymd: z.string().regex(/^\d{8}$/),
  trippedAt: z.string(),
  trippedAtMs: z.number(),
  reason: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  resetBy: z.string().optional(),
  resetAt: z.string().optional(),
});
export type KillSwitchState = z.infer<typeof stateSchema>;

export interface KillSwitchOptions {
  /** Directory of kisd's state files; the switch lives in `<stateDir>/kill-switch.json`. */
  stateDir: string;
  clock: Clock;
  logger: Logger;
  alerts?: AlertPort;
}

export function killSwitchPath(stateDir: string): string {
  return join(stateDir, 'kill-switch.json');
}

export class KillSwitch {
  private state: KillSwitchState | undefined;
  private readonly path: string;
  private readonly log: Logger;

  constructor(private readonly o: KillSwitchOptions) {
    this.path = killSwitchPath(o.stateDir);
    this.log = o.logger.child({ component: 'kill-switch' });
  }

  /** Reads the persisted state (call once at start). A corrupt file is moved aside and the switch trips. */
  async load(): Promise<void> {
    const text = await readFileIfExists(this.path);
    if (text === undefined) return;
    let parsed: KillSwitchState | undefined;
    try {
      parsed = stateSchema.parse(JSON.parse(text));
    } catch (err) {
      const moved = await quarantineFile(this.path, this.o.clock.nowMs());
      this.log.error({ err: errorMessage(err), quarantinedTo: moved }, 'kill-switch state file is corrupt; failing closed');
      await this.trip('kill-switch state file was corrupt (moved aside); failing closed until an operator resets it', { quarantinedTo: moved });
      return;
    }
    this.state = parsed;
    if (this.isTripped()) this.log.warn({ since: parsed.trippedAt, reason: parsed.reason }, 'kill switch is tripped (restored from disk): no new entries today');
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
      await writeJsonAtomic(this.path, this.state);
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
    await writeJsonAtomic(this.path, this.state);
    this.log.warn({ by }, 'kill switch reset by operator');
  }
}
