// Opens kisd's SQLite file (better-sqlite3) in WAL mode with a busy timeout and brings its schema up to date.
// One writer connection per process; the CLI may open a second one concurrently (WAL + busy_timeout).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runMigrations, MIGRATIONS, type Migration } from './migrations.js';

export type SqliteDatabase = Database.Database;

export interface DatabaseOptions {
  /** Full path of the SQLite file. Default `<dataDir>/kisd.sqlite`; `:memory:` for tests. */
  path?: string;
  /** Used when `path` is absent. Default `./var/data`. */
  dataDir?: string;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Open without writing (no migrations, no WAL switch): for status/inspection tools. Default false. */
  readonly?: boolean;
  /** Wall-clock stamp recorded with applied migrations. Default 0 (unknown). */
  nowMs?: number;
  /** For tests; default MIGRATIONS. */
  migrations?: readonly Migration[];
}

export const DEFAULT_DATA_DIR = './var/data';
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Resolves the SQLite path from options: `path`, else `<dataDir>/kisd.sqlite`. */
export function resolveDatabasePath(opts: Pick<DatabaseOptions, 'path' | 'dataDir'> = {}): string {
  return opts.path ?? join(opts.dataDir ?? DEFAULT_DATA_DIR, 'kisd.sqlite');
}

/** Opens (creating if needed) and migrates the database. Throws what better-sqlite3 or runMigrations throws. */
export function openDatabase(opts: DatabaseOptions = {}): SqliteDatabase {
  const path = resolveDatabasePath(opts);
  const readonly = opts.readonly ?? false;
  if (path !== ':memory:' && !readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly, fileMustExist: readonly });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives a process crash; only a power cut may lose the last ones.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      runMigrations(db, opts.migrations ?? MIGRATIONS, opts.nowMs ?? 0);
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
