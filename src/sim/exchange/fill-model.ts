// How much of a marketable order the simulated exchange fills per match, and whether it enforces session
// hours and day-order expiry. Defaults: whole fills; KRX hours enforced (orders outside the session are
// refused with APBK0919), US hours not (KIS takes them as reservation orders).

export interface FillModel {
  /** Largest quantity filled by one match (one sweep/tick); Infinity = the whole remainder. Default Infinity. */
  maxQtyPerMatch: number;
  /** Also cap a match by the best opposite quote size (askQty1 for buys, bidQty1 for sells). Default false. */
  useBookDepth: boolean;
  /**
   * KR: refuse orders and revisions outside the KRX regular session (09:00–15:30 KST, trading days) with
   * APBK0919 and expire day orders at its end. Default true.
   */
  enforceKrMarketHours: boolean;
  /**
   * US: the same for the US regular session (09:30–16:00 New York). Default false: KIS takes US orders
   * outside the session as reservation orders (fact sheet §7), which the simulator simplifies to filling
   * at the last price.
   */
  enforceUsMarketHours: boolean;
}

export const DEFAULT_FILL_MODEL: Readonly<FillModel> = Object.freeze({ maxQtyPerMatch: Infinity, useBookDepth: false, enforceKrMarketHours: true, enforceUsMarketHours: false });

/** Validates a partial update; throws RangeError naming the field. */
export function mergeFillModel(base: FillModel, change: Partial<FillModel>): FillModel {
  const next = { ...base, ...change };
  if (!(next.maxQtyPerMatch === Infinity || (Number.isInteger(next.maxQtyPerMatch) && next.maxQtyPerMatch >= 1))) {
    throw new RangeError('maxQtyPerMatch must be an integer >= 1 or Infinity');
  }
  if (typeof next.useBookDepth !== 'boolean') throw new RangeError('useBookDepth must be a boolean');
  if (typeof next.enforceKrMarketHours !== 'boolean') throw new RangeError('enforceKrMarketHours must be a boolean');
  if (typeof next.enforceUsMarketHours !== 'boolean') throw new RangeError('enforceUsMarketHours must be a boolean');
  return next;
}

/** The quantity one match may fill: min(remaining, model cap, book depth when enabled), at least 1. */
export function matchQty(model: FillModel, remaining: number, bookQty: number | undefined): number {
  let q = Math.min(remaining, model.maxQtyPerMatch);
  if (model.useBookDepth && bookQty !== undefined && bookQty > 0) q = Math.min(q, bookQty);
  return Math.max(1, Math.floor(q));
}
