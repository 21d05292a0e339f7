// Where the kill switch's state lives: a JSON file in the state dir on one host (default), or Redis so a trip
// on one host stops entries on every host (src/coord/redis/kill-switch-store.ts). The store only reads and
// writes; what a corrupt copy means (fail closed) is the switch's decision.
import { join } from 'node:path';
import { z } from 'zod';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';

export const killSwitchStateSchema = z.object({
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
export type KillSwitchState = z.infer<typeof killSwitchStateSchema>;

export type KillSwitchRead =
  | { kind: 'absent' }
  | { kind: 'ok'; state: KillSwitchState }
  /** The copy failed validation and was set aside (quarantinedTo: where, when known). */
  | { kind: 'corrupt'; reason: string; quarantinedTo: string | undefined };

export interface KillSwitchStore {
  /** For logs (a path or a Redis key). */
  readonly where: string;
  read(): Promise<KillSwitchRead>;
  write(state: KillSwitchState): Promise<void>;
}

export function killSwitchPath(stateDir: string): string {
  return join(stateDir, 'kill-switch.json');
}

/** Validates a stored copy (JSON text); the reason names the failing field paths, never values. */
export function parseKillSwitchState(text: string): { ok: true; state: KillSwitchState } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${errorMessage(err)})` };
  }
  const parsed = killSwitchStateSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `schema mismatch at ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}` };
  return { ok: true, state: parsed.data };
}

/** `<stateDir>/kill-switch.json`, written atomically; a corrupt file is renamed aside. */
export function fileKillSwitchStore(o: { stateDir: string; clock: Clock }): KillSwitchStore {
  const path = killSwitchPath(o.stateDir);
  return {
    where: path,
    async read() {
      const text = await readFileIfExists(path);
      if (text === undefined) return { kind: 'absent' };
      const parsed = parseKillSwitchState(text);
      if (parsed.ok) return { kind: 'ok', state: parsed.state };
      const quarantinedTo = await quarantineFile(path, o.clock.nowMs());
      return { kind: 'corrupt', reason: parsed.reason, quarantinedTo };
    },
    write: (state) => writeJsonAtomic(path, state),
  };
}
