// The simulated exchange and broker back office: validates orders like KIS (account, symbol, ORD_DVSN, quantity,
// tick, limits, cash, sellable quantity, session hours), books them per account, and matches them against the
// synthetic price stream: a marketable order fills at once or — with a partial-fill model — in pieces over
// successive matches (sweeps before account queries, or a periodic matcher); day orders expire after the
// session. Every change is an ExchangeEvent (src/sim/notice-bridge.ts turns them into execution notices).
import { unrefTimer, type Clock, type TimerHandle } from '../../core/clock.js';
import { kstHms, kstYmd } from '../../core/kst.js';
import type { SimApp } from '../contracts.js';
import type { SyntheticMarket } from '../market/synthetic-market.js';
import { isOnTick } from '../market/tick-size.js';
import { AccountLedger } from './account-ledger.js';
import { DEFAULT_FILL_MODEL, matchQty, mergeFillModel, type FillModel } from './fill-model.js';
import { inputInvalid, REJECTS, type Reject } from './reject-codes.js';
import { remainingQty, type CancelReason, type ExchangeEvent, type Side, type SimOrder, type Venue } from './types.js';

export interface ExchangeOptions {
  market: SyntheticMarket;
  clock: Clock;
  apps: readonly SimApp[];
  /** paper accounts accept ORD_DVSN 00/01 only (KIS 모의투자) */
  paper: boolean;
  /** default 100,000,000 KRW */
  startingCashKrw?: number;
  /** default 100,000 USD */
  startingCashUsd?: number;
  /** brokerage commission on KR fills, default 0.00015 (0.015%), floored to the won */
  krCommissionRate?: number;
  /** securities transaction tax on KR sells, default 0.002 (0.20%), floored to the won */
  krSellTaxRate?: number;
  /** partial fills and session rules; default DEFAULT_FILL_MODEL (whole fills, hours enforced) */
  fillModel?: Partial<FillModel>;
}

export interface KrOrderInput {
  side: Side;
  pdno: string;
  ordDvsn: string;
  qty: string;
  price: string;
}

export interface UsOrderInput extends KrOrderInput {
  exchangeCode: string;
}

export interface ReviseCancelInput {
  orgnOdno: string;
  /** '01' revise, '02' cancel */
  action: string;
  ordDvsn: string;
  qty: string;
  price: string;
  /** QTY_ALL_ORD_YN = 'Y': the whole remaining quantity */
  allQty: boolean;
}

export type OrderOutcome = { ok: true; order: SimOrder } | { ok: false; reject: Reject & { rtCd?: string } };

const KR_ORD_DVSN = new Set(['00', '01', '03', '04', '11', '12', '13', '14']);
const KR_MARKET_DVSN = new Set(['01', '03', '04', '13', '14']);
const KR_IMMEDIATE_DVSN = new Set(['11', '12', '13', '14']); // IOC/FOK: never rest
const US_EXCHANGE_CODE = { NAS: 'NASD', NYS: 'NYSE', AMS: 'AMEX' } as const;
const BRANCH = '91252';

export class SimExchange {
  private readonly ledgers = new Map<string, AccountLedger>();
  private readonly orderList = new Map<string, SimOrder[]>();
  private readonly listeners = new Set<(e: ExchangeEvent) => void>();
  private nextOdno = 1;
  private readonly commissionRate: number;
  private readonly taxRate: number;
  private model: FillModel;
  private matcher: TimerHandle | undefined;
  /** Set by startMatching: the matcher's period while some order is open. */
  private matching: { intervalMs: number } | undefined;

  constructor(private readonly opts: ExchangeOptions) {
    this.commissionRate = opts.krCommissionRate ?? 0.00015;
    this.taxRate = opts.krSellTaxRate ?? 0.002;
    this.model = mergeFillModel(DEFAULT_FILL_MODEL, opts.fillModel ?? {});
    for (const app of opts.apps) {
      if (this.ledgers.has(app.accountNo)) continue;
      this.ledgers.set(app.accountNo, new AccountLedger(app.accountNo, opts.startingCashKrw ?? 100_000_000, opts.startingCashUsd ?? 100_000, opts.market.krCalendar));
      this.orderList.set(app.accountNo, []);
    }
  }

