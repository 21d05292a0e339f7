// Assembles /status.json (src/health/status-model.ts) from the running daemon's parts: the scheduler's plan,
// records and activity; the feed; today's order journal and fills; the position ledger; the kill switch; the
// REST limiter; the token; the recovery queue; the alert history; the daily reports on disk. Read-only: it
// never calls KIS (a page polled every few seconds must not spend the REST budget). Every string goes
// through the secret scrubber before it leaves, so no registered secret can reach the page.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { formatKstTimestamp, kstAt, kstYmd } from '../core/kst.js';
import { scrubSecrets } from '../log/secrets.js';
import type { FeedGaps, StatusJson, PhaseRow, PhaseState } from '../health/status-model.js';
import type { PhaseId } from '../core/phases.js';
import type { IntegratedScheduler } from '../scheduler/index.js';
import { createOrderJournalRepo, createPositionsRepo, type Store } from '../store/index.js';
import type { KillSwitch } from '../trade/risk/index.js';
import { ownDayLedger } from '../trade/risk/index.js';
import { prevCloseOf } from '../trade/strategy/index.js';
import type { OrderManager } from '../trade/orders/types.js';
import type { QuoteCache } from '../feed/index.js';
import type { RunningOrderManager } from '../trade/orders/index.js';
import type { Broker } from './broker.js';
import type { FeedBundle } from './feed-wiring.js';
import type { RateWindowUsage } from '../net/rate-limiter.js';

export interface StatusSourceDeps {
  clock: Clock;
  mode: string;
  dryRun: boolean;
  dataDir: string;
  /** 1 unless time travel runs the clock faster. */
  clockSpeed: number;
  startedMonoMs: number;
  ready: () => boolean;
  scheduler: IntegratedScheduler;
  isTradingDay: (ymd: string) => boolean;
  feed: FeedBundle;
  feedEnabled: boolean;
  store: Store;
  orders: RunningOrderManager;
  killSwitch: KillSwitch;
  broker: Broker;
  alerts: { recent?(): { atMs: number; level: string; title: string; suppressed: boolean }[] };
}

const hhmm = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
const UNRESOLVED = new Set(['unknown', 'sent']);
const SKIPPED: Record<string, string> = {
  'not-trading-day': 'not a KR trading day',
  disabled: 'disabled in the config',
  'no-job': 'no job configured (trading.enabled: false?)',
};

type PhaseDeps = Pick<StatusSourceDeps, 'scheduler' | 'isTradingDay'>;

/** Today's phase table: the plan, the completion records, and what this process saw (why, in words). */
export async function phaseRows(d: PhaseDeps, nowMs: number): Promise<PhaseRow[]> {
  const ymd = kstYmd(nowMs);
  const records = (await d.scheduler.records.load(ymd)).phases;
  return d.scheduler.plan.phases.map((p) => phaseRow(d, p.id, ymd, nowMs, records[p.id]));
}

function phaseRow(d: PhaseDeps, id: PhaseId, ymd: string, nowMs: number, record: { finishedAt: string; attempts: number; durationMs: number } | undefined): PhaseRow {
  const p = d.scheduler.phase(id);
  const row: PhaseRow = { id, at: hhmm(p.atMin), state: 'pending', ...(p.endsAtMin !== undefined ? { endsAt: hhmm(p.endsAtMin) } : p.windowEndsAtMin !== undefined ? { endsAt: hhmm(p.windowEndsAtMin) } : {}) };
  const act = d.scheduler.phaseActivity().get(id);
  const today = act?.ymd === ymd ? act : undefined;
  if (today?.startedAt) row.startedAt = today.startedAt;
  if (record) return { ...row, state: 'done', finishedAt: record.finishedAt, attempts: record.attempts, durationMs: record.durationMs };
  if (!p.enabled) return { ...row, state: 'skipped', reason: SKIPPED['disabled'] };
  if (p.tradingDaysOnly && !d.isTradingDay(ymd)) return { ...row, state: 'skipped', reason: SKIPPED['not-trading-day'] };
  if (d.scheduler.inFlight().includes(id) || today?.outcome === 'running') return { ...row, state: 'running', reason: p.session ? `session until ${row.endsAt ?? '?'}` : 'in progress' };
  if (today) {
    const map: Partial<Record<string, [PhaseState, string]>> = {
      failed: ['failed', `failed${today.error ? `: ${today.error}` : ''}; retried at the next trigger or restart`],
      'dependency-missed': ['missed', `not run: ${today.error ?? 'a phase it depends on did not finish in time'}`],
      deferred: ['waiting', 'trigger deferred until restart recovery finishes'],
      waiting: ['waiting', `waiting for ${today.waitingFor?.join(', ') ?? 'an earlier phase'} to finish`],
      interrupted: ['failed', 'interrupted by shutdown; the next start resumes it'],
      stopped: ['skipped', 'the daemon was stopping'],
      'no-job': ['skipped', SKIPPED['no-job']!],
    };
    const hit = map[today.outcome];
    if (hit) return { ...row, state: hit[0], reason: hit[1] };
  }
  const dueMs = kstAt(nowMs, p.atMin);
  return nowMs < dueMs ? { ...row, state: 'pending', reason: `due at ${row.at}` } : { ...row, state: 'waiting', reason: `due since ${row.at}; restart recovery or the next trigger runs it` };
}

