// What the week replay reads from the live daemon after a day (plain data).
import type { JournalOrder } from '../../../src/trade/orders/types.js';

export interface FeedGap {
  fromMs: number;
  toMs: number;
}

export interface DaemonProbe {
  nowMs: number;
  orders: JournalOrder[];
  openOrders: number;
  positions: { symbol: string; qty: number }[];
  /** In-session gaps between realtime events longer than the tracker's threshold since the last probe. */
  feedGaps: FeedGap[];
  /** Gross exposures (KRW) the risk gate refused an order over, since the last probe. */
  grossRefusalsKrw: number[];
}
