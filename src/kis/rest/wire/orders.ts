// Wire → domain for order replies (order-cash, order-rvsecncl, overseas order): output keys are
// UPPERCASE (fact sheet §4.2). Pure.
import { readObject, RowError, type Parsed, type ParseIssue } from './fields.js';

export interface OrderAck {
  /** KRX_FWDG_ORD_ORGNO: 5-digit branch, needed to revise/cancel. */
  orgNo: string;
  /** ODNO: 10-digit zero-padded order number, kept as a string. */
  orderNo: string;
  /** ORD_TMD HHMMSS (KST). */
  orderTime: string;
  msgCd: string;
  msg1: string;
}

/** value undefined when ODNO is missing: the order was accepted but cannot be identified. */
export function parseOrderAck(body: Record<string, unknown>): Parsed<OrderAck | undefined> {
  const issues: ParseIssue[] = [];
  const r = readObject(body, 'output', issues);
  const msgCd = typeof body['msg_cd'] === 'string' ? body['msg_cd'].trim() : '';
  const msg1 = typeof body['msg1'] === 'string' ? body['msg1'].trim() : '';
  if (!r) return { value: undefined, issues };
  try {
    return {
      value: { orgNo: r.str('KRX_FWDG_ORD_ORGNO').trim(), orderNo: r.req('ODNO', /^\d+$/), orderTime: r.str('ORD_TMD').trim(), msgCd, msg1 },
      issues,
    };
  } catch (err) {
    if (err instanceof RowError) return { value: undefined, issues };
    throw err;
  }
}
