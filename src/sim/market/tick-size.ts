// KRX price grid: tick sizes (호가가격단위, 2023 reform: one table for KOSPI and KOSDAQ) and the ±30% daily
// price limits (상한가/하한가), which are truncated onto the tick grid of the limit price itself.

export type KrSymbolKind = 'stock' | 'preferred' | 'spac' | 'etf' | 'etn';

/** Tick size in KRW for a price. ETFs and ETNs trade on a flat 5-won grid. */
export function krTickSize(price: number, kind: KrSymbolKind = 'stock'): number {
  if (kind === 'etf' || kind === 'etn') return 5;
  if (price < 2_000) return 1;
  if (price < 5_000) return 5;
  if (price < 20_000) return 10;
  if (price < 50_000) return 50;
  if (price < 200_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}

/** Rounds a raw price to the nearest valid tick (at least one tick). */
export function roundToTick(raw: number, kind: KrSymbolKind = 'stock'): number {
  const tick = krTickSize(raw, kind);
  const p = Math.max(tick, Math.round(raw / tick) * tick);
  // Rounding can cross a band edge (e.g. 19,996 → 20,000 on the 10-won grid); 20,000 is valid on both grids.
  return p;
}

/** True when price is a positive multiple of the tick size valid at that price. */
export function isOnTick(price: number, kind: KrSymbolKind = 'stock'): boolean {
  if (!Number.isInteger(price) || price <= 0) return false;
  return price % krTickSize(price, kind) === 0;
}

/** Upper and lower daily limits from the base price (the previous close): ±30%, truncated toward the base. */
export function krPriceLimits(basePrice: number, kind: KrSymbolKind = 'stock'): { upper: number; lower: number } {
  const upRaw = basePrice * 1.3;
  const downRaw = basePrice * 0.7;
  const upTick = krTickSize(upRaw, kind);
  const downTick = krTickSize(downRaw, kind);
  const upper = Math.floor(upRaw / upTick + 1e-9) * upTick;
  const lower = Math.max(1, Math.ceil(downRaw / downTick - 1e-9) * downTick);
  return { upper, lower };
}
