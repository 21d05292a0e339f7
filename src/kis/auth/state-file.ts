// One JSON state file of the auth layer (token.json, approval.json, *.last-issue.json): read + validate
// against a zod schema, quarantine what fails (never trust it), tighten loose permissions, write atomically
// with mode 0600 (STYLE rule 8; seed 004 §2.2 "토큰 저장 파일 권한 600 유지").
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../../core/atomic-file.js';
import { errorMessage } from '../../core/errors.js';

export const STATE_FILE_MODE = 0o600;

export type StateRead<T> =
  | { kind: 'absent' }
  | { kind: 'ok'; value: T }
  /** Failed validation. quarantinedTo is set when it was moved aside (only done under the issue lock). */
  | { kind: 'corrupt'; reason: string; quarantinedTo: string | undefined };

export interface StateFile<T> {
  readonly path: string;
  /**
   * Reads and validates the file. A bad file is renamed aside only when `quarantine` is true: callers
   * pass true only while holding the issue lock, so a reader never moves away a good file that another
   * process wrote after the bad read.
   */
  read(opts: { quarantine: boolean }): Promise<StateRead<T>>;
  /** Atomic write, mode 0600. */
  write(value: T): Promise<void>;
  /** Deletes the file; missing is fine. */
  remove(): Promise<void>;
}

export function createStateFile<T>(opts: { path: string; schema: z.ZodType<T>; clock: Clock; log: Logger }): StateFile<T> {
  const { path, schema, clock, log } = opts;

  async function tightenPermissions(): Promise<boolean> {
    const st = await fs.stat(path);
    if (!st.isFile()) return false;
    if ((st.mode & 0o077) !== 0) {
      await fs.chmod(path, STATE_FILE_MODE);
      log.warn({ path, mode: (st.mode & 0o777).toString(8) }, 'state file was readable by group/others; tightened to 0600');
    }
    return true;
  }

  async function corrupt(reason: string, quarantine: boolean): Promise<StateRead<T>> {
    if (!quarantine) {
      log.warn({ path, reason }, 'state file is invalid; ignoring it until it can be quarantined under the lock');
      return { kind: 'corrupt', reason, quarantinedTo: undefined };
    }
    try {
      const quarantinedTo = await quarantineFile(path, clock.nowMs());
      log.error({ path, reason, quarantinedTo }, 'state file is invalid; moved aside and will be replaced');
      return { kind: 'corrupt', reason, quarantinedTo };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      log.error({ path, reason, err: errorMessage(err) }, 'state file is invalid and could not be moved aside');
      return { kind: 'corrupt', reason, quarantinedTo: undefined };
    }
  }

  return {
    path,
    async read({ quarantine }) {
      const text = await readFileIfExists(path);
      if (text === undefined) return { kind: 'absent' };
      try {
        if (!(await tightenPermissions())) return corrupt('not a regular file', quarantine);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
        throw err;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return corrupt('not valid JSON', quarantine);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        // Issue paths only, never values: the file may hold a token.
        const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
        return corrupt(`schema mismatch at ${where}`, quarantine);
      }
      return { kind: 'ok', value: parsed.data };
    },
    write: (value) => writeJsonAtomic(path, value, { mode: STATE_FILE_MODE }),
    async remove() {
      await fs.rm(path, { force: true });
    },
  };
}

/**
 * Short SHA-256 fingerprint of app key + base URL, stored next to a token so a token issued for another
 * app or another server (real vs VTS vs simulator) is never reused. The key itself is never stored.
 */
export function credentialFingerprint(appKey: string, baseUrl: string): string {
  const normalized = baseUrl.trim().replace(/\/+$/, '').toLowerCase();
  return createHash('sha256').update(`${appKey}\n${normalized}`).digest('hex').slice(0, 16);
}

/** Short non-reversible id of a secret value for log correlation across processes (never the value). */
export function secretId(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}
