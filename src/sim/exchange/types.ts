// Data shapes of the simulated exchange: orders, fills and the events a later execution-notice feed consumes.

export type Side = 'buy' | 'sell';
export type Venue = 'KR' | 'US';
export type OrderStatus = 'open' | 'filled' | 'cancelled';

export interface SimOrder {
  /** ODNO: 10-digit zero-padded, increasing across the simulator */
  odno: string;
  /** ORGN_ODNO for revise/cancel orders, '' otherwise */
  orgnOdno: string;
  /** KRX_FWDG_ORD_ORGNO (5-digit branch) */
  branch: string;
  accountNo: string;
  venue: Venue;
  /** KR listing code (6 chars, no Q) or US symbol */
  code: string;
  name: string;
  side: Side;
  /** ORD_DVSN as sent */
  ordDvsn: string;
  /** 'new' order, or the revise/cancel request itself */
  kind: 'new' | 'revise' | 'cancel';
  qty: number;
  /** limit price in KRW or USD; 0 for market */
  price: number;
  filledQty: number;
  /** sum of fill qty × price */
  filledAmount: number;
  /** quantity removed by cancel or moved to a revision */
  cancelledQty: number;
  rejectedQty: number;
  status: OrderStatus;
  orderedAtMs: number;
  /** KST order date YYYYMMDD and time HHMMSS */
  ymd: string;
  tmd: string;
  /** US: OVRS_EXCG_CD as sent (NASD/NYSE/AMEX) */
  exchangeCode?: string;
  /** Trading day (YYYYMMDD in the venue's calendar) the order lives on: a day order expires after it. */
  sessionYmd?: number;
  /** Fills so far (the next fill's seq is fillCount + 1). */
  fillCount?: number;
}

export interface SimFill {
  odno: string;
  /** 1, 2, … per order: a fill's identity together with odno. */
  seq: number;
  qty: number;
  price: number;
  atMs: number;
}

/** Why quantity left an order: cancel request, moved to a revision, IOC/FOK remainder, day order expiry. */
export type CancelReason = 'cancel' | 'revise' | 'ioc' | 'expired';

export type ExchangeEvent =
  | { type: 'accepted'; order: SimOrder }
  | { type: 'filled'; order: SimOrder; fill: SimFill }
  | { type: 'cancelled'; order: SimOrder; qty: number; reason: CancelReason };

export function remainingQty(o: SimOrder): number {
  return o.qty - o.filledQty - o.cancelledQty - o.rejectedQty;
}
