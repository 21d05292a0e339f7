// Applies domestic execution notices (H0STCNI0/9, fact sheet §5.1) to the journal, idempotently: a fill
// notice (CNTG_YN 2) advances its leg once per distinct notice; acks settle cancels (RCTF_CLS 2),
// revisions (RCTF_CLS 1), IOC remainders (ACPT_YN 3) and refusals (RFUS_YN 1) — a refused cancel/revision
// only clears the pending request. A notice for an order number
// the journal does not know yet — KIS may notify before the order's HTTP reply arrives — waits in a bounded
// buffer until the number is attached; if the process dies first, reconciliation covers it.
import type { Logger } from 'pino';
import type { KrExecutionNotice } from '../../kis/ws/events.js';
import { normalizeOrderNo } from './ids.js';
import type { OrderJournal } from './journal.js';
import { settleLegClosed, settleRevision } from './settle.js';

export interface NoticeHandlerStats {
  applied: number;
  buffered: number;
  /** Buffered notices dropped because the buffer was full. */
  dropped: number;
  /** Notices for order numbers of other programs (HTS, MTS), discarded from the buffer eventually. */
  ignored: number;
  /** Fill notices identical to one already applied (same order, time, quantity, price): counted once. */
  repeated: number;
}

/** Bound on the occurrence map (a day of fills is far fewer); trimming the oldest can only under-count. */
const MAX_OCCURRENCE_KEYS = 100_000;

export class NoticeHandler {
  private readonly pending = new Map<string, KrExecutionNotice[]>();
  private pendingCount = 0;
  private readonly counters: NoticeHandlerStats = { applied: 0, buffered: 0, dropped: 0, ignored: 0, repeated: 0 };
  /** Fill notices seen per (order, content) in this process: the occurrence number of the dedup key. */
  private readonly occurrences = new Map<string, number>();

  constructor(
    private readonly journal: OrderJournal,
    private readonly log: Logger,
    private readonly maxBuffered = 2_000,
    /** Told of a repeated fill notice, so daily executions can confirm soon whether it was a second real fill. */
    private readonly onRepeat: (kisOrderNo: string) => void = () => undefined,
  ) {}

  stats(): NoticeHandlerStats {
    return { ...this.counters, buffered: this.pendingCount };
  }

  handle(n: KrExecutionNotice): void {
    if (n.kind !== 'kr-notice') return;
    // Revise/cancel acks are keyed by the original order number (OODER_NO), everything else by ODER_NO.
    const correcting = !n.isFill && (n.correctionCode === '1' || n.correctionCode === '2') && n.originalOrderNo.trim() !== '';
    const key = normalizeOrderNo(correcting ? n.originalOrderNo : n.orderNo);
    if (!this.journal.leg(key)) {
      this.buffer(key, n);
      return;
    }
    this.apply(n, key);
  }

  /** Applies notices that arrived before order number kisOrderNo was known. */
  flush(kisOrderNo: string): void {
    const key = normalizeOrderNo(kisOrderNo);
    const list = this.pending.get(key);
    if (!list) return;
    this.pending.delete(key);
    this.pendingCount -= list.length;
    for (const n of list) this.apply(n, key);
  }

  /** Order numbers (normalised) and codes of notices waiting for their order number to be attached. */
  bufferedOrders(): Array<{ orderNo: string; code: string }> {
    const out: Array<{ orderNo: string; code: string }> = [];
    for (const [orderNo, list] of this.pending) for (const code of new Set(list.map((n) => n.code))) out.push({ orderNo, code });
    return out;
  }