  /** Subscribes to order events (accepted, filled, cancelled); returns an unsubscribe. */
  onEvent(listener: (e: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get fillModel(): Readonly<FillModel> {
    return this.model;
  }

  /** Changes the fill model from now on (tests, the embedded simulator's config). Throws RangeError. */
  configure(change: Partial<FillModel>): void {
    this.model = mergeFillModel(this.model, change);
  }

  /**
   * Matches every open order of every account each intervalMs on the exchange's clock (resting orders
   * become fills as the synthetic price moves; partial fills continue). Returns a stop function. Idempotent:
   * a second call replaces the first matcher. The timer runs only while some order is open (armed when one is
   * booked, disarmed by the sweep that finds none), so an idle exchange schedules nothing on a virtual clock.
   */
  startMatching(intervalMs = 1_000): () => void {
    if (!(Number.isFinite(intervalMs) && intervalMs >= 1)) throw new RangeError('intervalMs must be >= 1');
    this.stopMatching();
    const token = { intervalMs };
    this.matching = token;
    this.armMatcher();
    return () => {
      if (this.matching === token) this.stopMatching();
    };
  }

  stopMatching(): void {
    this.matching = undefined;
    this.disarmMatcher();
  }

  private armMatcher(): void {
    if (this.matching === undefined || this.matcher !== undefined || !this.hasOpenOrders()) return;
    const handle = this.opts.clock.setInterval(() => this.sweepAll(), this.matching.intervalMs);
    unrefTimer(handle);
    this.matcher = handle;
  }

  private disarmMatcher(): void {
    this.opts.clock.clearInterval(this.matcher);
    this.matcher = undefined;
  }

  private hasOpenOrders(): boolean {
    for (const list of this.orderList.values()) if (list.some((o) => o.status === 'open')) return true;
    return false;
  }

  /** Whether the venue's regular session is open at nowMs (always true when hours are not enforced). */
  isOpen(venue: Venue, nowMs: number): boolean {
    if (!(venue === 'KR' ? this.model.enforceKrMarketHours : this.model.enforceUsMarketHours)) return true;
    const st = venue === 'KR' ? this.opts.market.krSession(nowMs) : this.opts.market.usSession(nowMs);
    return st.phase === 'open';
  }

  ledger(accountNo: string): AccountLedger | undefined {
    return this.ledgers.get(accountNo);
  }

  /** Orders of an account in the order they were placed (revise/cancel requests included). */
  orders(accountNo: string): readonly SimOrder[] {
    return this.orderList.get(accountNo) ?? [];
  }

  /** Held quantity not committed to open sell orders. */
  sellableQty(accountNo: string, venue: Venue, code: string): number {
    const held = this.ledgers.get(accountNo)?.holding(venue, code)?.qty ?? 0;
    const committed = this.orders(accountNo)
      .filter((o) => o.venue === venue && o.code === code && o.side === 'sell' && o.status === 'open')
      .reduce((s, o) => s + remainingQty(o), 0);
    return held - committed;
  }

  /** KRW available for new buys: D+2 cash minus what open buy orders reserve. */
  krwBuyingPower(accountNo: string): number {
    const ledger = this.ledgers.get(accountNo);
    if (!ledger) return 0;
    const d2 = ledger.krwCash(Number(kstYmd(this.opts.clock.nowMs()))).d2;
    return d2 - this.reserved(accountNo, 'KR');
  }

  usdBuyingPower(accountNo: string): number {
    return (this.ledgers.get(accountNo)?.usdCash ?? 0) - this.reserved(accountNo, 'US');
  }

  placeKr(accountNo: string, input: KrOrderInput): OrderOutcome {
    const ledger = this.ledgers.get(accountNo);
    if (!ledger) return fail(inputInvalid('ACNO'));
    const sym = this.opts.market.krSymbolForRequest(input.pdno);
    if (!sym) return fail(REJECTS.unknownSymbol);
    if (!KR_ORD_DVSN.has(input.ordDvsn) || (this.opts.paper && input.ordDvsn !== '00' && input.ordDvsn !== '01')) return fail(REJECTS.unsupportedOrderType);
    const qty = parseCount(input.qty);
    if (qty === undefined) return fail(inputInvalid('ORD_QTY'));
    if (qty === 0) return fail(REJECTS.zeroQuantity);
    if (!/^\d+$/.test(input.price)) return fail(inputInvalid('ORD_UNPR'));
    const isMarket = KR_MARKET_DVSN.has(input.ordDvsn);
    const price = isMarket ? 0 : Number(input.price);
    const now = this.opts.clock.nowMs();
    if (!this.isOpen('KR', now)) return fail(REJECTS.marketClosed);
    const quote = this.opts.market.krQuote(sym.code, now);
    if (!quote) return fail(REJECTS.unknownSymbol);
    if (!isMarket) {
      if (price < quote.lowerLimit || price > quote.upperLimit) return fail(REJECTS.priceOutOfRange);
      if (!isOnTick(price, sym.kind)) return fail(REJECTS.badTick);
    }
    if (input.side === 'sell' && qty > this.sellableQty(accountNo, 'KR', sym.code)) return fail(REJECTS.sellOverHolding);
    if (input.side === 'buy') {
      // A KIS market buy reserves buying power at the upper limit price (3P-observed), so check it that way.
      const unit = isMarket ? quote.upperLimit : price;
      if (unit * qty * (1 + this.commissionRate) > this.krwBuyingPower(accountNo)) return fail(REJECTS.insufficientCash);
    }
    const order = this.book(accountNo, { venue: 'KR', code: sym.code, name: sym.name, side: input.side, ordDvsn: input.ordDvsn, kind: 'new', qty, price, orgnOdno: '' });
    this.match(order, now, true);
    return { ok: true, order };
  }

  placeUs(accountNo: string, input: UsOrderInput): OrderOutcome {
    if (!this.ledgers.has(accountNo)) return fail(inputInvalid('ACNO'));
    const sym = this.opts.market.usSymbol(input.pdno);
    if (!sym) return fail(REJECTS.unknownSymbol);
    if (US_EXCHANGE_CODE[sym.exchange] !== input.exchangeCode) return fail(REJECTS.exchangeMismatch);
    if (input.ordDvsn !== '00' && (this.opts.paper || !['32', '34', '31', '33'].includes(input.ordDvsn))) return fail(REJECTS.unsupportedOrderType);
    const qty = parseCount(input.qty);
    if (qty === undefined) return fail(inputInvalid('ORD_QTY'));
    if (qty === 0) return fail(REJECTS.zeroQuantity);
    if (!/^\d+(\.\d{1,4})?$/.test(input.price)) return fail(inputInvalid('OVRS_ORD_UNPR'));
    const price = Number(input.price);
    // US grid: cents at $1 and above, 1/10000 below.
    if (price >= 1 && !/^\d+(\.\d{1,2})?$/.test(input.price)) return fail(REJECTS.badTick);
    const now = this.opts.clock.nowMs();
    if (!this.isOpen('US', now)) return fail(REJECTS.marketClosed);
    const quote = this.opts.market.usQuote(sym.symbol, now);
    if (!quote) return fail(REJECTS.unknownSymbol);
    if (input.side === 'sell' && qty > this.sellableQty(accountNo, 'US', sym.symbol)) return fail(REJECTS.sellOverHolding);
    if (input.side === 'buy' && (price > 0 ? price : quote.ask) * qty > this.usdBuyingPower(accountNo)) return fail(REJECTS.insufficientCash);
    const order = this.book(accountNo, { venue: 'US', code: sym.symbol, name: sym.symbol, side: input.side, ordDvsn: input.ordDvsn, kind: 'new', qty, price, orgnOdno: '', exchangeCode: input.exchangeCode });
    this.match(order, now, true);
    return { ok: true, order };
  }

  /** order-rvsecncl: '02' cancels, '01' moves the quantity to a new order at the new price (new ODNO). */
  reviseOrCancel(accountNo: string, venue: Venue, input: ReviseCancelInput): OrderOutcome {
    if (!this.ledgers.has(accountNo)) return fail(inputInvalid('ACNO'));
    if (input.action !== '01' && input.action !== '02') return fail(inputInvalid('RVSE_CNCL_DVSN_CD'));
    const orig = this.orders(accountNo).find((o) => o.venue === venue && o.kind !== 'cancel' && Number(o.odno) === Number(input.orgnOdno || 'x'));
    if (!orig) return fail(REJECTS.originalNotFound);
    const left = orig.status === 'open' ? remainingQty(orig) : 0;
    if (left <= 0) return fail(REJECTS.nothingToRevise);
    let qty = left;
    if (!input.allQty) {
      const q = parseCount(input.qty);
      if (q === undefined) return fail(inputInvalid('ORD_QTY'));
      if (q === 0) return fail(REJECTS.zeroQuantity);
      if (q > left) return fail(REJECTS.nothingToRevise);
      qty = q;
    }
    const now = this.opts.clock.nowMs();
    if (!this.isOpen(venue, now)) return fail(REJECTS.marketClosed);
    if (input.action === '02') {
      this.cancelQty(orig, qty, 'cancel');
      const cancel = this.book(accountNo, { venue, code: orig.code, name: orig.name, side: orig.side, ordDvsn: orig.ordDvsn, kind: 'cancel', qty, price: orig.price, orgnOdno: orig.odno, ...(orig.exchangeCode ? { exchangeCode: orig.exchangeCode } : {}) });
      cancel.status = 'cancelled';
      cancel.cancelledQty = qty;
      return { ok: true, order: cancel };
    }
    const ordDvsn = input.ordDvsn || orig.ordDvsn;
    const isMarket = venue === 'KR' ? KR_MARKET_DVSN.has(ordDvsn) : Number(input.price) === 0;
    const price = isMarket ? 0 : Number(input.price);
    if (!isMarket) {
      if (!Number.isFinite(price) || price <= 0) return fail(inputInvalid(venue === 'KR' ? 'ORD_UNPR' : 'OVRS_ORD_UNPR'));
      if (venue === 'KR') {
        const sym = this.opts.market.krSymbol(orig.code);
        const q = this.opts.market.krQuote(orig.code, now);
        if (!sym || !q) return fail(REJECTS.unknownSymbol);
        if (price < q.lowerLimit || price > q.upperLimit) return fail(REJECTS.priceOutOfRange);
        if (!isOnTick(price, sym.kind)) return fail(REJECTS.badTick);
      }
    }
    this.cancelQty(orig, qty, 'revise');
    const revised = this.book(accountNo, { venue, code: orig.code, name: orig.name, side: orig.side, ordDvsn, kind: 'revise', qty, price, orgnOdno: orig.odno, ...(orig.exchangeCode ? { exchangeCode: orig.exchangeCode } : {}) });
    this.match(revised, now, true);
    return { ok: true, order: revised };
  }

  /**
   * Expires day orders whose session is over and matches the account's open orders once (called before
   * account queries and orders, and by the periodic matcher).
   */
  sweep(accountNo: string): void {
    const now = this.opts.clock.nowMs();
    for (const o of this.orders(accountNo)) {
      if (o.status !== 'open') continue;
      if (this.expired(o, now)) this.cancelQty(o, remainingQty(o), 'expired');
      else this.match(o, now, false);
    }
  }

  sweepAll(): void {
    for (const accountNo of this.orderList.keys()) this.sweep(accountNo);
    if (this.matcher !== undefined && !this.hasOpenOrders()) this.disarmMatcher();
  }

  /** A day order is over once its venue's session is not open on the order's trading day. */
  private expired(o: SimOrder, nowMs: number): boolean {
    if (!(o.venue === 'KR' ? this.model.enforceKrMarketHours : this.model.enforceUsMarketHours) || o.sessionYmd === undefined) return false;
    const st = o.venue === 'KR' ? this.opts.market.krSession(nowMs) : this.opts.market.usSession(nowMs);
    if (st.phase === 'preOpen' && st.tradingYmd === o.sessionYmd) return false;
    return !(st.phase === 'open' && st.tradingYmd === o.sessionYmd);
  }

  private book(accountNo: string, o: Pick<SimOrder, 'venue' | 'code' | 'name' | 'side' | 'ordDvsn' | 'kind' | 'qty' | 'price' | 'orgnOdno' | 'exchangeCode'>): SimOrder {
    const now = this.opts.clock.nowMs();
    const order: SimOrder = {
      ...o,
      odno: String(this.nextOdno++).padStart(10, '0'),
      branch: BRANCH,
      accountNo,
      filledQty: 0,
      filledAmount: 0,
      cancelledQty: 0,
      rejectedQty: 0,
      status: 'open',
      orderedAtMs: now,
      ymd: kstYmd(now),
      tmd: kstHms(now),
      sessionYmd: (o.venue === 'KR' ? this.opts.market.krSession(now) : this.opts.market.usSession(now)).tradingYmd,
      fillCount: 0,
    };
    this.orderList.get(accountNo)?.push(order);
    this.armMatcher();
    this.emit({ type: 'accepted', order });
    return order;
  }

  private cancelQty(o: SimOrder, qty: number, reason: CancelReason): void {
    if (qty <= 0) return;
    o.cancelledQty += qty;
    if (remainingQty(o) === 0) o.status = 'cancelled';
    this.emit({ type: 'cancelled', order: o, qty, reason });
  }

  /**
   * One match of a marketable order: at the market price on entry, at the limit when resting (market orders
   * at the current price), for at most the fill model's quantity. IOC/FOK remainders are cancelled on entry.
   */
  private match(o: SimOrder, nowMs: number, onEntry: boolean): void {
    const left = remainingQty(o);
    if (left <= 0) return;
    const kr = o.venue === 'KR' ? this.opts.market.krQuote(o.code, nowMs) : undefined;
    const us = o.venue === 'US' ? this.opts.market.usQuote(o.code, nowMs) : undefined;
    const last = kr?.price ?? us?.price;
    if (last === undefined) return;
    const immediate = o.venue === 'KR' && KR_IMMEDIATE_DVSN.has(o.ordDvsn);
    const marketable = o.price === 0 || (o.side === 'buy' ? o.price >= last : o.price <= last);
    if (!marketable) {
      if (onEntry && immediate) this.cancelQty(o, left, 'ioc');
      return;
    }
    const depth = o.side === 'buy' ? (kr?.askQty1 ?? us?.askQty) : (kr?.bidQty1 ?? us?.bidQty);
    // IOC/FOK take what the book gives at once (the model's cap still applies); the rest is cancelled below.
    const qty = matchQty(this.model, left, depth);
    const price = onEntry || o.price === 0 ? last : o.price;
    const amount = qty * price;
    const fees = o.venue === 'KR' ? Math.floor(amount * this.commissionRate) + (o.side === 'sell' ? Math.floor(amount * this.taxRate) : 0) : 0;
    this.ledgers.get(o.accountNo)?.applyFill({ venue: o.venue, odno: o.odno, code: o.code, side: o.side, qty, price, fees, ymd: Number(kstYmd(nowMs)), atMs: nowMs }, o.name);
    o.filledQty += qty;
    o.filledAmount += amount;
    o.fillCount = (o.fillCount ?? 0) + 1;
    if (remainingQty(o) === 0) o.status = 'filled';
    this.emit({ type: 'filled', order: o, fill: { odno: o.odno, seq: o.fillCount, qty, price, atMs: nowMs } });
    if (onEntry && immediate && remainingQty(o) > 0) this.cancelQty(o, remainingQty(o), 'ioc');
  }

  private reserved(accountNo: string, venue: Venue): number {
    let sum = 0;
    const now = this.opts.clock.nowMs();
    for (const o of this.orders(accountNo)) {
      if (o.venue !== venue || o.side !== 'buy' || o.status !== 'open') continue;
      // A resting market remainder (partial fills) is reserved like a new market buy: at the upper limit.
      const unit = o.price > 0 ? o.price : venue === 'KR' ? (this.opts.market.krQuote(o.code, now)?.upperLimit ?? 0) : (this.opts.market.usQuote(o.code, now)?.ask ?? 0);
      sum += remainingQty(o) * unit * (venue === 'KR' ? 1 + this.commissionRate : 1);
    }
    return sum;
  }

  private emit(e: ExchangeEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function fail(reject: Reject & { rtCd?: string }): OrderOutcome {
  return { ok: false, reject };
}

function parseCount(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}