function reportsOn(dataDir: string): { date: string; href: string }[] {
  let names: string[];
  try {
    names = readdirSync(join(dataDir, 'reports'));
  } catch {
    return [];
  }
  return names
    .map((n) => /^daily_(\d{8})\.html$/.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort()
    .reverse()
    .slice(0, 14)
    .map((date) => ({ date, href: `/reports/daily_${date}.html` }));
}

/** Deep copy with every string scrubbed of registered secrets. */
function scrubbed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? scrubSecrets(v) : v)) as T;
}

type Part<K extends keyof StatusJson> = StatusJson[K];
type JournalRepo = ReturnType<typeof createOrderJournalRepo>;

function feedPart(d: StatusSourceDeps, nowMs: number): Part<'feed'> {
  const f = d.feed.feed.status();
  const registrations = d.feed.feed.registrations().map((r) => {
    const age = r.trId.startsWith('H0STCNI') ? undefined : d.feed.quotes.ageMs(r.trKey, nowMs);
    return { ...r, ...(age !== undefined ? { lastTickAgeSec: Math.round(age / 1000) } : {}) };
  });
  return {
    market: f.market === 'none' ? 'none' : f.market === 'kr' ? 'KR' : 'US',
    state: d.feedEnabled ? f.socketState : 'disabled',
    desired: f.desired,
    acknowledged: f.acknowledged,
    reconnects: f.reconnects,
    switches: f.switches,
    ticksReceived: f.ticksReceived,
    ...(f.lastTickAtMs !== undefined ? { lastTickAt: formatKstTimestamp(f.lastTickAtMs) } : {}),
    registrations,
    gaps: feedGaps({ store: d.store, gapFill: d.feedEnabled && d.feed.gapFiller !== undefined }, nowMs),
  };
}

/** Today's KR feed gaps from feed_gaps, oldest first; 'available: false' with why when gap-fill is off. */
export function feedGaps(d: { store: Pick<Store, 'feedGaps'>; gapFill: boolean }, nowMs: number): FeedGaps {
  if (!d.gapFill) return { available: false, note: 'gap-fill is off (feed.enabled or feed.gap_fill is false)' };
  const today = d.store.feedGaps.onDay(kstYmd(nowMs)).map((g) => ({
    from: formatKstTimestamp(g.fromMs).slice(11),
    to: formatKstTimestamp(g.toMs).slice(11),
    reason: g.reason,
    status: g.status,
    symbols: g.symbols,
    bars: g.bars,
    attempts: g.attempts,
    ...(g.lastError !== null ? { error: g.lastError } : {}),
  }));
  return { available: true, today };
}

