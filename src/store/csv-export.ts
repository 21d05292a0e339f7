// CSV export of store tables into `<dataDir>/csv/<table>.csv` (seed 000 §5 `export_csv`: out_dir, mode
// overwrite|append, tables [] = all). RFC 4180 quoting; overwrite goes through a temp file + rename so a
// reader never sees half a file. Writes are synchronous because better-sqlite3 keeps the connection busy
// while a statement is iterated — no other query may interleave with an await.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KisdError } from '../core/errors.js';
import type { SqliteDatabase } from './database.js';

export type CsvExportMode = 'overwrite' | 'append';

export interface CsvExportOptions {
  /** Output folder. Default `<dataDir>/csv`. */
  outDir?: string;
  /** Used when outDir is absent. Default `./var/data`. */
  dataDir?: string;
  /** Tables to export; empty or absent = every kisd table (never schema_migrations or sqlite_*). */
  tables?: readonly string[];
  /** overwrite (default, recommended for operations) replaces the file; append adds rows (header only for a new file). */
  mode?: CsvExportMode;
}

export interface CsvExportResult {
  table: string;
  path: string;
  rows: number;
}

const FLUSH_BYTES = 64 * 1024;

/** One CSV field: quoted when it holds a comma, quote, CR/LF or edge whitespace; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
  else if (Buffer.isBuffer(value)) text = value.toString('base64');
  else text = JSON.stringify(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record terminated by CRLF (RFC 4180). */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Names of the exportable tables in the database, sorted. */
export function exportableTables(db: SqliteDatabase): string[] {
  return db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
    .pluck()
    .all() as string[];
}

function readFirstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.indexOf('\n');
    return (end < 0 ? text : text.slice(0, end + 1)).replace(/\r?\n$/, '');
  } finally {
    closeSync(fd);
  }
}

function exportTable(db: SqliteDatabase, table: string, path: string, mode: CsvExportMode): number {
  const stmt = db.prepare(`SELECT * FROM "${table}"`);
  const header = csvLine(stmt.columns().map((c) => c.name));
  const appending = mode === 'append' && existsSync(path) && statSync(path).size > 0;
  if (appending && readFirstLine(path) !== header.replace(/\r\n$/, '')) {
    throw new KisdError('KISD_CSV_HEADER_MISMATCH', `${path}: the existing header differs from table ${table}'s columns; export with mode overwrite`, {
      disposition: 'fatal',
      details: { path, table },
    });
  }
  const target = appending ? path : join(path, '..', `.${table}.csv.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(target, appending ? 'a' : 'wx', 0o644);
  let rows = 0;
  let ok = false;
  try {
    let chunk = appending ? '' : header;
    for (const row of stmt.raw().iterate() as IterableIterator<unknown[]>) {
      chunk += csvLine(row);
      rows++;
      if (chunk.length >= FLUSH_BYTES) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk) writeSync(fd, chunk);
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok && !appending) rmSync(target, { force: true });
  }
  if (!appending) renameSync(target, path);
  return rows;
}

/**
 * Exports the chosen tables (all when none given) and returns one result per table.
 * Throws KISD_CSV_UNKNOWN_TABLE for a name that is not an exportable table (checked before writing anything).
 */
export function exportCsv(db: SqliteDatabase, opts: CsvExportOptions = {}): CsvExportResult[] {
  const outDir = opts.outDir ?? join(opts.dataDir ?? './var/data', 'csv');
  const mode = opts.mode ?? 'overwrite';
  const available = exportableTables(db);
  const wanted = opts.tables && opts.tables.length > 0 ? [...new Set(opts.tables)] : available;
  const unknown = wanted.filter((t) => !available.includes(t));
  if (unknown.length > 0) {
    throw new KisdError('KISD_CSV_UNKNOWN_TABLE', `unknown table(s) ${unknown.join(', ')}; exportable: ${available.join(', ')}`, {
      disposition: 'fatal',
      details: { unknown, available },
    });
  }
  mkdirSync(outDir, { recursive: true });
  return wanted.map((table) => {
    const path = join(outDir, `${table}.csv`);
    return { table, path, rows: exportTable(db, table, path, mode) };
  });
}
