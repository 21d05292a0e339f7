// Outcome helpers shared by the order manager (HTTP replies), the notice handler and reconciliation, so a
// cancel or revision is settled the same way whichever source reports it first — and only once.
import type { OrderJournal } from './journal.js';
import { normalizeOrderNo } from './ids.js';
import type { JournalOrder } from './types.js';

/** The remainder of leg legNo was cancelled (cancel ack, IOC remainder, expiry): close it; end the order if no leg is open. */
export function settleLegClosed(journal: OrderJournal, id: string, legNo: string, why: string): JournalOrder | undefined {
  const leg = journal.leg(legNo);
  if (!leg || leg.clientOrderId !== id) return journal.get(id);
  journal.closeLeg(legNo);
  const open = journal.legsOf(id).some((l) => l.closed === 0 && l.filledQty < l.qty);
  const row = journal.row(id);
  if (!row) return undefined;
  const patch: Parameters<OrderJournal['patch']>[1] = {};
  if (row.pendingAction === 'cancel') Object.assign(patch, { pendingAction: null, pendingJson: null, pendingSentAtMs: null });
  if (!open && row.state !== 'filled' && row.state !== 'rejected') {
    patch.state = row.filledQty >= row.qty ? 'filled' : 'cancelled';
    if (patch.state === 'cancelled') patch.lastError = why;
  }
  return Object.keys(patch).length > 0 ? journal.patch(id, patch) : journal.get(id);
}

/**
 * A revision of leg origNo became leg newLeg at newPrice: the old leg closes, the new one is attached, and
 * the order's quantity becomes what the other legs filled plus the new leg's quantity. Idempotent.
 * qtyIsFinal: newLeg.qty is KIS's own figure (the revision's notice ODER_QTY or its daily-executions row);
 * false for the HTTP reply, whose quantity is our estimate (the old leg's remainder when the reply came) —
 * a final figure arriving later replaces an estimate, never the other way round.
 */
export function settleRevision(
  journal: OrderJournal,
  id: string,
  origNo: string,
  newLeg: { kisOrderNo: string; kisOrgNo: string; qty: number; price: number | null },
  opts: { qtyIsFinal?: boolean } = {},
): JournalOrder | undefined {
  const newNo = normalizeOrderNo(newLeg.kisOrderNo);
  const existing = journal.leg(newNo);
  if (existing) {
    if (existing.clientOrderId !== id) return journal.get(id);
    if ((opts.qtyIsFinal ?? true) && existing.qty !== newLeg.qty && newLeg.qty >= existing.filledQty) journal.setLegQty(newNo, newLeg.qty);
    // Late fills of older legs or a corrected leg quantity: recompute while this leg is the live one.
    if (existing.closed !== 0) return journal.get(id);
    return patchRevisedQty(journal, id, newNo, {});
  }
  journal.closeLeg(origNo);
  journal.attachLeg(id, newLeg);
  return patchRevisedQty(journal, id, newNo, {
    ...(newLeg.price !== null && newLeg.price > 0 ? { price: newLeg.price } : {}),
    pendingAction: null,
    pendingJson: null,
    pendingSentAtMs: null,
  });
}

/** order qty = fills of the other legs + the live leg's quantity; an order that already has that many filled is filled. */
function patchRevisedQty(journal: OrderJournal, id: string, liveNo: string, extra: Parameters<OrderJournal['patch']>[1]): JournalOrder | undefined {
  const legs = journal.legsOf(id);
  const live = legs.find((l) => l.kisOrderNo === liveNo);
  const row = journal.row(id);
  if (!live || !row) return journal.get(id);
  const qty = legs.filter((l) => l.kisOrderNo !== liveNo).reduce((s, l) => s + l.filledQty, 0) + live.qty;
  const patch: Parameters<OrderJournal['patch']>[1] = { ...extra };
  if (qty !== row.qty) patch.qty = qty;
  if (row.filledQty >= qty && row.state !== 'filled' && row.state !== 'rejected') patch.state = 'filled';
  return Object.keys(patch).length > 0 ? journal.patch(id, patch) : journal.get(id);
}
