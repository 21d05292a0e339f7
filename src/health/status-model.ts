// The shape of /status.json, the live status page's data (the page at / renders exactly this). Every part
// is plain data assembled by the daemon (src/daemon/status-source.ts); slots for parts another component
// does not provide yet are typed here with `available: false` and a note, so the page and any script
// reading the JSON already know where they will appear.

export type PhaseState = 'pending' | 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'missed';

export interface PhaseRow {
  id: string;
  /** Planned start, "HH:MM" KST. */
  at: string;
  /** Session or window end, "HH:MM" KST. */
  endsAt?: string;
  state: PhaseState;
  /** KST "YYYY-MM-DD HH:MM:SS" */
  startedAt?: string;
  finishedAt?: string;
  attempts?: number;
  durationMs?: number;
  /** Why it is waiting, skipped or failed, in words. */
  reason?: string;
}

export interface FeedRegistrationRow {
  trId: string;
  trKey: string;
  /** 'acked' (the server confirmed it), 'subscribing', 'releasing', 'rejected', 'none' (not sent yet). */
  state: string;
  /** Seconds since this symbol's last tick (quotes only). */
  lastTickAgeSec?: number;
}

/** One KR feed gap of today and what gap-fill did about it (times KST "HH:MM:SS"). */
export interface FeedGapJson {
  from: string;
  to: string;
  /** Why the feed was down: 'remote-close', 'dead', 'restart', 'stopped', … */
  reason: string;
  /** 'pending' (waiting for the gap's last minute to end, or for KIS to answer), 'filled', 'abandoned'. */
  status: string;
  symbols: number;
  bars: number;
  attempts: number;
  error?: string;
}

/** Gaps in today's KR realtime data and the minute bars gap-fill back-filled for them (issue 13). */
export type FeedGaps = { available: false; note: string } | { available: true; today: FeedGapJson[] };

export interface StatusJson {
  /** KST "YYYY-MM-DD HH:MM:SS" on the daemon's clock (time travel shows the simulated instant). */
  now: string;
  nowEpochMs: number;
  ready: boolean;
  mode: string;
  dryRun: boolean;
  pid: number;
  uptimeSec: number;
  /** Time travel (`kisd run --at/--speed`): the clock's speed; 1 = real time. */
  clockSpeed: number;
  phases: { date: string; tradingDay: boolean; rows: PhaseRow[] };
  feed: {
    market: 'KR' | 'US' | 'none';
    state: string;
    desired: number;
    acknowledged: number;
    reconnects: number;
    switches: number;
    ticksReceived: number;
    lastTickAt?: string;
    registrations: FeedRegistrationRow[];
    gaps: FeedGaps;
  };
  orders: {
    date: string;
    byState: Record<string, number>;
    /** Orders whose outcome is unknown and being settled from KIS's executions. */
    unresolved: number;
    rows: { id: string; at: string; strategy: string; symbol: string; side: string; type: string; qty: number; price: number | null; state: string; filledQty: number; error?: string }[];
    lastReconcile?: { at: string; passed: boolean; differences: number; unresolved: number };
  };
  positions: {
    /** Net quantity of kisd's own fills (its journal) per symbol. */
    own: { market: string; symbol: string; qty: number }[];
    /** The account's holdings as kisd's ledger has them (reconciled against the broker's balance). */
    account: { market: string; symbol: string; qty: number; avgPrice: number }[];
  };
  pnl: { date: string; realizedKrw: number; feesKrw: number; unrealizedKrw: number; totalKrw: number; fills: number };
  killSwitch: { tripped: boolean; reason?: string; trippedAt?: string; resetBy?: string; resetAt?: string; resetHow: string };
  rest: {
    /** 'in-process' = this daemon's limiter; the key's budget shared across processes (issue 11) reports 'shared'. */
    source: 'in-process' | 'shared';
    /** Where a shared budget lives: 'local' (state/budget.db) or 'redis'. */
    backend?: 'local' | 'redis';
    /** Grants in each window by every process sharing the budget; waiting = this daemon's queued callers. */
    windows: { window: string; limit: number; used: number; waiting: number }[];
    /** The processes drawing on a shared budget (this daemon included). */
    sharedWith?: { pid: number; host: string; label: string; seenAgoSec: number }[];
    /** Seconds until reads may go again after EGW00201 or a cooldown (0 = none). */
    pausedForSec?: number;
    /** backend redis: shared = every host draws on Redis; fallback = Redis unreachable, this host uses its share alone. */
    coordination?: { mode: 'shared' | 'fallback'; redis: string; lastError?: string };
  };
  token: {
    state: string;
    issuedAt?: string;
    ageSec?: number;
    expiresAt?: string;
    remainingSec?: number;
    nextCheckAt?: string;
    nextReinitAt?: string;
  };
  queue: { counts: Record<string, number>; items: { id: number; dataset: string; target: string; status: string; retries: number; error?: string; nextRetryAt?: string }[] };
  alerts: { at: string; level: string; title: string }[];
  reports: { date: string; href: string }[];
}