function ordersPart(d: StatusSourceDeps, journal: JournalRepo, dayStartMs: number, nowMs: number): Part<'orders'> {
  const rows = journal.createdBetween(dayStartMs, nowMs + 1);
  const byState: Record<string, number> = {};
  for (const o of rows) byState[o.state] = (byState[o.state] ?? 0) + 1;
  const last = d.orders.lastReconcile();
  return {
    date: kstYmd(nowMs),
    byState,
    unresolved: rows.filter((o) => UNRESOLVED.has(o.state)).length,
    rows: rows
      .slice(-50)
      .reverse()
      .map((o) => ({ id: o.clientOrderId, at: formatKstTimestamp(o.createdAtMs).slice(11), strategy: o.strategy, symbol: o.symbol, side: o.side, type: o.orderType, qty: o.qty, price: o.price, state: o.state, filledQty: o.filledQty, ...(o.lastError ? { error: o.lastError } : {}) })),
    ...(last ? { lastReconcile: { at: formatKstTimestamp(last.finishedAtMs), passed: last.passed, differences: last.differences.length, unresolved: last.unresolved.length } } : {}),
  };
}

/**
 * kisd's own positions: the net of its own orders' fills (the journal holds only fills of kisd's orders),
 * from the order manager's per-day cache, so a page polled every few seconds does not read the whole history.
 */
function positionsPart(d: Pick<StatusSourceDeps, 'orders'>, positions: ReturnType<typeof createPositionsRepo>, nowMs: number): Part<'positions'> {
  const { beforeToday, today } = d.orders.ownFills(nowMs);
  const own = new Map<string, { market: string; symbol: string; qty: number }>();
  for (const fl of [...beforeToday, ...today]) {
    if (fl.atMs > nowMs) continue;
    const k = `${fl.market}:${fl.symbol}`;
    const e = own.get(k) ?? { market: fl.market, symbol: fl.symbol, qty: 0 };
    e.qty += fl.side === 'buy' ? fl.qty : -fl.qty;
    own.set(k, e);
  }
  return {
    own: [...own.values()].filter((p) => p.qty !== 0),
    account: positions
      .all()
      .filter((p) => p.qty !== 0)
      .map((p) => ({ market: p.market, symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice })),
  };
}

/**
 * Today's P&L exactly as the kill switch measures it (ownDayLedger): kisd's own positions only, those held
 * overnight against yesterday's close and today's buys against their fill price, marked at the last tick.
 * realizedKrw is net of fees already (the ledger books each fill's fees as a realized loss); feesKrw shows them.
 */
export function pnlPart(d: { orders: Pick<OrderManager, 'ownFills'>; quotes: Pick<QuoteCache, 'krTick'> }, nowMs: number): Part<'pnl'> {
  const quotes = d.quotes as QuoteCache;
  const ledger = ownDayLedger(d.orders, prevCloseOf(quotes), nowMs);
  const realized = ledger.realizedKrw();
  const fees = ledger.feesKrw();
  const unrealized = ledger.unrealizedKrw((s) => quotes.krTick(s)?.price);
  const fills = d.orders.ownFills(nowMs).today.filter((f) => f.atMs <= nowMs).length;
  return { date: kstYmd(nowMs), realizedKrw: Math.round(realized), feesKrw: Math.round(fees), unrealizedKrw: Math.round(unrealized), totalKrw: Math.round(realized + unrealized), fills };
}

function killSwitchPart(d: StatusSourceDeps, nowMs: number): Part<'killSwitch'> {
  const ks = d.killSwitch.snapshot();
  const tripped = d.killSwitch.isTripped(nowMs);
  return {
    tripped,
    ...(ks && (tripped || ks.resetAt) ? { reason: ks.reason, trippedAt: ks.trippedAt } : {}),
    ...(ks?.resetBy ? { resetBy: ks.resetBy, resetAt: ks.resetAt } : {}),
    resetHow: 'after a look at why: kisd risk reset --by <your name> (the running daemon picks it up at once)',
  };
}

async function restPart(d: StatusSourceDeps): Promise<Part<'rest'>> {
  const label = (ms: number): string => (ms >= 3_600_000 ? '1 h' : ms >= 60_000 ? '1 min' : '1 s');
  const row = (w: RateWindowUsage): Part<'rest'>['windows'][number] => ({ window: label(w.windowMs), limit: w.limit, used: w.used, waiting: w.waiting });
  const limiter = d.broker.limiter;
  if (!limiter.sharedUsage) return { source: 'in-process', windows: (limiter.usage?.() ?? []).map(row) };
  const u = await limiter.sharedUsage();
  return {
    source: 'shared',
    backend: u.backend,
    windows: u.windows.map(row),
    sharedWith: u.members.map((m) => ({ pid: m.pid, host: m.host, label: m.label, seenAgoSec: Math.round(m.seenAgoMs / 1000) })),
    pausedForSec: Math.ceil(u.pausedForMs / 1000),
    ...(u.coordination ? { coordination: u.coordination } : {}),
  };
}

