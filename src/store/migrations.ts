// Versioned schema migrations for kisd's SQLite store: each version runs once, inside its own
// transaction, and is recorded in `schema_migrations`, so start-up can run them every time (crash-only).
import type Database from 'better-sqlite3';
import { KisdError } from '../core/errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** The SQL drops and recreates a table other tables reference: runs with foreign keys off, then checked. */
  readonly rebuildsTables?: boolean;
}

// All *_at / as_of columns hold epoch milliseconds (UTC); dates of market data are KIS "YYYYMMDD" (KST).
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'market data: quotes, daily_bars, investor_flows',
    sql: `
      CREATE TABLE quotes (
        market      TEXT    NOT NULL,
        symbol      TEXT    NOT NULL,
        price       REAL    NOT NULL,
        change      REAL,
        change_rate REAL,
        open        REAL,
        high        REAL,
        low         REAL,
        volume      INTEGER,
        turnover    REAL,
        as_of       INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (market, symbol)
      ) WITHOUT ROWID;
      CREATE TABLE daily_bars (
        symbol     TEXT    NOT NULL,
        date       TEXT    NOT NULL,
        open       REAL    NOT NULL,
        high       REAL    NOT NULL,
        low        REAL    NOT NULL,
        close      REAL    NOT NULL,
        volume     INTEGER NOT NULL,
        turnover   REAL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (symbol, date)
      ) WITHOUT ROWID;
      CREATE INDEX daily_bars_by_date ON daily_bars (date);
      CREATE TABLE investor_flows (
        symbol                 TEXT    NOT NULL,
        date                   TEXT    NOT NULL,
        person_net_qty         INTEGER NOT NULL,
        person_net_amount      REAL    NOT NULL,
        foreign_net_qty        INTEGER NOT NULL,
        foreign_net_amount     REAL    NOT NULL,
        institution_net_qty    INTEGER NOT NULL,
        institution_net_amount REAL    NOT NULL,
        updated_at             INTEGER NOT NULL,
        PRIMARY KEY (symbol, date)
      ) WITHOUT ROWID;
      CREATE INDEX investor_flows_by_date ON investor_flows (date);
    `,
  },
  {
    version: 2,
    name: 'recovery_queue (seed 002 §6)',
    sql: `
      CREATE TABLE recovery_queue (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        fetcher_name  TEXT    NOT NULL,
        target_code   TEXT    NOT NULL,
        task_type     TEXT    NOT NULL,
        params_json   TEXT,
        error_message TEXT,
        retry_count   INTEGER NOT NULL DEFAULT 0,
        max_retries   INTEGER NOT NULL DEFAULT 5,
        status        TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        next_retry_at INTEGER
      );
      CREATE INDEX recovery_queue_due ON recovery_queue (status, next_retry_at);
      -- One open task per (fetcher, target, type): re-enqueueing a symbol that already waits updates it.
      CREATE UNIQUE INDEX recovery_queue_open_task ON recovery_queue (fetcher_name, target_code, task_type)
        WHERE status IN ('pending', 'processing');
    `,
  },
  {
    version: 3,
    name: 'alert_history (30-minute de-duplication that survives restarts)',
    sql: `
      CREATE TABLE alert_history (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_key  TEXT    NOT NULL,
        level      TEXT    NOT NULL,
        title      TEXT    NOT NULL,
        sent_at    INTEGER NOT NULL,
        sinks_json TEXT
      );
      CREATE INDEX alert_history_by_key ON alert_history (alert_key, sent_at);
    `,
  },
  {
    version: 4,
    name: 'order journal, order legs, fills, seen notices, positions (trading)',
    // One journal row per intent (client_order_id). A KIS order number (leg) belongs to one journal row: the
    // original order and each revision get their own number. A fill is keyed by (leg, cumulative quantity
    // after it), so recording the same fill twice is a primary-key conflict, not a double count.
    sql: `
      CREATE TABLE order_journal (
        client_order_id TEXT    PRIMARY KEY,
        strategy        TEXT    NOT NULL,
        market          TEXT    NOT NULL CHECK (market IN ('KR', 'US')),
        symbol          TEXT    NOT NULL,
        exchange        TEXT,
        side            TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
        order_type      TEXT    NOT NULL CHECK (order_type IN ('limit', 'market')),
        qty             INTEGER NOT NULL CHECK (qty > 0),
        price           REAL,
        tag             TEXT,
        state           TEXT    NOT NULL CHECK (state IN ('new', 'sent', 'acknowledged', 'partially_filled', 'filled', 'cancelled', 'rejected', 'unknown')),
        kis_org_no      TEXT,
        kis_order_no    TEXT,
        filled_qty      INTEGER NOT NULL DEFAULT 0,
        filled_amount   REAL    NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        sent_at         INTEGER,
        updated_at      INTEGER NOT NULL,
        last_error      TEXT,
        pending_action  TEXT    CHECK (pending_action IN ('cancel', 'revise')),
        pending_json    TEXT,
        pending_sent_at INTEGER
      );
      CREATE INDEX order_journal_by_state ON order_journal (state);
      CREATE INDEX order_journal_by_created ON order_journal (created_at);
      CREATE TABLE order_legs (
        kis_order_no         TEXT    PRIMARY KEY,
        client_order_id      TEXT    NOT NULL REFERENCES order_journal (client_order_id),
        kis_org_no           TEXT,
        qty                  INTEGER NOT NULL,
        price                REAL,
        notice_filled_qty    INTEGER NOT NULL DEFAULT 0,
        notice_filled_amount REAL    NOT NULL DEFAULT 0,
        filled_qty           INTEGER NOT NULL DEFAULT 0,
        filled_amount        REAL    NOT NULL DEFAULT 0,
        closed               INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL
      );
      CREATE INDEX order_legs_by_order ON order_legs (client_order_id);
      CREATE TABLE order_fills (
        kis_order_no    TEXT    NOT NULL,
        cum_qty         INTEGER NOT NULL,
        client_order_id TEXT,
        market          TEXT    NOT NULL,
        symbol          TEXT    NOT NULL,
        side            TEXT    NOT NULL,
        qty             INTEGER NOT NULL CHECK (qty > 0),
        price           REAL    NOT NULL,
        at_ms           INTEGER NOT NULL,
        source          TEXT    NOT NULL,
        PRIMARY KEY (kis_order_no, cum_qty)
      ) WITHOUT ROWID;
      CREATE INDEX order_fills_by_time ON order_fills (at_ms);
      CREATE TABLE order_notices_seen (
        kis_order_no TEXT    NOT NULL,
        notice_key   TEXT    NOT NULL,
        at_ms        INTEGER NOT NULL,
        PRIMARY KEY (kis_order_no, notice_key)
      ) WITHOUT ROWID;
      CREATE TABLE positions (
        market       TEXT    NOT NULL,
        symbol       TEXT    NOT NULL,
        qty          INTEGER NOT NULL,
        avg_price    REAL    NOT NULL,
        realized_pnl REAL    NOT NULL DEFAULT 0,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (market, symbol)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'OpenDART: disclosures, key financial accounts',
    // A disclosure is keyed by its receipt number (rcept_no); first_seen_at is when kisd first stored it (the
    // disclosure watch alerts on rows it has not seen before). Key accounts are keyed by company, year, report,
    // statement (CFS/OFS, BS/IS) and account name, as fnlttSinglAcnt.json lists them.
    sql: `
      CREATE TABLE dart_disclosures (
        receipt_no    TEXT    PRIMARY KEY,
        receipt_date  TEXT    NOT NULL,
        corp_code     TEXT    NOT NULL,
        stock_code    TEXT,
        corp_name     TEXT    NOT NULL,
        corp_class    TEXT    NOT NULL,
        report_name   TEXT    NOT NULL,
        filer_name    TEXT    NOT NULL,
        remarks       TEXT    NOT NULL,
        first_seen_at INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX dart_disclosures_by_stock ON dart_disclosures (stock_code, receipt_date);
      CREATE TABLE dart_key_accounts (
        corp_code              TEXT    NOT NULL,
        bsns_year              TEXT    NOT NULL,
        reprt_code             TEXT    NOT NULL,
        fs_div                 TEXT    NOT NULL,
        sj_div                 TEXT    NOT NULL,
        account_name           TEXT    NOT NULL,
        stock_code             TEXT,
        receipt_no             TEXT    NOT NULL,
        current_period         TEXT    NOT NULL,
        current_amount         REAL,
        current_cumulative     REAL,
        previous_amount        REAL,
        before_previous_amount REAL,
        ord                    INTEGER,
        currency               TEXT    NOT NULL,
        updated_at             INTEGER NOT NULL,
        PRIMARY KEY (corp_code, bsns_year, reprt_code, fs_div, sj_div, account_name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'feed gaps, feed heartbeat and back-filled minute bars (gap-fill after realtime feed gaps)',
    // A gap is one interval of a market's session the realtime feed did not cover (reconnect, restart,
    // outage); its row lives from detection ('pending') to 'filled' (every subscribed symbol's bars fetched)
    // or 'abandoned' (the session day ended first). The heartbeat row says until when the feed was last known
    // to be up, so the next process can tell the gap a restart left. Minute bars are keyed by (symbol, day,
    // minute): re-filling the same minute overwrites it.
    sql: `
      CREATE TABLE feed_gaps (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        market        TEXT    NOT NULL CHECK (market IN ('KR', 'US')),
        day           TEXT    NOT NULL,
        from_ms       INTEGER NOT NULL,
        to_ms         INTEGER NOT NULL CHECK (to_ms > from_ms),
        reason        TEXT    NOT NULL,
        status        TEXT    NOT NULL CHECK (status IN ('pending', 'filled', 'abandoned')),
        symbols       INTEGER NOT NULL DEFAULT 0,
        bars          INTEGER NOT NULL DEFAULT 0,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        detected_at   INTEGER NOT NULL,
        filled_at     INTEGER
      );
      CREATE INDEX feed_gaps_by_day ON feed_gaps (day, status);
      CREATE TABLE feed_heartbeat (
        market      TEXT    PRIMARY KEY,
        alive_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE minute_bars (
        symbol      TEXT    NOT NULL,
        day         TEXT    NOT NULL,
        minute      TEXT    NOT NULL,
        open        REAL    NOT NULL,
        high        REAL    NOT NULL,
        low         REAL    NOT NULL,
        close       REAL    NOT NULL,
        volume      INTEGER NOT NULL,
        backfilled  INTEGER NOT NULL CHECK (backfilled IN (0, 1)),
        gap_id      INTEGER,
        stored_at   INTEGER NOT NULL,
        PRIMARY KEY (symbol, day, minute)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'research datasets: KIS news headlines, brokerage opinions, consensus estimates',
    // A headline is kept per (symbol, KIS serial): one article naming two watched symbols is a row for each.
    // published_at is the headline's KST date and time as epoch ms (the news freshness rule reads its maximum).
    // An opinion is one brokerage's report on a day; an estimate is the latest consensus of a symbol (its
    // periods and metrics as JSON, units as KIS sends them).
    sql: `
      CREATE TABLE research_news (
        symbol        TEXT    NOT NULL,
        news_id       TEXT    NOT NULL,
        published_at  INTEGER NOT NULL,
        title         TEXT    NOT NULL,
        source        TEXT    NOT NULL,
        provider_code TEXT    NOT NULL,
        stored_at     INTEGER NOT NULL,
        PRIMARY KEY (symbol, news_id)
      ) WITHOUT ROWID;
      CREATE INDEX research_news_by_time ON research_news (published_at);
      CREATE TABLE research_opinions (
        symbol        TEXT    NOT NULL,
        date          TEXT    NOT NULL,
        broker        TEXT    NOT NULL,
        opinion       TEXT    NOT NULL,
        target_price  REAL,
        prev_close    REAL,
        stored_at     INTEGER NOT NULL,
        PRIMARY KEY (symbol, date, broker)
      ) WITHOUT ROWID;
      CREATE TABLE research_estimates (
        symbol         TEXT    PRIMARY KEY,
        estimate_date  TEXT,
        recommendation TEXT    NOT NULL,
        data_json      TEXT    NOT NULL,
        stored_at      INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'order send attempts; order state failed (abandoned, never sent)',
    // An attempt is one HTTP request that may have reached KIS, stamped when its bytes left: reconciliation
    // looks for the order around these instants, not around the journal's "about to send" stamp. The journal
    // is rebuilt (SQLite cannot alter a CHECK) to allow 'failed', the documented way: foreign keys off,
    // new table, copy, drop, rename, foreign_key_check — order_legs keeps referring to it by name.
    rebuildsTables: true,
    sql: `
      CREATE TABLE order_journal_v8 (
        client_order_id TEXT    PRIMARY KEY,
        strategy        TEXT    NOT NULL,
        market          TEXT    NOT NULL CHECK (market IN ('KR', 'US')),
        symbol          TEXT    NOT NULL,
        exchange        TEXT,
        side            TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
        order_type      TEXT    NOT NULL CHECK (order_type IN ('limit', 'market')),
        qty             INTEGER NOT NULL CHECK (qty > 0),
        price           REAL,
        tag             TEXT,
        state           TEXT    NOT NULL CHECK (state IN ('new', 'sent', 'acknowledged', 'partially_filled', 'filled', 'cancelled', 'rejected', 'unknown', 'failed')),
        kis_org_no      TEXT,
        kis_order_no    TEXT,
        filled_qty      INTEGER NOT NULL DEFAULT 0,
        filled_amount   REAL    NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        sent_at         INTEGER,
        updated_at      INTEGER NOT NULL,
        last_error      TEXT,
        pending_action  TEXT    CHECK (pending_action IN ('cancel', 'revise')),
        pending_json    TEXT,
        pending_sent_at INTEGER
      );
      INSERT INTO order_journal_v8 SELECT * FROM order_journal;
      DROP TABLE order_journal;
      ALTER TABLE order_journal_v8 RENAME TO order_journal;
      CREATE INDEX order_journal_by_state ON order_journal (state);
      CREATE INDEX order_journal_by_created ON order_journal (created_at);
      CREATE TABLE order_attempts (
        client_order_id TEXT    NOT NULL REFERENCES order_journal (client_order_id),
        action          TEXT    NOT NULL CHECK (action IN ('order', 'cancel', 'revise')),
        sent_at         INTEGER NOT NULL,
        PRIMARY KEY (client_order_id, action, sent_at)
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * Applies every migration newer than the database's version, each in its own IMMEDIATE transaction
 * (a second process starting at the same moment waits on busy_timeout, then sees the row and skips).
 * Returns the versions applied. Throws KISD_STORE_SCHEMA_NEWER when the file was written by a newer kisd.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, nowMs = 0): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  if (current > known) {
    throw new KisdError('KISD_STORE_SCHEMA_NEWER', `database schema version ${current} is newer than this kisd knows (${known}); refusing to touch it`, {
      disposition: 'fatal',
      details: { current, known },
    });
  }
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const apply = db.transaction(() => {
      if (isApplied.get(m.version)) return false;
      db.exec(m.sql);
      if (m.rebuildsTables && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
        throw new KisdError('KISD_STORE_MIGRATION', `migration ${m.version} (${m.name}) broke a foreign key; rolled back`, { disposition: 'fatal' });
      }
      record.run(m.version, m.name, nowMs);
      return true;
    });
    // A table rebuild drops a parent table: SQLite's foreign-key enforcement must be off around (not inside) it.
    const fkOn = m.rebuildsTables === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (fkOn) db.pragma('foreign_keys = OFF');
    try {
      if (apply.immediate()) applied.push(m.version);
    } finally {
      if (fkOn) db.pragma('foreign_keys = ON');
    }
  }
  return applied;
}
