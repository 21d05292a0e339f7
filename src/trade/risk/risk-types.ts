// What the risk gate is asked and what it answers: typed rejections with a reason a person understands.

/** A proposed order, as the risk gate sees it (domestic cash equities, KRW). */
export interface RiskRequest {
  strategy: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  /** Limit price, or for market orders the price the value is judged at (ask for buys, bid for sells), KRW. */
  priceKrw: number;
  /**
   * For a strategy's sell: what that strategy itself may still sell (its own net quantity bought today minus
   * its own open sells). A sell above it is an oversell even when the account holds more (an operator's
   * long-term shares are never a strategy's to sell). Omitted: only the account-wide bound applies.
   */
  strategySellableQty?: number;
}

/** kisd's own book at the instant of the check (never the operator's holdings). Quantities are shares, values KRW. */
export interface RiskView {
  /** kisd's held quantity per symbol (long only: a cash account cannot short). */
  heldQty(symbol: string): number;
  /** Every symbol with a held quantity or an open order. */
  symbols(): readonly string[];
  /** Mark price for exposure and unrealized P&L (latest trade), undefined when unknown. */
  markPrice(symbol: string): number | undefined;
  /** Today's cost basis of the held quantity: yesterday's close for shares held overnight, the fill price for today's buys, KRW. */
  avgPrice(symbol: string): number;
  /** Value of open (unfilled) buy orders in the symbol, KRW. */
  openBuyValueKrw(symbol: string): number;
  /** Quantity of open (unfilled) sell orders in the symbol. */
  openSellQty(symbol: string): number;
  /** Realized P&L today net of fees, KRW. */
  realizedTodayKrw(): number;
}

export type RiskRejectCode =
  | 'invalid-order'
  | 'kill-switch'
  | 'oversell'
  | 'max-order-value'
  | 'max-position'
  | 'gross-exposure'
  | 'order-rate'
  | 'trading-halted';

export interface RiskRejection {
  ok: false;
  code: RiskRejectCode;
  /** One sentence for logs, alerts and the operator: what limit, what value. */
  reason: string;
  details: Readonly<Record<string, string | number | boolean>>;
}

export interface RiskApproval {
  ok: true;
  /** An exit only reduces an existing position: allowed while the kill switch is tripped. */
  kind: 'entry' | 'exit';
  /** Value of the order at the judged price, KRW. */
  valueKrw: number;
}

export type RiskDecision = RiskApproval | RiskRejection;

/** Formats KRW for human reasons: 12345678 → "12,345,678 KRW". */
export function formatKrw(v: number): string {
  return `${Math.round(v).toLocaleString('en-US')} KRW`;
}
