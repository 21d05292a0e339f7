// Reads `<var_dir>/state/daemon.json`, which `kisd run` writes at start-up ({ pid, healthUrl, restUrl, wsUrl,
// startedAt }; see daemonInfoPath in src/daemon/daemon.ts), and tells whether that process still lives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const daemonStateSchema = z.object({
  pid: z.number().int().positive(),
  /** null: the daemon runs with health.enabled false (no endpoint). */
  healthUrl: z.string().min(1).nullable(),
  startedAt: z.union([z.string(), z.number()]).optional(),
  /** The KIS REST URL the daemon talks to (the embedded simulator's in sim mode). */
  restUrl: z.string().optional(),
  wsUrl: z.string().optional(),
});

export type DaemonState = z.infer<typeof daemonStateSchema>;

export type DaemonLookup =
  | { kind: 'absent'; path: string }
  | { kind: 'unreadable'; path: string; reason: string }
  | { kind: 'stale'; path: string; state: DaemonState }
  | { kind: 'running'; path: string; state: DaemonState };

export function daemonStatePath(stateDir: string): string {
  return join(stateDir, 'daemon.json');
}

/** True when a process with this pid exists (EPERM: exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDaemonState(stateDir: string, isAlive: (pid: number) => boolean = pidAlive): DaemonLookup {
  const path = daemonStatePath(stateDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent', path };
    return { kind: 'unreadable', path, reason: (err as NodeJS.ErrnoException).code ?? 'read error' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', path, reason: 'not JSON' };
  }
  const parsed = daemonStateSchema.safeParse(json);
  if (!parsed.success) return { kind: 'unreadable', path, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ') };
  return isAlive(parsed.data.pid) ? { kind: 'running', path, state: parsed.data } : { kind: 'stale', path, state: parsed.data };
}