async function tokenPart(d: StatusSourceDeps, nowMs: number): Promise<Part<'token'>> {
  const t = await d.broker.tokens.status();
  const issuedMs = t.issuedAtKst ? Date.parse(`${t.issuedAtKst.replace(' ', 'T')}+09:00`) : NaN;
  const next = d.scheduler.nextMaintenance();
  return {
    state: t.state,
    ...(t.issuedAtKst ? { issuedAt: t.issuedAtKst } : {}),
    ...(Number.isFinite(issuedMs) ? { ageSec: Math.max(0, Math.round((nowMs - issuedMs) / 1000)) } : {}),
    ...(t.expiresAtKst ? { expiresAt: t.expiresAtKst } : {}),
    ...(t.remainingMs !== undefined ? { remainingSec: Math.round(t.remainingMs / 1000) } : {}),
    ...(next.tokenCheckAtMs !== undefined ? { nextCheckAt: formatKstTimestamp(next.tokenCheckAtMs) } : {}),
    ...(next.brokerReinitAtMs !== undefined ? { nextReinitAt: formatKstTimestamp(next.brokerReinitAtMs) } : {}),
  };
}

function queuePart(d: StatusSourceDeps): Part<'queue'> {
  const q = d.store.recoveryQueue;
  const items = [...q.list({ status: 'processing', limit: 10 }), ...q.list({ status: 'pending', limit: 10 }), ...q.list({ status: 'failed', limit: 5 })];
  return {
    counts: q.counts(),
    items: items.map((t) => ({ id: t.id, dataset: t.fetcherName, target: t.targetCode, status: t.status, retries: t.retryCount, ...(t.errorMessage ? { error: t.errorMessage } : {}), ...(t.nextRetryAtMs ? { nextRetryAt: formatKstTimestamp(t.nextRetryAtMs) } : {}) })),
  };
}

/**
 * This process's alerts (every level, held-back repeats marked); before the first one, what the history table
 * kept from earlier runs (alerts that reached an e-mail or webhook sink).
 */
function alertsPart(d: StatusSourceDeps): Part<'alerts'> {
  const mine = d.alerts.recent?.() ?? [];
  if (mine.length > 0) return mine.slice(0, 10).map((a) => ({ at: formatKstTimestamp(a.atMs), level: a.level, title: a.suppressed ? `${a.title} (repeat held back)` : a.title }));
  return d.store.alertHistory.recent(10).map((a) => ({ at: formatKstTimestamp(a.sentAtMs), level: a.level, title: a.title }));
}

export function createStatusSource(d: StatusSourceDeps): { status(): Promise<StatusJson> } {
  const journal = createOrderJournalRepo(d.store.db);
  const positions = createPositionsRepo(d.store.db);
  return {
    async status(): Promise<StatusJson> {
      const nowMs = d.clock.nowMs();
      const ymd = kstYmd(nowMs);
      const dayStartMs = kstAt(nowMs, 0);
      const status: StatusJson = {
        now: formatKstTimestamp(nowMs),
        nowEpochMs: nowMs,
        ready: d.ready(),
        mode: d.mode,
        dryRun: d.dryRun,
        pid: process.pid,
        uptimeSec: Math.round((d.clock.monotonicMs() - d.startedMonoMs) / 1000),
        clockSpeed: d.clockSpeed,
        phases: { date: ymd, tradingDay: d.isTradingDay(ymd), rows: await phaseRows(d, nowMs) },
        feed: feedPart(d, nowMs),
        orders: ordersPart(d, journal, dayStartMs, nowMs),
        positions: positionsPart(d, positions, nowMs),
        pnl: pnlPart({ orders: d.orders, quotes: d.feed.quotes }, nowMs),
        killSwitch: killSwitchPart(d, nowMs),
        rest: await restPart(d),
        token: await tokenPart(d, nowMs),
        queue: queuePart(d),
        alerts: alertsPart(d),
        reports: reportsOn(d.dataDir),
      };
      return scrubbed(status);
    },
  };
}
