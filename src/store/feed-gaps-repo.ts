// feed_gaps and feed_heartbeat: the intervals of a session the realtime feed missed and what gap-fill did about
// them (status page, restart resume), and until when the feed was last known to be up (the gap a restart left).
import type { SqliteDatabase } from './database.js';

export type FeedGapStatus = 'pending' | 'filled' | 'abandoned';
export type FeedGapMarket = 'KR' | 'US';

export interface FeedGapRow {
  id: number;
  market: FeedGapMarket;
  /** KST trading day "YYYYMMDD". */
  day: string;
  /** The missed interval, epoch ms [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** Why the feed was down: 'reconnect', 'restart', 'start', 'outage', … */
  reason: string;
  status: FeedGapStatus;
  /** Symbols filled, bars stored, fill attempts so far. */
  symbols: number;
  bars: number;
  attempts: number;
  lastError: string | null;
  detectedAtMs: number;
  filledAtMs: number | null;
}

export interface FeedGapsRepo {
  /** Records a newly detected gap as 'pending'; returns its id. */
  insert(gap: { market: FeedGapMarket; day: string; fromMs: number; toMs: number; reason: string }, nowMs: number): number;
  /** One failed fill attempt (the error is kept for the status page). */
  recordAttempt(id: number, error: string): void;
  markFilled(id: number, result: { symbols: number; bars: number }, nowMs: number): void;
  markAbandoned(id: number, error: string): void;
  get(id: number): FeedGapRow | undefined;
  /** Gaps of a day, oldest first. */
  onDay(day: string): FeedGapRow[];
  /** Pending gaps of any day, oldest first (restart resume). */
  pending(): FeedGapRow[];
  /** Until when the market's feed was last known to be up (undefined: never recorded). */
  aliveAt(market: FeedGapMarket): number | undefined;
  setAliveAt(market: FeedGapMarket, atMs: number): void;
}

interface Row {
  id: number;
  market: FeedGapMarket;
  day: string;
  from_ms: number;
  to_ms: number;
  reason: string;
  status: FeedGapStatus;
  symbols: number;
  bars: number;
  attempts: number;
  last_error: string | null;
  detected_at: number;
  filled_at: number | null;
}

function toGap(r: Row): FeedGapRow {
  return {
    id: r.id, market: r.market, day: r.day, fromMs: r.from_ms, toMs: r.to_ms, reason: r.reason, status: r.status,
    symbols: r.symbols, bars: r.bars, attempts: r.attempts, lastError: r.last_error,
    detectedAtMs: r.detected_at, filledAtMs: r.filled_at,
  };
}

export function createFeedGapsRepo(db: SqliteDatabase): FeedGapsRepo {
  const insertStmt = db.prepare(
    "INSERT INTO feed_gaps (market, day, from_ms, to_ms, reason, status, detected_at) VALUES (@market, @day, @fromMs, @toMs, @reason, 'pending', @nowMs)",
  );
  const attemptStmt = db.prepare('UPDATE feed_gaps SET attempts = attempts + 1, last_error = ? WHERE id = ?');
  const filledStmt = db.prepare(
    "UPDATE feed_gaps SET status = 'filled', symbols = @symbols, bars = @bars, attempts = attempts + 1, filled_at = @nowMs, last_error = NULL WHERE id = @id",
  );
  const abandonStmt = db.prepare("UPDATE feed_gaps SET status = 'abandoned', last_error = ? WHERE id = ?");
  const getStmt = db.prepare('SELECT * FROM feed_gaps WHERE id = ?');
  const dayStmt = db.prepare('SELECT * FROM feed_gaps WHERE day = ? ORDER BY from_ms, id');
  const pendingStmt = db.prepare("SELECT * FROM feed_gaps WHERE status = 'pending' ORDER BY from_ms, id");
  const aliveStmt = db.prepare('SELECT alive_at_ms FROM feed_heartbeat WHERE market = ?').pluck();
  const setAliveStmt = db.prepare(
    'INSERT INTO feed_heartbeat (market, alive_at_ms) VALUES (?, ?) ON CONFLICT (market) DO UPDATE SET alive_at_ms = excluded.alive_at_ms',
  );
  return {
    insert: (gap, nowMs) => Number(insertStmt.run({ ...gap, nowMs }).lastInsertRowid),
    recordAttempt: (id, error) => void attemptStmt.run(error, id),
    markFilled: (id, r, nowMs) => void filledStmt.run({ id, ...r, nowMs }),
    markAbandoned: (id, error) => void abandonStmt.run(error, id),
    get: (id) => {
      const r = getStmt.get(id) as Row | undefined;
      return r && toGap(r);
    },
    onDay: (day) => (dayStmt.all(day) as Row[]).map(toGap),
    pending: () => (pendingStmt.all() as Row[]).map(toGap),
    aliveAt: (market) => (aliveStmt.get(market) as number | undefined) ?? undefined,
    setAliveAt: (market, atMs) => void setAliveStmt.run(market, atMs),
  };
}
