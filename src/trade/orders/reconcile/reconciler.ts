// Reconciliation (start-up and scheduled): today's daily executions (inquire-daily-ccld) and the balance
// (inquire-balance) from KIS against the order journal and the position ledger, resolved in KIS's favour —
// missed fills added, unknown orders matched to their KIS order number or closed as never received after a
// grace period, cancels/revisions settled, positions overwritten — each difference logged and alerted.
// Domestic (KR) only: the REST layer has no overseas executions/balance call yet (US unknowns are alerted).
import { errorMessage } from '../../../core/errors.js';
import { kstAt, kstYmd } from '../../../core/kst.js';
import type { Execution } from '../../../kis/rest/index.js';
import { normalizeOrderNo } from '../ids.js';
import { settleLegClosed, settleRevision } from '../settle.js';
import type { JournalOrder, ReconcileDifference, ReconcileReport } from '../types.js';
import { executionTimeMs, matchesIntent, sameSymbol } from './match.js';
import type { ReconcileDeps } from './deps.js';
import { checkPositions } from './positions-check.js';

const OPEN: JournalOrder['state'][] = ['sent', 'unknown', 'acknowledged', 'partially_filled'];
const DAY_MS = 86_400_000;

/** What one pass works with: KIS's rows for the window, indexed, and what the pass has found so far. */
interface Pass {
  d: ReconcileDeps;
  startedAtMs: number;
  fromMs: number;
  rows: Execution[];
  byNo: Map<string, Execution>;
  /** Corrections (cancels, revisions) by the order number they correct. */
  corrections: Map<string, Execution[]>;
  /** KIS order numbers matched to a journal leg in this pass. */
  claimed: Set<string>;
  differences: ReconcileDifference[];
  unresolved: string[];
  settled: number;
  addedFillQty: number;
}

export async function reconcileOnce(d: ReconcileDeps, signal?: AbortSignal): Promise<ReconcileReport> {
  const startedAtMs = d.clock.nowMs();
  const open = d.journal.inStates(OPEN);
  const dayStart = kstAt(startedAtMs, 0);
  const oldestOpen = Math.min(dayStart, ...open.map((o) => o.createdAtMs));
  const fromMs = Math.max(oldestOpen, dayStart - d.options.lookbackDays * DAY_MS);
  const query = { fromYmd: kstYmd(fromMs), toYmd: kstYmd(startedAtMs), order: 'oldest' as const, priority: 'order' as const, signal };
  const p: Pass = { d, startedAtMs, fromMs, rows: [], byNo: new Map(), corrections: new Map(), claimed: new Set(), differences: [], unresolved: [], settled: 0, addedFillQty: 0 };
  try {
    p.rows = (await d.broker.inquireDailyCcld(query)).executions;
  } catch (err) {
    d.log.error({ err: errorMessage(err) }, 'reconciliation: daily executions unavailable');
    return report(p, { error: `daily executions: ${errorMessage(err)}` });
  }
  for (const r of p.rows) {
    p.byNo.set(normalizeOrderNo(r.orderNo), r);
    const orig = normalizeOrderNo(r.originalOrderNo);
    if (orig !== '') p.corrections.set(orig, [...(p.corrections.get(orig) ?? []), r]);
  }
  for (const o of ordersToCheck(p, open)) reconcileOrder(p, o);
  reportForeignOrders(p, open);

  const positions = await checkPositions(d, p.rows, query, signal);
  p.differences.push(...positions.differences);
  const krUnresolved = p.unresolved.filter((id) => d.journal.get(id)?.market === 'KR');
  const positionsOk = !positions.skipped || d.requirePositionCheck === false;
  const passed = positions.error === undefined && positionsOk && krUnresolved.length === 0;
  const result = report(p, { passed, positionsChecked: !positions.skipped, ...(positions.error !== undefined ? { error: positions.error } : {}) });
  d.log[passed && p.differences.length === 0 ? 'info' : 'warn'](
    { passed, settled: p.settled, addedFillQty: p.addedFillQty, differences: p.differences.length, unresolved: p.unresolved.length, positionsSkipped: positions.skipped },
    'reconciliation finished',
  );
  for (const diff of p.differences) d.log.warn({ ...diff }, 'reconciliation difference (resolved in KIS favour)');
  await alertDifferences(d, result);
  return result;
}

