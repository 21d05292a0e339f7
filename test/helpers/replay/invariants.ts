// The invariants the week replay checks after every simulated day, each a function of what is on disk in the
// daemon's var dir, what the live daemon reports (probe) and what the simulator (KIS) holds. A violation names
// the seed, the day and what disagreed; a day with no violation returns [].
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHASE_ORDER, PHASES, type PhaseId } from '../../../src/core/phases.js';
import type { Simulator } from '../../../src/sim/index.js';
import type { SimOrder } from '../../../src/sim/exchange/types.js';
import type { SimWebSocket } from '../../../src/sim/ws/index.js';
import { TERMINAL_STATES } from '../../../src/trade/orders/types.js';
import { estimateKrFees } from '../../../src/trade/risk/index.js';
import type { DailyReport } from '../../../src/trade/report/index.js';
import type { WeekPlan } from './fault-plan.js';
import { ACCOUNT_NO } from './replay-sim.js';
import type { DaemonProbe } from './probe.js';
import { replayAlertsFile } from './replay-daemon.js';

export interface Violation {
  seed: number;
  day: string;
  invariant: string;
  detail: string;
}

export interface DayFacts {
  iso: string;
  probe: DaemonProbe;
  varDir: string;
  sim: Simulator;
  ws: SimWebSocket;
}

export interface DayContext {
  seed: number;
  day: string;
  plan: WeekPlan;
  /** Injected outages [from, to) epoch ms: feed gaps inside them are expected. */
  outages: readonly (readonly [number, number])[];
  /** The longest in-session feed gap allowed outside injected outages, ms. */
  feedGapBudgetMs: number;
  /** kisd's own net quantity per symbol since Monday, from the journal's fills (updated by the check). */
  ownNet: Record<string, number>;
  /** Simulator counters at the end of the previous day (EGW00201/EGW00133 are counted per day). */
  counters: Record<string, number>;
}

type Check = (f: DayFacts, c: DayContext, ymd: string, tradingDay: boolean) => string[];

/** Every invariant, by name. */
export const INVARIANTS: Record<string, Check> = {
  'phases-once-or-explained': phasesOnce,
  'journal-equals-kis-book': journalEqualsBook,
  'exposure-on-own-positions': exposureOwn,
  'positions-equal-kis': positionsEqual,
  'no-rate-or-token-refusals': noRefusals,
  'feed-gaps-within-budget': feedGaps,
  'daily-report-matches-fills': reportMatches,
  'kill-switch-on-own-pnl': killSwitchOwn,
  'operator-shares-untouched': operatorSharesUntouched,
};

export function checkDay(f: DayFacts, c: DayContext): Violation[] {
  const ymd = c.day.replaceAll('-', '');
  const tradingDay = f.sim.market.krCalendar.isTradingDay(Number(ymd));
  const out: Violation[] = [];
  for (const [invariant, check] of Object.entries(INVARIANTS)) {
    for (const detail of check(f, c, ymd, tradingDay)) out.push({ seed: c.seed, day: c.day, invariant, detail });
  }
  return out;
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

/** The WARNING and ERROR alerts the daemons sent in [fromMs, toMs) (the replay keeps them: alert_history does not). */
function alertsOfDay(varDir: string, fromMs: number, toMs: number): { key: string; level: string; suppressed: boolean; title: string }[] {
  const path = replayAlertsFile(varDir);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { atMs: number; key: string; level: string; suppressed: boolean; title: string })
    .filter((a) => a.atMs >= fromMs && a.atMs < toMs);
}

/** The phases p needs, directly or through another (trading → selection → screening). */
function upstream(p: PhaseId): PhaseId[] {
  const direct = ((PHASES.find((x) => x.id === p) as { dependsOn?: readonly PhaseId[] } | undefined)?.dependsOn ?? []) as readonly PhaseId[];
  return direct.flatMap((d) => [d, ...upstream(d)]);
}

/**
 * A trading day records every phase once. A missing phase is explained by an alert naming it or a phase it
 * waits for (one alert names the late root of a chain) — unless everything it waits for was recorded done in
 * time for it to start (before the session end less a minute): then it should have run, and not running lost
 * the day. Other days record none.
 */
