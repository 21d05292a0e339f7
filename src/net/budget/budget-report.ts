// `kisd status` reads the budget straight from `budget.db` (read-only), so it shows every process sharing
// it — the daemon, a `kisd collect` beside it — without asking any of them. One report per app key found.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { WindowSpec } from '../rate-windows.js';
import { MEMBER_TTL_MS } from './ledger.js';

export interface BudgetReport {
  /** The app key's fingerprint (never the key). */
  key: string;
  windows: { windowMs: number; limit: number; used: number }[];
  members: { pid: number; host: string; label: string; seenAgoMs: number }[];
}

/**
 * Reads `path` at time `nowMs` (the host's monotonic clock, as the ledger stamps it). Returns undefined when
 * the file does not exist yet. Throws what better-sqlite3 throws on an unreadable file.
 */
export function readBudgetReports(path: string, windows: readonly WindowSpec[], nowMs: number): BudgetReport[] | undefined {
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const since = nowMs - Math.max(MEMBER_TTL_MS, ...windows.map((w) => w.spanMs));
    const keys = db.prepare<[{ since: number }], { key: string }>('SELECT key FROM members WHERE seen_ms > @since UNION SELECT key FROM grants WHERE at_ms > @since').all({ since });
    const count = db.prepare<[string, number], { c: number }>('SELECT COUNT(*) AS c FROM grants WHERE key = ? AND at_ms > ?');
    const members = db.prepare<[string, number], { pid: number; host: string; label: string; seen_ms: number }>('SELECT pid, host, label, seen_ms FROM members WHERE key = ? AND seen_ms > ? ORDER BY pid');
    return keys.map(({ key }) => ({
      key,
      windows: windows.map((w) => ({ windowMs: w.spanMs, limit: w.limit, used: count.get(key, nowMs - w.spanMs)?.c ?? 0 })),
      members: members.all(key, nowMs - MEMBER_TTL_MS).map((m) => ({ pid: m.pid, host: m.host, label: m.label, seenAgoMs: Math.max(0, nowMs - m.seen_ms) })),
    }));
  } finally {
    db.close();
  }
}