function report(p: Pass, extra: Partial<ReconcileReport>): ReconcileReport {
  return {
    passed: false,
    startedAtMs: p.startedAtMs,
    finishedAtMs: p.d.clock.nowMs(),
    settledOrders: p.settled,
    addedFillQty: p.addedFillQty,
    differences: p.differences,
    unresolved: p.unresolved,
    positionsChecked: false,
    ...extra,
  };
}

/** Open orders, plus every order of the window KIS may know (late fills of a cancelled order), oldest send first. */
function ordersToCheck(p: Pass, open: readonly JournalOrder[]): JournalOrder[] {
  const windowOrders = p.d.journal.repo.createdBetween(p.fromMs, p.startedAtMs + 1).map((r) => p.d.journal.get(r.clientOrderId)!);
  const candidates = new Map<string, JournalOrder>();
  for (const o of [...open, ...windowOrders]) if (o.state !== 'new' && o.state !== 'rejected' && o.state !== 'failed') candidates.set(o.clientOrderId, o);
  return [...candidates.values()].sort((a, b) => (a.sentAtMs ?? a.createdAtMs) - (b.sentAtMs ?? b.createdAtMs));
}

/** One journal order against KIS: find its KIS order if it has none yet, sync its legs, clear a stale pending request. */
function reconcileOrder(p: Pass, o0: JournalOrder): void {
  const { d } = p;
  if (d.inFlight.has(o0.clientOrderId)) return;
  const before = d.journal.get(o0.clientOrderId)!;
  if (before.market !== 'KR') {
    if (before.state === 'unknown' || before.state === 'sent') p.unresolved.push(before.clientOrderId);
    return;
  }
  if (d.journal.legsOf(before.clientOrderId).length === 0 && (before.state === 'sent' || before.state === 'unknown')) {
    if (!matchUnacknowledged(p, before)) return;
  }
  syncLegs(p, before);
  clearStalePending(p, before);
  if (d.journal.get(before.clientOrderId)!.state !== before.state) p.settled++;
}

/**
 * When the order's bytes may have left, host wall ms: its recorded attempts, or — none recorded (a row from
 * before attempts were journaled, or a crash mid-wait; orders in flight here are not reconciled) — from the
 * `sent` stamp to the latest instant the REST client could still have sent it (its send deadline, or now).
 */
function sendSpan(d: ReconcileDeps, o: JournalOrder, nowMs: number): { firstMs: number; lastMs: number; recorded: boolean } {
  const attempts = d.journal.attemptsOf(o.clientOrderId, 'order');
  if (attempts.length > 0) return { firstMs: attempts[0]!, lastMs: attempts[attempts.length - 1]!, recorded: true };
  const sentAt = o.sentAtMs ?? o.createdAtMs;
  return { firstMs: sentAt, lastMs: Math.max(sentAt, Math.min(sentAt + d.options.sendDeadlineMs, nowMs)), recorded: false };
}

/**
 * KIS's time stamps (ORD_TMD) that may belong to a send span, as epoch ms of KIS's clock: the span moved by
 * the estimated host-vs-KIS offset, widened by its uncertainty plus clockSkewMs before and matchWindowMs after.
 */
function kisWindow(d: ReconcileDeps, span: { firstMs: number; lastMs: number }): { fromMs: number; toMs: number } {
  const est = d.broker.clockOffset?.();
  const offsetMs = est?.offsetMs ?? 0;
  const marginMs = d.options.clockSkewMs + (est?.uncertaintyMs ?? 0);
  return { fromMs: span.firstMs - offsetMs - marginMs, toMs: span.lastMs - offsetMs + marginMs + d.options.matchWindowMs };
}

