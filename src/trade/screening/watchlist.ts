// Today's valid selection batches → the dual market feed's KR watchlist, within the socket's registration
// budget: each code costs one registration per TR (tick + book = 2), plus any extra (execution notices).
import { readValidBatches, type BatchFile } from '../../store/batch-files.js';

export interface WatchlistBudget {
  /** Registrations one socket allows. Default 40 (fact sheet §6: 41, one kept spare). */
  maxSubscriptions?: number;
  /** TRs subscribed per code. Default 2 (H0STCNT0 + H0STASP0). */
  trsPerCode?: number;
  /** Registrations taken by other things (e.g. 1 for H0STCNI0 notices). Default 0. */
  extraRegistrations?: number;
}

/** How many codes fit: floor((maxSubscriptions − extra) / trsPerCode). */
export function krWatchlistCapacity(b: WatchlistBudget = {}): number {
  const max = b.maxSubscriptions ?? 40;
  const per = Math.max(1, b.trsPerCode ?? 2);
  return Math.max(0, Math.floor((max - (b.extraRegistrations ?? 0)) / per));
}

/** Codes in batch order (batches are written best score first), de-duplicated, cut to the budget. */
export function krWatchlistFromBatches(batches: readonly BatchFile[], budget: WatchlistBudget = {}): string[] {
  const cap = krWatchlistCapacity(budget);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const b of [...batches].sort((x, y) => x.batch_id - y.batch_id)) {
    for (const s of b.symbols) {
      if (out.length >= cap) return out;
      if (seen.has(s)) continue;
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

/** Reads today's valid batch files and returns the watchlist (empty when selection has not run). */
export async function todayKrWatchlist(dataDir: string, todayYmd: string, budget: WatchlistBudget = {}): Promise<string[]> {
  return krWatchlistFromBatches(await readValidBatches(dataDir, todayYmd), budget);
}
