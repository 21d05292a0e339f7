// The order journal (migration 4): one row per order intent, the KIS order numbers (legs) it owns, its fills
// keyed by (leg, cumulative quantity) so a fill can never be counted twice, and the execution notices already
// applied. Synchronous better-sqlite3 statements; callers group writes with `transaction`.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

export type JournalMarket = 'KR' | 'US';
export type JournalSide = 'buy' | 'sell';
export type JournalState = 'new' | 'sent' | 'acknowledged' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'unknown' | 'failed';
/** What an attempt sent: the order itself, or a cancel / revision of it. */
export type AttemptAction = 'order' | 'cancel' | 'revise';

export interface OrderJournalRow {
  clientOrderId: string;
  strategy: string;
  market: JournalMarket;
  symbol: string;
  exchange: string | null;
  side: JournalSide;
  orderType: 'limit' | 'market';
  qty: number;
  price: number | null;
  tag: string | null;
  state: JournalState;
  kisOrgNo: string | null;
  kisOrderNo: string | null;
  filledQty: number;
  filledAmount: number;
  createdAtMs: number;
  sentAtMs: number | null;
  updatedAtMs: number;
  lastError: string | null;
  pendingAction: 'cancel' | 'revise' | null;
  pendingJson: string | null;
  pendingSentAtMs: number | null;
}

export interface OrderLegRow {
  /** Normalised (no leading zeros). */
  kisOrderNo: string;
  clientOrderId: string;
  kisOrgNo: string | null;
  qty: number;
  price: number | null;
  noticeFilledQty: number;
  noticeFilledAmount: number;
  filledQty: number;
  filledAmount: number;
  /** 1 once the leg's remainder was cancelled or moved to a revision. */
  closed: number;
  createdAtMs: number;
}

export interface OrderFillRow {
  kisOrderNo: string;
  /** The leg's cumulative filled quantity after this fill: the fill's sequence key. */
  cumQty: number;
  clientOrderId: string | null;
  market: JournalMarket;
  symbol: string;
  side: JournalSide;
  qty: number;
  price: number;
  atMs: number;
  source: 'notice' | 'executions' | 'reconcile';
}

const JOURNAL_COLS = `client_order_id AS clientOrderId, strategy, market, symbol, exchange, side, order_type AS orderType, qty, price, tag, state,
  kis_org_no AS kisOrgNo, kis_order_no AS kisOrderNo, filled_qty AS filledQty, filled_amount AS filledAmount, created_at AS createdAtMs,
  sent_at AS sentAtMs, updated_at AS updatedAtMs, last_error AS lastError, pending_action AS pendingAction, pending_json AS pendingJson,
  pending_sent_at AS pendingSentAtMs`;
const LEG_COLS = `kis_order_no AS kisOrderNo, client_order_id AS clientOrderId, kis_org_no AS kisOrgNo, qty, price, notice_filled_qty AS noticeFilledQty,
  notice_filled_amount AS noticeFilledAmount, filled_qty AS filledQty, filled_amount AS filledAmount, closed, created_at AS createdAtMs`;
const FILL_COLS = `kis_order_no AS kisOrderNo, cum_qty AS cumQty, client_order_id AS clientOrderId, market, symbol, side, qty, price, at_ms AS atMs, source`;

/** Journal columns a state change may update (others are fixed at insert). */
export type JournalPatch = Partial<
  Pick<OrderJournalRow, 'state' | 'kisOrgNo' | 'kisOrderNo' | 'filledQty' | 'filledAmount' | 'sentAtMs' | 'lastError' | 'pendingAction' | 'pendingJson' | 'pendingSentAtMs' | 'qty' | 'price'>
>;

const PATCH_COLUMN: Record<keyof JournalPatch, string> = {
  state: 'state',
  kisOrgNo: 'kis_org_no',
  kisOrderNo: 'kis_order_no',
  filledQty: 'filled_qty',
  filledAmount: 'filled_amount',
  sentAtMs: 'sent_at',
  lastError: 'last_error',
  pendingAction: 'pending_action',
  pendingJson: 'pending_json',
  pendingSentAtMs: 'pending_sent_at',
  qty: 'qty',
  price: 'price',
};