/**
 * A sent order without a KIS number: attach the execution row that matches its intent and send span, or close
 * it as never received once the grace period has passed since its last possible send. False when it stays
 * unresolved for now.
 */
function matchUnacknowledged(p: Pass, before: JournalOrder): boolean {
  const { d } = p;
  const now = d.clock.nowMs();
  const span = sendSpan(d, before, now);
  const window = kisWindow(d, span);
  const match = p.rows.find((r) => {
    const no = normalizeOrderNo(r.orderNo);
    if (p.claimed.has(no) || d.journal.leg(no) || normalizeOrderNo(r.originalOrderNo) !== '') return false;
    if (!matchesIntent(r, before)) return false;
    const t = executionTimeMs(r);
    return t !== undefined && t >= window.fromMs && t <= window.toMs;
  });
  if (match) {
    p.claimed.add(normalizeOrderNo(match.orderNo));
    d.journal.attachLeg(before.clientOrderId, { kisOrderNo: match.orderNo, kisOrgNo: match.branchNo, qty: match.orderQty, price: before.price ?? null }, 'acknowledged');
    d.onLegAttached?.(match.orderNo);
    p.differences.push({ kind: 'order', clientOrderId: before.clientOrderId, symbol: before.symbol, market: 'KR', journal: before.state, broker: `order ${match.orderNo} at ${match.orderTime}`, action: 'attached the KIS order number' });
    return true;
  }
  if (now - span.lastMs >= d.options.notFoundGraceMs) {
    const since = span.recorded ? 'its last send' : 'the latest it could have been sent';
    d.journal.patch(before.clientOrderId, { state: 'cancelled', lastError: `never reached KIS: not in daily executions ${now - span.lastMs} ms after ${since}` });
    p.differences.push({ kind: 'order', clientOrderId: before.clientOrderId, symbol: before.symbol, market: 'KR', journal: before.state, broker: 'no such order', action: 'closed as cancelled (never received)' });
    return true;
  }
  p.unresolved.push(before.clientOrderId);
  return false;
}

/** Brings every leg of the order to KIS's executions: fills, cancels, revisions, legs closed at KIS. */
function syncLegs(p: Pass, o: JournalOrder): void {
  const { d } = p;
  // Revisions append legs while we walk: a bounded queue over the order's legs.
  const seen = new Set<string>();
  for (let guard = 0; guard < 50; guard++) {
    const leg = d.journal.legsOf(o.clientOrderId).find((l) => !seen.has(l.kisOrderNo));
    if (!leg) break;
    seen.add(leg.kisOrderNo);
    const row = p.byNo.get(leg.kisOrderNo);
    if (!row) {
      if (o.createdAtMs >= p.fromMs) p.differences.push({ kind: 'order', clientOrderId: o.clientOrderId, symbol: o.symbol, market: o.market, journal: `KIS order ${leg.kisOrderNo} acknowledged`, broker: 'not in daily executions', action: 'none (left as is)' });
      continue;
    }
    p.claimed.add(leg.kisOrderNo);
    const fill = d.journal.applyProgress(leg.kisOrderNo, { executions: { filledQty: row.filledQty, filledAmount: row.filledAmount ?? (row.avgFillPrice ?? 0) * row.filledQty, atMs: d.clock.nowMs() } }, 'reconcile');
    if (fill) {
      p.addedFillQty += fill.qty;
      p.differences.push({ kind: 'fill', clientOrderId: o.clientOrderId, symbol: o.symbol, market: o.market, journal: `${leg.filledQty} filled on ${leg.kisOrderNo}`, broker: `${row.filledQty} filled`, action: `recorded ${fill.qty} @ ${fill.price}` });
    }
    for (const c of p.corrections.get(leg.kisOrderNo) ?? []) {
      p.claimed.add(normalizeOrderNo(c.orderNo));
      if (c.cancelled) settleLegClosed(d.journal, o.clientOrderId, leg.kisOrderNo, 'cancelled');
      else settleRevision(d.journal, o.clientOrderId, leg.kisOrderNo, { kisOrderNo: c.orderNo, kisOrgNo: c.branchNo, qty: c.orderQty, price: c.orderPrice });
    }
    const after = d.journal.leg(leg.kisOrderNo);
    if (after && after.closed === 0 && row.remainingQty === 0 && after.filledQty < after.qty) {
      settleLegClosed(d.journal, o.clientOrderId, leg.kisOrderNo, 'closed at KIS without a full fill (cancelled or expired)');
    }
  }
}

