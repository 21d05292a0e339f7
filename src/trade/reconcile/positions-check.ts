// Position half of reconciliation: the ledger against inquire-balance holdings (KR), in KIS's favour. The
// check runs only when no fill happened while it looked: daily executions are read again after the balance,
// and if their filled total moved the comparison is skipped (a fill between the two reads would otherwise
// be "corrected" away and then counted again) and the next run repeats it.
import { errorMessage } from '../../core/errors.js';
import type { DailyCcldQuery, Execution } from '../../kis/rest/index.js';
import type { ReconcileDifference } from '../orders/types.js';
import type { ReconcileDeps } from './reconciler.js';
import { sameSymbol } from './match.js';

const filledTotal = (rows: readonly Execution[]): number => rows.reduce((s, r) => s + r.filledQty, 0);

export async function checkPositions(
  d: ReconcileDeps,
  rows: readonly Execution[],
  query: DailyCcldQuery,
  signal: AbortSignal | undefined,
): Promise<{ differences: ReconcileDifference[]; skipped: boolean; error?: string }> {
  const differences: ReconcileDifference[] = [];
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
  const now = d.clock.nowMs();
  const ledger = d.journal.positionsRepo.all().filter((p) => p.market === 'KR');
  const symbols = new Set([...ledger.map((p) => p.symbol), ...holdings.map((h) => h.code)]);
  for (const symbol of symbols) {
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
  return { differences, skipped: false };
}
