// Identifiers on the order path: our client order ids, and KIS order numbers normalised for comparison
// (ODNO is 10-digit zero-padded in replies, but notices and daily executions may differ in padding ❓).
import { randomBytes } from 'node:crypto';
import { kstYmd } from '../../core/kst.js';

/** "<YYYYMMDD>-<16 hex>": sortable by day, unique without coordination (64 random bits). */
export function newClientOrderId(nowMs: number): string {
  return `${kstYmd(nowMs)}-${randomBytes(8).toString('hex')}`;
}

/** "0000117057" → "117057"; "" stays "". */
export function normalizeOrderNo(orderNo: string): string {
  const t = orderNo.trim();
  if (t === '') return '';
  const stripped = t.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}