export interface OrderJournalRepo {
  /** Runs fn in one IMMEDIATE transaction (commits on return, rolls back on throw). */
  transaction<T>(fn: () => T): T;
  insert(row: OrderJournalRow): void;
  /** Applies the patch and stamps updated_at; returns false if the row does not exist. */
  update(clientOrderId: string, patch: JournalPatch, updatedAtMs: number): boolean;
  get(clientOrderId: string): OrderJournalRow | undefined;
  /** Every row in one of the states, oldest first. */
  inStates(states: readonly JournalState[]): OrderJournalRow[];
  createdBetween(fromMs: number, toMs: number): OrderJournalRow[];
  insertLeg(leg: OrderLegRow): void;
  updateLeg(kisOrderNo: string, patch: Partial<Pick<OrderLegRow, 'noticeFilledQty' | 'noticeFilledAmount' | 'filledQty' | 'filledAmount' | 'closed' | 'qty' | 'price'>>): void;
  leg(kisOrderNo: string): OrderLegRow | undefined;
  legsOf(clientOrderId: string): OrderLegRow[];
  /** Inserts a fill; false when (kisOrderNo, cumQty) was already recorded. */
  insertFill(fill: OrderFillRow): boolean;
  fillsOf(kisOrderNo: string): OrderFillRow[];
  fillsBetween(fromMs: number, toMs: number): OrderFillRow[];
  /** Remembers an applied notice; false when it was already seen. */
  markNoticeSeen(kisOrderNo: string, noticeKey: string, atMs: number): boolean;
  /** Records that a request of the order left at sentAtMs (idempotent). */
  insertAttempt(clientOrderId: string, action: AttemptAction, sentAtMs: number): void;
  /** Removes an attempt that provably never reached KIS. */
  deleteAttempt(clientOrderId: string, action: AttemptAction, sentAtMs: number): void;
  /** When the order's requests of that action left, oldest first. */
  attemptsOf(clientOrderId: string, action: AttemptAction): number[];
}