function phasesOnce(f: DayFacts, c: DayContext, ymd: string, tradingDay: boolean): string[] {
  type Entry = { finishedAtEpochMs: number; finishedAt: string };
  const file = readJson<{ phases: Record<string, Entry> }>(join(f.varDir, 'data', 'phases', `${ymd}.json`));
  const recorded = file?.phases ?? {};
  const done = Object.keys(recorded);
  if (!tradingDay) return done.length > 0 ? [`not a KRX trading day, yet phases ran: ${done.join(', ')}`] : [];
  const dayStart = Date.parse(`${c.day}T00:00:00+09:00`);
  const alerts = alertsOfDay(f.varDir, dayStart, dayStart + 86_400_000);
  const named = (p: string): boolean => alerts.some((a) => a.key.includes(p) || a.title.includes(p));
  const lateStartLimit = Date.parse(`${c.day}T${c.plan.sessionEndsAt}:00+09:00`) - 60_000;
  const out: string[] = [];
  for (const p of PHASE_ORDER.filter((x) => !done.includes(x))) {
    const needs = (PHASES.find((x) => x.id === p) as { dependsOn?: readonly PhaseId[] }).dependsOn ?? [];
    const inputs = needs.map((d) => recorded[d]);
    if (needs.length > 0 && inputs.every((e) => e !== undefined && e.finishedAtEpochMs < lateStartLimit)) {
      out.push(`${p} not run although ${needs.map((d, i) => `${d} was recorded done at ${inputs[i]!.finishedAt.slice(11)}`).join(', ')} (it may start until ${c.plan.sessionEndsAt})`);
    } else if (!named(p) && !upstream(p).some(named)) {
      out.push(`${p} neither recorded nor alerted, nor anything it waits for (recorded: ${done.join(', ') || 'none'})`);
    }
  }
  // A late phase is one WARNING for the day, whichever phases wait for it.
  const late = new Map<string, number>();
  for (const a of alerts) if (a.key.startsWith('scheduler.phase-late:') && !a.suppressed) late.set(a.key, (late.get(a.key) ?? 0) + 1);
  for (const [key, n] of late) if (n > 1) out.push(`${n} alerts ${key} sent (one a day expected)`);
  return out;
}

/** Orders of the day at KIS: new orders with their revisions folded in (a revision's number maps to the original). */
function kisOrdersOfDay(sim: Simulator, ymd: string): { root: SimOrder; numbers: Set<string>; filledQty: number; filledAmount: number }[] {
  const all = sim.exchange.orders(ACCOUNT_NO).filter((o) => o.venue === 'KR' && o.ymd === ymd);
  const roots = new Map<string, { root: SimOrder; numbers: Set<string>; filledQty: number; filledAmount: number }>();
  const rootOf = new Map<string, string>();
  for (const o of all) {
    if (o.kind === 'new') {
      roots.set(o.odno, { root: o, numbers: new Set([o.odno]), filledQty: o.filledQty, filledAmount: o.filledAmount });
      rootOf.set(o.odno, o.odno);
    } else if (o.kind === 'revise') {
      const r = rootOf.get(o.orgnOdno);
      const entry = r ? roots.get(r) : undefined;
      if (!entry || !r) continue;
      rootOf.set(o.odno, r);
      entry.numbers.add(o.odno);
      entry.filledQty += o.filledQty;
      entry.filledAmount += o.filledAmount;
    }
  }
  return [...roots.values()];
}

