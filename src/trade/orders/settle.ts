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
 * the order's quantity becomes what the old legs filled plus the new leg's quantity. Idempotent.
 */
export function settleRevision(journal: OrderJournal, id: string, origNo: string, newLeg: { kisOrderNo: string; kisOrgNo: string; qty: number; price: number | null }): JournalOrder | undefined {
  if (journal.leg(newLeg.kisOrderNo)) return journal.get(id);
  journal.closeLeg(origNo);
  journal.attachLeg(id, newLeg);
  const legs = journal.legsOf(id);
  const newNo = normalizeOrderNo(newLeg.kisOrderNo);
  const filledElsewhere = legs.filter((l) => l.kisOrderNo !== newNo).reduce((s, l) => s + l.filledQty, 0);
  return journal.patch(id, {
    qty: filledElsewhere + newLeg.qty,
    ...(newLeg.price !== null && newLeg.price > 0 ? { price: newLeg.price } : {}),
    pendingAction: null,
    pendingJson: null,
    pendingSentAtMs: null,
  });
}