  private buffer(key: string, n: KrExecutionNotice): void {
    if (this.pendingCount >= this.maxBuffered) {
      // Drop the oldest order number's notices: after this long they are most likely another program's.
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) {
        const dropped = this.pending.get(oldest)?.length ?? 0;
        this.pending.delete(oldest);
        this.pendingCount -= dropped;
        this.counters.dropped += dropped;
      }
    }
    const list = this.pending.get(key) ?? [];
    list.push(n);
    this.pending.set(key, list);
    this.pendingCount++;
  }

  private apply(n: KrExecutionNotice, legNo: string): void {
    const leg = this.journal.leg(legNo);
    if (!leg) return;
    const id = leg.clientOrderId;
    this.counters.applied++;
    if (n.isFill) {
      if (!(n.qty > 0) || !(n.price > 0)) {
        this.log.warn({ kisOrderNo: legNo, qty: n.qty, price: n.price }, 'fill notice without quantity/price ignored');
        return;
      }
      const { key, repeat } = this.fillKey(legNo, n);
      if (repeat) {
        this.counters.repeated++;
        this.log.info({ kisOrderNo: legNo, qty: n.qty, price: n.price, time: n.time }, 'fill notice identical to one already counted: not counted again; daily executions will tell');
        this.onRepeat(legNo);
        return;
      }
      this.journal.applyProgress(legNo, { notice: { key, qty: n.qty, price: n.price, atMs: n.receivedAtMs } }, 'notice');
      return;
    }
    if (n.rejected && (n.correctionCode === '1' || n.correctionCode === '2')) {
      // KIS refused the cancel/revision: the order is still live as it was. Only the pending request ends.
      const action = n.correctionCode === '2' ? 'cancel' : 'revise';
      const row = this.journal.row(id);
      if (!row) return;
      this.log.warn({ clientOrderId: id, kisOrderNo: legNo, action }, `${action} refused by KIS (execution notice)`);
      this.journal.patch(id, {
        ...(row.pendingAction === action ? { pendingAction: null, pendingJson: null, pendingSentAtMs: null } : {}),
        lastError: `${action} refused by the exchange (execution notice RFUS_YN 1)`,
      });
      return;
    }
    if (n.correctionCode === '2' || n.acceptCode === '3') {
      settleLegClosed(this.journal, id, legNo, n.acceptCode === '3' ? 'IOC/FOK remainder cancelled by the exchange' : 'cancelled');
      return;
    }
    if (n.correctionCode === '1') {
      const price = n.orderPrice > 0 ? n.orderPrice : n.price;
      const qty = n.orderQty > 0 ? n.orderQty : n.qty;
      if (Number.isFinite(qty) && qty > 0) settleRevision(this.journal, id, legNo, { kisOrderNo: n.orderNo, kisOrgNo: n.branchNo, qty, price: Number.isFinite(price) ? price : null });
      return;
    }
    const row = this.journal.row(id);
    if (!row) return;
    if (n.rejected) {
      if (row.filledQty === 0 && row.state !== 'rejected') this.journal.patch(id, { state: 'rejected', lastError: 'refused by the exchange (execution notice RFUS_YN 1)' });
      return;
    }
    if (row.state === 'sent' || row.state === 'unknown') this.journal.patch(id, { state: 'acknowledged' });
  }

  /**
   * The dedup key of a fill notice. H0STCNI0 carries no execution number, so a notice delivered twice (a
   * re-push after a reconnect, a second session) and two real fills of the same size and price in the same
   * second look identical. Counting both would over-count — a position kisd does not hold, a sell KIS
   * refuses, a wrong P&L — while counting one under-counts only until daily executions (the other lower
   * bound of the same cumulative quantity) add the second: so identical content is counted once, and the
   * caller is told (repeat) so a reconciliation runs soon. The key keeps its `#1` suffix so keys persisted
   * by earlier versions still match; the seen keys persist, so a restart does not count a notice again.
   */
  private fillKey(legNo: string, n: KrExecutionNotice): { key: string; repeat: boolean } {
    const base = `${n.time}|${n.qty}|${n.price}|${normalizeOrderNo(n.orderNo)}`;
    const mapKey = `${legNo}|${base}`;
    const seen = this.occurrences.get(mapKey) ?? 0;
    this.occurrences.delete(mapKey); // re-insert: the map stays in least-recently-seen order for trimming
    this.occurrences.set(mapKey, seen + 1);
    if (this.occurrences.size > MAX_OCCURRENCE_KEYS) {
      const oldest = this.occurrences.keys().next().value;
      if (oldest !== undefined) this.occurrences.delete(oldest);
    }
    return { key: `${base}#1`, repeat: seen > 0 };
  }
}