/** No order lost (at KIS, unknown to the journal), duplicated, or settled differently from KIS's book. */
function journalEqualsBook(f: DayFacts, _c: DayContext, ymd: string): string[] {
  const out: string[] = [];
  const kis = kisOrdersOfDay(f.sim, ymd);
  const journal = f.probe.orders.filter((o) => o.market === 'KR');
  for (const k of kis) {
    const mine = journal.filter((o) => o.kisOrderNo !== undefined && k.numbers.has(o.kisOrderNo));
    const what = `KIS order ${k.root.odno} (${k.root.side} ${k.root.qty} ${k.root.code}, filled ${k.filledQty})`;
    if (mine.length === 0) out.push(`${what} is not in the journal (lost)`);
    else if (mine.length > 1) out.push(`${what} is journaled ${mine.length} times: ${mine.map((o) => o.clientOrderId).join(', ')}`);
    else if (mine[0]!.filledQty !== k.filledQty) out.push(`${what}: journal ${mine[0]!.clientOrderId} has ${mine[0]!.filledQty} filled (${mine[0]!.state})`);
  }
  for (const o of journal) {
    if (!TERMINAL_STATES.has(o.state)) out.push(`journal ${o.clientOrderId} (${o.side} ${o.qty} ${o.symbol}) is still ${o.state} after the session`);
    if (o.kisOrderNo === undefined && o.filledQty > 0) out.push(`journal ${o.clientOrderId} has fills but no KIS order number`);
    if (o.kisOrderNo !== undefined && !kis.some((k) => k.numbers.has(o.kisOrderNo!))) out.push(`journal ${o.clientOrderId} names KIS order ${o.kisOrderNo}, which KIS does not have today`);
  }
  return out;
}

/**
 * kisd's own positions (the net of its fills since Monday) = KIS's holdings minus the operator's shares, and
 * the journal's account positions = KIS's holdings.
 */
function positionsEqual(f: DayFacts, c: DayContext): string[] {
  const ledger = f.sim.exchange.ledger(ACCOUNT_NO);
  for (const o of f.probe.orders) c.ownNet[o.symbol] = (c.ownNet[o.symbol] ?? 0) + (o.side === 'buy' ? o.filledQty : -o.filledQty);
  const account = new Map(f.probe.positions.map((p) => [p.symbol, p.qty]));
  const symbols = new Set([...account.keys(), ...Object.keys(c.plan.operatorHoldings), ...Object.keys(c.ownNet)]);
  const out: string[] = [];
  for (const s of symbols) {
    const atKis = ledger?.holding('KR', s)?.qty ?? 0;
    const operator = c.plan.operatorHoldings[s] ?? 0;
    if ((c.ownNet[s] ?? 0) !== atKis - operator) out.push(`${s}: kisd's own fills net ${c.ownNet[s] ?? 0}, KIS holds ${atKis - operator} beyond the operator's ${operator}`);
    if ((account.get(s) ?? 0) !== atKis) out.push(`${s}: the journal's account position is ${account.get(s) ?? 0}, KIS holds ${atKis}`);
  }
  return out;
}

/** 0 EGW00201 (rate) and 0 EGW00133 (token issue spacing) at the simulator, per day. */
function noRefusals(f: DayFacts, c: DayContext): string[] {
  const out: string[] = [];
  for (const code of ['EGW00201', 'EGW00133']) {
    const n = f.sim.stats.count({ msgCd: code });
    const today = n - (c.counters[code] ?? 0);
    c.counters[code] = n;
    if (today > 0) out.push(`${today} × ${code} at KIS`);
  }
  return out;
}

function feedGaps(f: DayFacts, c: DayContext): string[] {
  return f.probe.feedGaps
    .filter((g) => g.toMs - g.fromMs > c.feedGapBudgetMs)
    .filter((g) => !c.outages.some(([from, to]) => g.fromMs < to && g.toMs > from))
    .map((g) => `no realtime KR event for ${((g.toMs - g.fromMs) / 1000).toFixed(1)} s from ${new Date(g.fromMs).toISOString()} (budget ${c.feedGapBudgetMs / 1000} s)`);
}

