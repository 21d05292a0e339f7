// alert_history: which alert keys went out when, so the 30-minute de-duplication (seed 002 §14.3)
// survives a restart and a crash loop cannot spam. Reserve-then-send: the row is written before sinks run.
import type { SqliteDatabase } from './database.js';

export interface AlertHistoryEntry {
  id: number;
  alertKey: string;
  level: string;
  title: string;
  sentAtMs: number;
  /** Per-sink outcome, e.g. { log: 'ok', email: 'error: connect ECONNREFUSED' }. */
  sinks: Record<string, string> | undefined;
}

export interface AlertHistoryRepo {
  /**
   * Records that `key` is being sent now unless it was sent within `windowMs` (checked and written in one
   * IMMEDIATE transaction, so two processes cannot both send). Returns the new row id, or undefined when suppressed.
   */
  reserve(entry: { alertKey: string; level: string; title: string }, nowMs: number, windowMs: number): number | undefined;
  /** Stores the per-sink outcome of a reserved row. */
  recordSinks(id: number, sinks: Record<string, string>): void;
  lastSentAtMs(alertKey: string): number | undefined;
  recent(limit?: number): AlertHistoryEntry[];
  /** Deletes rows older than a time (housekeeping). */
  prune(olderThanMs: number): number;
}

interface Row {
  id: number;
  alert_key: string;
  level: string;
  title: string;
  sent_at: number;
  sinks_json: string | null;
}

export function createAlertHistoryRepo(db: SqliteDatabase): AlertHistoryRepo {
  const last = db.prepare('SELECT MAX(sent_at) AS v FROM alert_history WHERE alert_key = ?');
  const insert = db.prepare('INSERT INTO alert_history (alert_key, level, title, sent_at) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE alert_history SET sinks_json = ? WHERE id = ?');
  const recentStmt = db.prepare('SELECT * FROM alert_history ORDER BY sent_at DESC, id DESC LIMIT ?');
  const pruneStmt = db.prepare('DELETE FROM alert_history WHERE sent_at < ?');
  const reserve = db.transaction((e: { alertKey: string; level: string; title: string }, nowMs: number, windowMs: number) => {
    const prev = (last.get(e.alertKey) as { v: number | null }).v;
    // A wall-clock step backwards (prev > now) also suppresses: better one late alert than a burst.
    if (prev !== null && nowMs - prev < windowMs) return undefined;
    return Number(insert.run(e.alertKey, e.level, e.title, nowMs).lastInsertRowid);
  });
  return {
    reserve: (e, nowMs, windowMs) => reserve.immediate(e, nowMs, windowMs),
    recordSinks: (id, sinks) => {
      update.run(JSON.stringify(sinks), id);
    },
    lastSentAtMs: (key) => (last.get(key) as { v: number | null }).v ?? undefined,
    recent(limit = 50) {
      return (recentStmt.all(limit) as Row[]).map((r) => {
        let sinks: Record<string, string> | undefined;
        try {
          sinks = r.sinks_json === null ? undefined : (JSON.parse(r.sinks_json) as Record<string, string>);
        } catch {
          sinks = undefined;
        }
        return { id: r.id, alertKey: r.alert_key, level: r.level, title: r.title, sentAtMs: r.sent_at, sinks };
      });
    },
    prune: (olderThanMs) => pruneStmt.run(olderThanMs).changes,
  };
}
