// One simulated brokerage account: KRW cash settling T+2 trading days (예수금 dnca / D+1 nxdy / D+2 prvs_rcdl),
// USD cash (settled at once, a simplification), holdings with average cost, and the fills that made them.
import type { ExchangeCalendar } from '../market/exchange-calendar.js';
import type { Side, Venue } from './types.js';

export interface Holding {
  venue: Venue;
  code: string;
  name: string;
  qty: number;
  /** cost basis of qty (pchs_amt), in KRW or USD */
  costBasis: number;
  /** trading-day index on which qty last dropped to zero (sold-out rows stay visible until D+2) */
  zeroDayIndex: number;
}

export interface LedgerFill {
  venue: Venue;
  odno: string;
  code: string;
  side: Side;
  qty: number;
  price: number;
  /** commission + tax charged on this fill */
  fees: number;
  ymd: number;
  atMs: number;
}

export interface KrwCashView {
  /** dnca_tot_amt: cash settled as of today */
  deposit: number;
  /** nxdy_excc_amt: after trades settling by the next trading day */
  nextDay: number;
  /** prvs_rcdl_excc_amt: after every trade settles (D+2) */
  d2: number;
}

export class AccountLedger {
  private readonly krwMoves: { amount: number; settleYmd: number }[] = [];
  usdCash: number;
  readonly holdings = new Map<string, Holding>();
  readonly fills: LedgerFill[] = [];

  constructor(
    readonly accountNo: string,
    private readonly startingKrw: number,
    startingUsd: number,
    private readonly calendar: ExchangeCalendar,
  ) {
    this.usdCash = startingUsd;
  }

  krwCash(todayYmd: number): KrwCashView {
    const idx = this.calendar.indexOnOrBefore(todayYmd);
    const nextYmd = this.calendar.at(idx + 1) ?? todayYmd;
    let deposit = this.startingKrw;
    let nextDay = this.startingKrw;
    let d2 = this.startingKrw;
    for (const m of this.krwMoves) {
      if (m.settleYmd <= todayYmd) deposit += m.amount;
      if (m.settleYmd <= nextYmd) nextDay += m.amount;
      d2 += m.amount;
    }
    return { deposit, nextDay, d2 };
  }

  holding(venue: Venue, code: string): Holding | undefined {
    return this.holdings.get(`${venue}:${code}`);
  }

  /** Books a fill: cash (KRW settles T+2, USD at once), holdings and average cost. */
  applyFill(f: LedgerFill, name: string): void {
    this.fills.push(f);
    const gross = f.qty * f.price;
    const cashDelta = f.side === 'buy' ? -(gross + f.fees) : gross - f.fees;
    if (f.venue === 'KR') {
      const idx = this.calendar.indexOnOrBefore(f.ymd);
      this.krwMoves.push({ amount: cashDelta, settleYmd: this.calendar.at(idx + 2) ?? f.ymd });
    } else {
      this.usdCash += cashDelta;
    }
    const key = `${f.venue}:${f.code}`;
    let h = this.holdings.get(key);
    if (!h) {
      h = { venue: f.venue, code: f.code, name, qty: 0, costBasis: 0, zeroDayIndex: -1 };
      this.holdings.set(key, h);
    }
    if (f.side === 'buy') {
      h.qty += f.qty;
      h.costBasis += gross;
    } else {
      const avg = h.qty > 0 ? h.costBasis / h.qty : 0;
      h.qty -= f.qty;
      h.costBasis = h.qty > 0 ? h.costBasis - avg * f.qty : 0;
      if (h.qty === 0) h.zeroDayIndex = this.calendar.indexOnOrBefore(f.ymd);
    }
  }

  /** Holdings to list today: held, or sold out less than two trading days ago. */
  visibleHoldings(venue: Venue, todayYmd: number): Holding[] {
    const idx = this.calendar.indexOnOrBefore(todayYmd);
    return [...this.holdings.values()]
      .filter((h) => h.venue === venue && (h.qty > 0 || idx < h.zeroDayIndex + 2))
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }

  /** Quantity bought and sold of code on day ymd. */
  dayTrades(venue: Venue, code: string, ymd: number): { bought: number; sold: number; buyAmount: number; sellAmount: number } {
    const r = { bought: 0, sold: 0, buyAmount: 0, sellAmount: 0 };
    for (const f of this.fills) {
      if (f.venue !== venue || f.code !== code || f.ymd !== ymd) continue;
      if (f.side === 'buy') {
        r.bought += f.qty;
        r.buyAmount += f.qty * f.price;
      } else {
        r.sold += f.qty;
        r.sellAmount += f.qty * f.price;
      }
    }
    return r;
  }

  /** Total fees of fills on day ymd for KR. */
  feesOn(ymd: number): number {
    return this.fills.filter((f) => f.venue === 'KR' && f.ymd === ymd).reduce((s, f) => s + f.fees, 0);
  }
}
