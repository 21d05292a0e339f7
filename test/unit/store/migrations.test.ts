import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase, runMigrations, openStore } from '../../../src/store/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kisd-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migrations', () => {
  it('apply once, in order, and are a no-op on the next open', () => {
    const path = join(tempDir(), 'kisd.sqlite');
    const db1 = openDatabase({ path, nowMs: 1000 });
    const versions = db1.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    expect(runMigrations(db1)).toEqual([]);
    db1.close();
    const db2 = openDatabase({ path });
    expect(db2.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    const tables = db2.prepare(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['quotes', 'daily_bars', 'investor_flows', 'recovery_queue', 'alert_history']));
    db2.close();
  });

  it('8 keeps a version-4 journal, its legs and fills, allows the failed state and records send attempts', () => {
    const path = join(tempDir(), 'kisd.sqlite');
    const v4 = openDatabase({ path, migrations: MIGRATIONS.filter((m) => m.version <= 7) });
    v4.prepare(`INSERT INTO order_journal (client_order_id, strategy, market, symbol, side, order_type, qty, state, created_at, sent_at, updated_at)
      VALUES ('o1', 's', 'KR', '005930', 'buy', 'market', 3, 'acknowledged', 1, 2, 3)`).run();
    v4.prepare(`INSERT INTO order_legs (kis_order_no, client_order_id, qty, created_at) VALUES ('7', 'o1', 3, 4)`).run();
    expect(() => v4.prepare(`UPDATE order_journal SET state = 'failed'`).run()).toThrow(/CHECK/);
    v4.close();
    const db = openDatabase({ path });
    expect(db.prepare('SELECT client_order_id, state, sent_at FROM order_journal').all()).toEqual([{ client_order_id: 'o1', state: 'acknowledged', sent_at: 2 }]);
    expect(db.prepare('SELECT client_order_id FROM order_legs').pluck().all()).toEqual(['o1']);
    db.prepare(`UPDATE order_journal SET state = 'failed'`).run();
    db.prepare(`INSERT INTO order_attempts (client_order_id, action, sent_at) VALUES ('o1', 'order', 5)`).run();
    // The legs' and attempts' references still point at the journal (foreign keys on).
    expect(() => db.prepare(`INSERT INTO order_legs (kis_order_no, client_order_id, qty, created_at) VALUES ('8', 'nope', 1, 1)`).run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`INSERT INTO order_attempts (client_order_id, action, sent_at) VALUES ('nope', 'order', 1)`).run()).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('opens in WAL mode with a busy timeout, under <dataDir>/kisd.sqlite by default', () => {
    const dataDir = tempDir();
    const store = openStore({ dataDir, busyTimeoutMs: 1234 });
    expect(store.db.name).toBe(join(dataDir, 'kisd.sqlite'));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    store.close();
  });

  it('rolls a failing migration back entirely and records nothing', () => {
    const db = openDatabase({ path: ':memory:', migrations: [] });
    const bad = [{ version: 1, name: 'half', sql: 'CREATE TABLE a (x INTEGER); CREATE TABLE a (y INTEGER);' }];
    expect(() => runMigrations(db, bad)).toThrow();
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'`).pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(0);
  });

  it('refuses a database written by a newer schema', () => {
    const db = openDatabase({ path: ':memory:' });
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future');
    expect(() => runMigrations(db)).toThrow(/newer/);
  });
});