/** A cancel/revise whose reply was lost: cleared once the grace period shows KIS never got it. */
function clearStalePending(p: Pass, before: JournalOrder): void {
  const { d } = p;
  const row = d.journal.row(before.clientOrderId)!;
  if (row.pendingAction === null) return;
  const attempts = row.pendingAction === 'cancel' || row.pendingAction === 'revise' ? d.journal.attemptsOf(before.clientOrderId, row.pendingAction) : [];
  const pendingAt = Math.max(row.pendingSentAtMs ?? row.updatedAtMs, attempts[attempts.length - 1] ?? -Infinity);
  if (d.clock.nowMs() - pendingAt >= d.options.notFoundGraceMs) {
    d.journal.patch(before.clientOrderId, { pendingAction: null, pendingJson: null, pendingSentAtMs: null, lastError: `${row.pendingAction} never reached KIS` });
    p.differences.push({ kind: 'order', clientOrderId: before.clientOrderId, symbol: before.symbol, market: 'KR', journal: `${row.pendingAction} outcome unknown`, broker: 'no such request', action: 'cleared' });
  } else {
    p.unresolved.push(before.clientOrderId);
  }
}

/** KIS rows no journal order claims: placed outside kisd (positions follow the balance), unless a reply is pending. */
function reportForeignOrders(p: Pass, open: readonly JournalOrder[]): void {
  const { d } = p;
  for (const r of p.rows) {
    const no = normalizeOrderNo(r.orderNo);
    if (p.claimed.has(no) || d.journal.leg(no) || normalizeOrderNo(r.originalOrderNo) !== '') continue;
    if (open.some((o) => d.inFlight.has(o.clientOrderId) && o.market === 'KR' && sameSymbol(r.code, o.symbol))) continue; // maybe ours, reply pending
    p.differences.push({ kind: 'order', symbol: r.code, market: 'KR', journal: 'no such order', broker: `order ${r.orderNo} (${r.side} ${r.orderQty}, filled ${r.filledQty})`, action: 'none: placed outside kisd; positions follow the balance' });
  }
}

async function alertDifferences(d: ReconcileDeps, r: ReconcileReport): Promise<void> {
  if (!d.alerts) return;
  const sends = r.differences.map((diff) =>
    d.alerts!.send({
      key: `reconcile:${diff.kind}:${diff.clientOrderId ?? diff.symbol ?? ''}`,
      level: diff.kind === 'position' ? 'ERROR' : 'WARNING',
      title: `Reconciliation: ${diff.kind} ${diff.symbol ?? ''} differed from KIS`.trim(),
      what: `Journal: ${diff.journal}. KIS: ${diff.broker}. Done: ${diff.action}.`,
      details: { kind: diff.kind, ...(diff.clientOrderId ? { clientOrderId: diff.clientOrderId } : {}), ...(diff.symbol ? { symbol: diff.symbol } : {}) },
    }),
  );
  const usStuck = r.unresolved.filter((id) => d.journal.get(id)?.market === 'US');
  if (usStuck.length > 0) {
    sends.push(
      d.alerts.send({
        key: 'reconcile:us-unknown',
        level: 'CRITICAL',
        title: `${usStuck.length} US order(s) with unknown outcome need a manual check`,
        what: 'kisd cannot query US executions yet; check the orders in the KIS app and settle them by hand.',
        details: { orders: usStuck.slice(0, 10).join(',') },
      }),
    );
  }
  for (const s of await Promise.allSettled(sends)) if (s.status === 'rejected') d.log.error({ err: errorMessage(s.reason) }, 'reconciliation alert failed');
}
