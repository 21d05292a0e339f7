// The one-host budget ledger: `budget.db` (SQLite, WAL) in the state directory, shared by every kisd process
// that uses that directory. Each attempt is one short IMMEDIATE transaction, so two processes never both take
// the last slot of a window. Grants are rows stamped on the host's monotonic clock; a process SIGKILLed
// after a grant leaks nothing beyond the windows that grant already counts in. Rows are keyed by the
// app-key fingerprint, never the key.
import Database from 'better-sqlite3';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { nextGrantAtMs, type WindowSpec } from '../rate-windows.js';
import { CLAIM_TTL_MS, MEMBER_TTL_MS, type BudgetLedger, type BudgetMember, type GrantAnswer, type LedgerUsage, type PauseScope } from './ledger.js';

export interface SqliteLedgerOptions {
  /** The ledger file, e.g. `<state_dir>/budget.db`. */
  path: string;
  keyFingerprint: string;
  windows: readonly WindowSpec[];
  safetyMs: number;
  spacingMs: number;
  /** Milliseconds on a clock every sharing process reads alike (the host's monotonic clock). */
  timeMs: () => number;
  /** Told when a corrupt ledger was renamed aside (`<path>.corrupt-<n>`) and rebuilt. */
  onQuarantine?: (renamedTo: string, reason: string) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS grants (key TEXT NOT NULL, n INTEGER NOT NULL, at_ms REAL NOT NULL, member TEXT NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS grants_at ON grants (key, at_ms);
CREATE TABLE IF NOT EXISTS pauses (key TEXT NOT NULL, scope TEXT NOT NULL, until_ms REAL NOT NULL, PRIMARY KEY (key, scope)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (key TEXT NOT NULL, member TEXT NOT NULL, rank INTEGER NOT NULL, seen_ms REAL NOT NULL, PRIMARY KEY (key, member)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (key TEXT NOT NULL, member TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, label TEXT NOT NULL, seen_ms REAL NOT NULL, PRIMARY KEY (key, member)) WITHOUT ROWID;
`;

/** Prune grant rows older than the widest window this often (every N grants). */
const PRUNE_EVERY = 256;

function openFile(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 2000');
    db.pragma('journal_mode = WAL');
    // A lost last commit after a power cut is a grant forgotten by a process that no longer runs: harmless.
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw Object.assign(new Error(`quick_check: ${check}`), { code: 'SQLITE_CORRUPT' });
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function isCorrupt(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT_');
}

/** Opens the ledger; a corrupt file is renamed aside and a fresh one created (crash-only: start-up repairs). */
function openOrRebuild(o: SqliteLedgerOptions): Database.Database {
  mkdirSync(dirname(o.path), { recursive: true });
  try {
    return openFile(o.path);
  } catch (err) {
    if (!isCorrupt(err)) throw err;
    const aside = `${o.path}.corrupt-${process.pid}-${Math.round(o.timeMs())}`;
    renameSync(o.path, aside);
    for (const ext of ['-wal', '-shm']) rmSync(`${o.path}${ext}`, { force: true });
    o.onQuarantine?.(aside, (err as Error).message);
    return openFile(o.path);
  }
}

/** The port is asynchronous (Redis is); a synchronous SQLite error becomes a rejection, not a throw. */
function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

export function openSqliteLedger(o: SqliteLedgerOptions): BudgetLedger {
  const db = openOrRebuild(o);
  const key = o.keyFingerprint;
  const keep = Math.max(...o.windows.map((w) => w.limit));
  const widestMs = Math.max(...o.windows.map((w) => w.spanMs));
  const q = {
    maxN: db.prepare<[string], { n: number | null }>('SELECT MAX(n) AS n FROM grants WHERE key = ?'),
    grantAt: db.prepare<[string, number], { at_ms: number }>('SELECT at_ms FROM grants WHERE key = ? AND n = ?'),
    insertGrant: db.prepare('INSERT INTO grants (key, n, at_ms, member) VALUES (?, ?, ?, ?)'),
    prune: db.prepare('DELETE FROM grants WHERE key = ? AND n <= ? AND at_ms < ?'),
    claim: db.prepare('INSERT INTO claims (key, member, rank, seen_ms) VALUES (?, ?, ?, ?) ON CONFLICT (key, member) DO UPDATE SET rank = excluded.rank, seen_ms = excluded.seen_ms'),
    betterClaim: db.prepare<[string, string, number], { r: number | null }>('SELECT MIN(rank) AS r FROM claims WHERE key = ? AND member <> ? AND seen_ms > ?'),
    unclaim: db.prepare('DELETE FROM claims WHERE key = ? AND member = ?'),
    pausedUntil: db.prepare<[string, number], { u: number | null }>("SELECT MAX(until_ms) AS u FROM pauses WHERE key = ? AND (scope = 'all' OR (scope = 'reads' AND ? > 0))"),
    pause: db.prepare('INSERT INTO pauses (key, scope, until_ms) VALUES (?, ?, ?) ON CONFLICT (key, scope) DO UPDATE SET until_ms = MAX(until_ms, excluded.until_ms)'),
    member: db.prepare('INSERT INTO members (key, member, pid, host, label, seen_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key, member) DO UPDATE SET seen_ms = excluded.seen_ms'),
    leave: db.prepare('DELETE FROM members WHERE key = ? AND member = ?'),
    members: db.prepare<[string, number], { member: string; pid: number; host: string; label: string; seen_ms: number }>('SELECT member, pid, host, label, seen_ms FROM members WHERE key = ? AND seen_ms > ? ORDER BY seen_ms DESC'),
    count: db.prepare<[string, number], { c: number }>('SELECT COUNT(*) AS c FROM grants WHERE key = ? AND at_ms > ?'),
    newestAny: db.prepare<[], { at: number | null }>('SELECT MAX(at_ms) AS at FROM grants'),
  };

  // After a reboot the host's monotonic clock starts again near zero: rows from before it lie "in the future"
  // and would hold the windows shut. No process of the old boot can still be running, so they all go.
  const wipeIfFromEarlierBoot = db.transaction((now: number) => {
    const newest = q.newestAny.get()?.at;
    if (newest !== null && newest !== undefined && newest > now + 1_000) {
      for (const t of ['grants', 'pauses', 'claims', 'members']) db.exec(`DELETE FROM ${t}`);
    }
  });
  wipeIfFromEarlierBoot.immediate(o.timeMs());

  function decide(member: string, rank: number): GrantAnswer {
    const now = o.timeMs();
    q.claim.run(key, member, rank, now);
    const maxN = q.maxN.get(key)?.n ?? 0;
    const newest = (k: number): number | undefined => (k > maxN ? undefined : q.grantAt.get(key, maxN - k + 1)?.at_ms);
    const pausedUntilMs = q.pausedUntil.get(key, rank)?.u ?? -Infinity;
    const freeAt = nextGrantAtMs({ windows: o.windows, safetyMs: o.safetyMs, spacingMs: o.spacingMs, pausedUntilMs, newest });
    const better = q.betterClaim.get(key, member, now - CLAIM_TTL_MS)?.r;
    if (better !== null && better !== undefined && better < rank) return { granted: false, retryInMs: Math.max(5, freeAt - now), reason: 'priority' };
    if (freeAt > now) return { granted: false, retryInMs: freeAt - now, reason: pausedUntilMs >= freeAt ? 'pause' : 'window' };
    const n = maxN + 1;
    q.insertGrant.run(key, n, now, member);
    if (n % PRUNE_EVERY === 0) q.prune.run(key, n - keep, now - widestMs - 60_000);
    return { granted: true };
  }
  const attempt = db.transaction(decide);

  return {
    tryGrant: (member, rank) => settled(() => attempt.immediate(member, rank)),
    release: (member) => settled(() => void q.unclaim.run(key, member)),
    pause: (ms: number, scope: PauseScope) => settled(() => void q.pause.run(key, scope, o.timeMs() + ms)),
    heartbeat: (m: BudgetMember) => settled(() => void q.member.run(key, m.id, m.pid, m.host, m.label, o.timeMs())),
    leave: (member) =>
      settled(() =>
        db
          .transaction(() => {
            q.leave.run(key, member);
            q.unclaim.run(key, member);
          })
          .immediate(),
      ),
    usage: () => settled(readUsage),
    close: () => settled(() => void db.close()),
  };

  function readUsage(): LedgerUsage {
    const now = o.timeMs();
    const pausedUntil = q.pausedUntil.get(key, 1)?.u ?? -Infinity;
    return {
      windows: o.windows.map((w) => ({ windowMs: w.spanMs, limit: w.limit, used: q.count.get(key, now - w.spanMs)?.c ?? 0 })),
      members: q.members.all(key, now - MEMBER_TTL_MS).map((r) => ({ id: r.member, pid: r.pid, host: r.host, label: r.label, seenAgoMs: Math.max(0, now - r.seen_ms) })),
      pausedForMs: Math.max(0, pausedUntil - now),
    };
  }
}
