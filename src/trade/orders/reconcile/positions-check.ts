// Position half of reconciliation: the ledger against inquire-balance holdings (KR), in KIS's favour. The
// check runs only when no fill happened while it looked: daily executions are read again after the balance,
// and if their filled total moved the comparison is skipped (a fill between the two reads would otherwise
// be "corrected" away and then counted again) and the next run repeats it. Symbols with fills still on their
// way to the ledger — an order in flight, a KR order sent/unknown without its KIS number, notices buffered
// for an unattached number, or a fill recorded while the check looked — are deferred to a later pass: the
// balance already holds those fills, and the ledger will get them when the leg attaches (a double count if
// the ledger had been set to the balance).
import { errorMessage } from '../../../core/errors.js';
import type { DailyCcldQuery, Execution } from '../../../kis/rest/index.js';
import { normalizeOrderNo } from '../ids.js';
import type { ReconcileDifference } from '../types.js';
import type { ReconcileDeps } from './deps.js';
import { sameSymbol } from './match.js';

const filledTotal = (rows: readonly Execution[]): number => rows.reduce((s, r) => s + r.filledQty, 0);

export async function checkPositions(
  d: ReconcileDeps,
  rows: readonly Execution[],
  query: DailyCcldQuery,
  signal: AbortSignal | undefined,
): Promise<{ differences: ReconcileDifference[]; skipped: boolean; error?: string }> {
  const differences: ReconcileDifference[] = [];
  const deferred = new Set<string>(pendingSymbols(d, rows));
  const stopListening = d.journal.onFill((f) => {
    if (f.market === 'KR') deferred.add(f.symbol);
  });
  try {
    return await compare(d, rows, query, signal, differences, deferred);
  } finally {
    stopListening();
  }
}

/** Codes whose fills may be in the balance but not yet in the ledger (see the file comment). */
function pendingSymbols(d: ReconcileDeps, rows: readonly Execution[]): string[] {
  const out: string[] = [];
  for (const id of d.inFlight) {
    const o = d.journal.get(id);
    if (o?.market === 'KR') out.push(o.symbol);
  }
  for (const o of d.journal.inStates(['sent', 'unknown'])) {
    if (o.market === 'KR' && d.journal.legsOf(o.clientOrderId).length === 0) out.push(o.symbol);
  }
  // A buffered notice whose order is in daily executions but not ours was placed outside kisd (HTS): the
  // balance covers it and no leg will ever attach, so it must not block the symbol forever.
  const known = new Set(rows.map((r) => normalizeOrderNo(r.orderNo)));
  for (const b of d.bufferedNotices?.() ?? []) if (!known.has(normalizeOrderNo(b.orderNo))) out.push(b.code);
  return out;
}

async function compare(
  d: ReconcileDeps,
  rows: readonly Execution[],
  query: DailyCcldQuery,
  signal: AbortSignal | undefined,
  differences: ReconcileDifference[],
  deferred: Set<string>,
): Promise<{ differences: ReconcileDifference[]; skipped: boolean; error?: string }> {
  let holdings;
  try {
    holdings = (await d.broker.inquireBalance({ signal, priority: 'order' })).holdings;
    const again = (await d.broker.inquireDailyCcld({ ...query, signal })).executions;
    if (filledTotal(again) !== filledTotal(rows)) {
      d.log.info({ before: filledTotal(rows), after: filledTotal(again) }, 'reconciliation: fills arrived during the position check; skipped this round');
      return { differences, skipped: true };
    }
  } catch (err) {
    d.log.error({ err: errorMessage(err) }, 'reconciliation: balance unavailable');
    return { differences, skipped: true, error: `balance: ${errorMessage(err)}` };
  }
  for (const code of pendingSymbols(d, rows)) deferred.add(code);
  const now = d.clock.nowMs();
  const ledger = d.journal.positionsRepo.all().filter((p) => p.market === 'KR');
  const symbols = new Set([...ledger.map((p) => p.symbol), ...holdings.map((h) => h.code)]);
  const postponed: string[] = [];
  for (const symbol of symbols) {
    if ([...deferred].some((x) => sameSymbol(x, symbol))) {
      postponed.push(symbol);
      continue;
    }
    const h = holdings.find((x) => sameSymbol(x.code, symbol));
    const p = ledger.find((x) => sameSymbol(x.symbol, symbol));
    const kisQty = h?.qty ?? 0;
    const kisAvg = kisQty > 0 ? (h?.avgPrice ?? 0) : 0;
    const ourQty = p?.qty ?? 0;
    const ourAvg = p?.avgPrice ?? 0;
    const key = p?.symbol ?? symbol;
    if (kisQty !== ourQty) {
      d.journal.positionsRepo.upsert({ market: 'KR', symbol: key, qty: kisQty, avgPrice: kisAvg, realizedPnl: p?.realizedPnl ?? 0, updatedAtMs: now });
      differences.push({ kind: 'position', market: 'KR', symbol: key, journal: `${ourQty} @ ${ourAvg}`, broker: `${kisQty} @ ${kisAvg}`, action: 'ledger set to the KIS holding' });
    } else if (kisQty > 0 && Math.abs(kisAvg - ourAvg) > Math.max(0.01, ourAvg * 1e-6)) {
      // Same quantity, different cost (fees or rounding in KIS's pchs_avg_pric): adopt KIS's figure quietly.
      d.journal.positionsRepo.upsert({ market: 'KR', symbol: key, qty: kisQty, avgPrice: kisAvg, realizedPnl: p?.realizedPnl ?? 0, updatedAtMs: now });
      d.log.info({ symbol: key, ourAvg, kisAvg }, 'reconciliation: average price taken from KIS');
    }
  }
  if (postponed.length > 0) d.log.info({ symbols: postponed }, 'reconciliation: fills still on their way for these symbols; their position check waits for a later pass');
  return { differences, skipped: false };
}