export function createOrderJournalRepo(db: SqliteDatabase): OrderJournalRepo {
  const insertStmt = db.prepare(`INSERT INTO order_journal (client_order_id, strategy, market, symbol, exchange, side, order_type, qty, price, tag, state,
    kis_org_no, kis_order_no, filled_qty, filled_amount, created_at, sent_at, updated_at, last_error, pending_action, pending_json, pending_sent_at)
    VALUES (@clientOrderId, @strategy, @market, @symbol, @exchange, @side, @orderType, @qty, @price, @tag, @state, @kisOrgNo, @kisOrderNo, @filledQty,
    @filledAmount, @createdAtMs, @sentAtMs, @updatedAtMs, @lastError, @pendingAction, @pendingJson, @pendingSentAtMs)`);
  const getStmt = db.prepare(`SELECT ${JOURNAL_COLS} FROM order_journal WHERE client_order_id = ?`);
  const createdStmt = db.prepare(`SELECT ${JOURNAL_COLS} FROM order_journal WHERE created_at >= ? AND created_at < ? ORDER BY created_at, rowid`);
  const insertLegStmt = db.prepare(`INSERT INTO order_legs (kis_order_no, client_order_id, kis_org_no, qty, price, notice_filled_qty, notice_filled_amount,
    filled_qty, filled_amount, closed, created_at) VALUES (@kisOrderNo, @clientOrderId, @kisOrgNo, @qty, @price, @noticeFilledQty, @noticeFilledAmount,
    @filledQty, @filledAmount, @closed, @createdAtMs)`);
  const legStmt = db.prepare(`SELECT ${LEG_COLS} FROM order_legs WHERE kis_order_no = ?`);
  const legsOfStmt = db.prepare(`SELECT ${LEG_COLS} FROM order_legs WHERE client_order_id = ? ORDER BY created_at, rowid`);
  const insertFillStmt = db.prepare(`INSERT OR IGNORE INTO order_fills (kis_order_no, cum_qty, client_order_id, market, symbol, side, qty, price, at_ms, source)
    VALUES (@kisOrderNo, @cumQty, @clientOrderId, @market, @symbol, @side, @qty, @price, @atMs, @source)`);
  const fillsOfStmt = db.prepare(`SELECT ${FILL_COLS} FROM order_fills WHERE kis_order_no = ? ORDER BY cum_qty`);
  const fillsBetweenStmt = db.prepare(`SELECT ${FILL_COLS} FROM order_fills WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, kis_order_no, cum_qty`);
  const noticeStmt = db.prepare('INSERT OR IGNORE INTO order_notices_seen (kis_order_no, notice_key, at_ms) VALUES (?, ?, ?)');
  const attemptStmt = db.prepare('INSERT OR IGNORE INTO order_attempts (client_order_id, action, sent_at) VALUES (?, ?, ?)');
  const deleteAttemptStmt = db.prepare('DELETE FROM order_attempts WHERE client_order_id = ? AND action = ? AND sent_at = ?');
  const attemptsOfStmt = db.prepare('SELECT sent_at AS sentAtMs FROM order_attempts WHERE client_order_id = ? AND action = ? ORDER BY sent_at');
  const legPatchCols = { noticeFilledQty: 'notice_filled_qty', noticeFilledAmount: 'notice_filled_amount', filledQty: 'filled_qty', filledAmount: 'filled_amount', closed: 'closed', qty: 'qty', price: 'price' } as const;

  // Statements built per call shape (which columns a patch sets, how many states) are prepared once per shape:
  // re-preparing them cost more than running them on the order path's every tick.
  const shaped = new Map<string, Database.Statement<unknown[]>>();
  const prepared = (sql: string): Database.Statement<unknown[]> => {
    let stmt = shaped.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      shaped.set(sql, stmt);
    }
    return stmt;
  };

  // One transaction wrapper for every caller (better-sqlite3 passes the arguments through; nested calls become savepoints).
  const tx = db.transaction((fn: () => unknown) => fn());

  return {
    transaction: <T>(fn: () => T): T => tx.immediate(fn) as T,
    insert: (row) => void insertStmt.run(row),
    update(clientOrderId, patch, updatedAtMs) {
      const keys = (Object.keys(patch) as (keyof JournalPatch)[]).filter((k) => patch[k] !== undefined);
      const sets = keys.map((k) => `${PATCH_COLUMN[k]} = @${k}`);
      const sql = `UPDATE order_journal SET ${[...sets, 'updated_at = @updatedAtMs'].join(', ')} WHERE client_order_id = @clientOrderId`;
      const params: Record<string, unknown> = { clientOrderId, updatedAtMs };
      for (const k of keys) params[k] = patch[k];
      return prepared(sql).run(params).changes > 0;
    },
    get: (id) => getStmt.get(id) as OrderJournalRow | undefined,
    inStates(states) {
      if (states.length === 0) return [];
      return prepared(`SELECT ${JOURNAL_COLS} FROM order_journal WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at, rowid`).all(...states) as OrderJournalRow[];
    },
    createdBetween: (fromMs, toMs) => createdStmt.all(fromMs, toMs) as OrderJournalRow[],
    insertLeg: (leg) => void insertLegStmt.run(leg),
    updateLeg(kisOrderNo, patch) {
      const keys = (Object.keys(patch) as (keyof typeof legPatchCols)[]).filter((k) => patch[k] !== undefined);
      if (keys.length === 0) return;
      const params: Record<string, unknown> = { kisOrderNo };
      for (const k of keys) params[k] = patch[k];
      prepared(`UPDATE order_legs SET ${keys.map((k) => `${legPatchCols[k]} = @${k}`).join(', ')} WHERE kis_order_no = @kisOrderNo`).run(params);
    },
    leg: (no) => legStmt.get(no) as OrderLegRow | undefined,
    legsOf: (id) => legsOfStmt.all(id) as OrderLegRow[],
    insertFill: (fill) => insertFillStmt.run(fill).changes > 0,
    fillsOf: (no) => fillsOfStmt.all(no) as OrderFillRow[],
    fillsBetween: (fromMs, toMs) => fillsBetweenStmt.all(fromMs, toMs) as OrderFillRow[],
    markNoticeSeen: (no, key, atMs) => noticeStmt.run(no, key, atMs).changes > 0,
    insertAttempt: (id, action, sentAtMs) => void attemptStmt.run(id, action, sentAtMs),
    deleteAttempt: (id, action, sentAtMs) => void deleteAttemptStmt.run(id, action, sentAtMs),
    attemptsOf: (id, action) => (attemptsOfStmt.all(id, action) as { sentAtMs: number }[]).map((r) => r.sentAtMs),
  };
}