/** The daily report exists on a trading day and agrees with the journal and with KIS's fills. */
function reportMatches(f: DayFacts, _c: DayContext, ymd: string, tradingDay: boolean): string[] {
  const report = readJson<DailyReport>(join(f.varDir, 'data', 'reports', `daily_${ymd}.json`));
  if (!tradingDay) return [];
  if (!report) return ['no daily report'];
  const out: string[] = [];
  const journal = f.probe.orders;
  if (report.orders.total !== journal.length) out.push(`report counts ${report.orders.total} orders, the journal ${journal.length}`);
  const kis = kisOrdersOfDay(f.sim, ymd);
  const filledAtKis = kis.filter((k) => k.filledQty > 0).length;
  if (report.fills !== filledAtKis && report.fills !== journal.filter((o) => o.filledQty > 0).length) {
    out.push(`report counts ${report.fills} fills, KIS filled ${filledAtKis} orders`);
  }
  // Flat at the end of a day that started flat: realised P&L = sells − buys − fees at KIS.
  if (report.openPositions.length === 0 && !report.trades.some((t) => t.open) && f.probe.positions.every((p) => p.qty === 0)) {
    const expected = kis.reduce((s, k) => s + (k.root.side === 'sell' ? k.filledAmount : -k.filledAmount) - estimateKrFees(k.root.side, k.filledAmount), 0);
    if (Math.abs(report.realizedPnlKrw - expected) >= 1) out.push(`report realised ${report.realizedPnlKrw} KRW, KIS's fills say ${expected.toFixed(2)}`);
  }
  return out;
}

/** A tripped kill switch must be explained by kisd's own loss today (the report's total P&L). */
function killSwitchOwn(f: DayFacts, c: DayContext, ymd: string): string[] {
  const ks = readJson<{ tripped: boolean; ymd: string; reason: string }>(join(f.varDir, 'state', 'kill-switch.json'));
  if (!ks?.tripped || ks.ymd !== ymd) return [];
  const report = readJson<DailyReport>(join(f.varDir, 'data', 'reports', `daily_${ymd}.json`));
  const limit = c.plan.dailyLossLimitKrw;
  if (report && report.totalPnlKrw > -limit) return [`kill switch tripped (${ks.reason}) but kisd's own P&L today is ${report.totalPnlKrw} KRW (limit −${limit})`];
  return [];
}

/**
 * A gross-exposure refusal must be about kisd's own book: the exposure it cites cannot exceed what kisd could
 * hold today (positions carried from earlier days at today's price, every buy it placed today at its price)
 * plus the refused order (at most max_order_value_krw). Runs before positionsEqual moves ownNet to tonight.
 */
function exposureOwn(f: DayFacts, c: DayContext): string[] {
  if (f.probe.grossRefusalsKrw.length === 0) return [];
  const carried = Object.entries(c.ownNet).reduce((s, [sym, q]) => s + Math.max(0, q) * (f.sim.market.krQuote(sym, f.probe.nowMs)?.price ?? 0), 0);
  const boughtToday = f.probe.orders.filter((o) => o.side === 'buy').reduce((s, o) => s + o.qty * (o.price ?? o.avgFillPrice ?? 0), 0);
  const bound = (carried + boughtToday) * 1.05 + c.plan.maxOrderValueKrw;
  return f.probe.grossRefusalsKrw.filter((g) => g > bound).map((g) => `an order was refused over a gross exposure of ${g} KRW, more than kisd's own book could reach (${Math.round(bound)} KRW): the operator's shares were counted`);
}

/**
 * kisd never sells what it did not buy: the operator's shares are all still at KIS, and kisd's own net per
 * symbol (its fills since Monday, folded in by positionsEqual, which runs before this) never goes short.
 */
function operatorSharesUntouched(f: DayFacts, c: DayContext): string[] {
  const ledger = f.sim.exchange.ledger(ACCOUNT_NO);
  const out: string[] = [];
  for (const [s, qty] of Object.entries(c.plan.operatorHoldings)) {
    const atKis = ledger?.holding('KR', s)?.qty ?? 0;
    if (atKis < qty) out.push(`${s}: KIS holds ${atKis}, less than the operator's ${qty} shares: kisd sold the operator's shares`);
  }
  for (const [s, net] of Object.entries(c.ownNet)) {
    if (net < 0) out.push(`${s}: kisd sold ${-net} more than it bought since Monday (shares that were not its own)`);
  }
  return out;
}
