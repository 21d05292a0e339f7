// Shared helpers of the quote routes: KIS success envelopes, input-error replies, and the derived per-symbol
// constants (PER, par value, foreign ownership…) that KIS shows but the price walk does not model.
import { hash32 } from '../market/prng.js';
import type { KrSymbol } from '../market/universe.js';
import type { RestResult } from './types.js';

export const QUOTE_OK = { rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.' } as const;

/** Input-validation reply (rt_cd 2, OPSQ2001, "ERROR : INPUT INVALID_CHECK_<FIELD>", HTTP 200). */
export function invalidInput(field: string): RestResult {
  return { body: { rt_cd: '2', msg_cd: field === 'ACNO' ? 'OPSQ2000' : 'OPSQ2001', msg1: `ERROR : INPUT INVALID_CHECK_${field}` } };
}

export const MARKET_DIV_CODES = new Set(['J', 'NX', 'UN']);

/** Fundamentals derived from the code: stable across seeds and days. */
export function fundamentals(sym: KrSymbol): { per: number; pbr: number; parValue: number; foreignRatio: number } {
  const h = hash32(`fund:${sym.code}`);
  if (sym.kind === 'etf' || sym.kind === 'etn' || sym.kind === 'spac') return { per: 0, pbr: 0, parValue: sym.kind === 'spac' ? 100 : 0, foreignRatio: (h % 500) / 100 };
  return { per: 5 + (h % 3000) / 100, pbr: 0.3 + ((h >>> 12) % 300) / 100, parValue: [100, 200, 500, 1000, 5000][(h >>> 20) % 5] ?? 500, foreignRatio: ((h >>> 8) % 5500) / 100 };
}

export function thousands(n: number): string {
  return Math.trunc(n).toLocaleString('en-US');
}
