// Matching a daily-executions row (inquire-daily-ccld output1) to a journaled intent whose reply was lost:
// same code, side, quantity, order type and limit price; the time window is checked by the caller. Pure.
import { kstInstant } from '../../../core/kst.js';
import type { Execution } from '../../../kis/rest/index.js';
import type { JournalOrder } from '../types.js';

/** KIS writes ETNs with their Q prefix in requests; rows may carry either form ❓. */
export function sameSymbol(a: string, b: string): boolean {
  const n = (s: string): string => {
    const t = s.trim().toUpperCase();
    return t.length === 7 && t.startsWith('Q') ? t.slice(1) : t;
  };
  return n(a) === n(b);
}

export function matchesIntent(r: Execution, o: JournalOrder): boolean {
  if (!sameSymbol(r.code, o.symbol) || r.side !== o.side || r.orderQty !== o.qty) return false;
  if (o.type === 'market') return r.ordDvsn === '01';
  return r.ordDvsn === '00' && r.orderPrice === o.price;
}

/** ord_dt + ord_tmd (KST) as epoch ms, or undefined when malformed. */
export function executionTimeMs(r: Execution): number | undefined {
  const d = r.orderDate;
  const t = r.orderTime.padStart(6, '0');
  if (!/^\d{8}$/.test(d) || !/^\d{6}$/.test(t)) return undefined;
  try {
    return kstInstant(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)} ${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`);
  } catch {
    return undefined;
  }
}
