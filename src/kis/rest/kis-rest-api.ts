// The KIS REST endpoints kisd uses, grouped on one client: the adapter behind the domain's broker port.
import type { Logger } from 'pino';
import type { KisCredentials } from '../auth/types.js';
import type { KisRestClient } from './client.js';
import type { ClockOffsetEstimate } from './clock-offset.js';
import { inquireBalance, inquireDailyCcld, type Balance, type BalanceOptions, type DailyCcldQuery, type DailyExecutions } from './endpoints/account.js';
import type { EndpointContext } from './endpoints/context.js';
import { fetchDailyBars, type FetchDailyBarsOptions } from './endpoints/daily-bars.js';
import { chkHoliday } from './endpoints/holiday.js';
import { fetchMinuteBars, type FetchMinuteBarsOptions } from './endpoints/minute-chart.js';
import { fetchNewsTitles, inquireEstimatePerform, inquireInvestOpinions, type FetchNewsOptions, type ResearchCallOptions } from './endpoints/research.js';
import { orderCancel, orderCash, orderRevise, overseasOrder, type CancelInput, type CashOrderInput, type OverseasOrderInput, type ReviseInput } from './endpoints/orders.js';
import { inquireDailyItemChart, inquireInvestor, inquirePrice, overseasPrice, type ChartPeriod, type QuoteCallOptions } from './endpoints/quotes.js';
import type { DailyBar, DailyChart, DomesticQuote, InvestorDay } from './wire/domestic-quotes.js';
import type { MarketDay } from './wire/holiday.js';
import type { MinuteBar } from './wire/minute-chart.js';
import type { NewsTitle } from './wire/news-titles.js';
import type { InvestOpinion } from './wire/invest-opinions.js';
import type { EarningsEstimate } from './wire/estimate-perform.js';
import type { OrderAck } from './wire/orders.js';
import type { OverseasQuote } from './wire/overseas-quotes.js';

export class KisRestApi {
  private readonly ctx: EndpointContext;

  constructor(client: KisRestClient, opts: { credentials: Pick<KisCredentials, 'cano' | 'acntPrdtCd'>; log: Logger }) {
    this.ctx = { client, account: { cano: opts.credentials.cano, acntPrdtCd: opts.credentials.acntPrdtCd }, log: opts.log.child({ component: 'kis-rest-api' }) };
  }

  get client(): KisRestClient {
    return this.ctx.client;
  }

  inquirePrice(code: string, o?: QuoteCallOptions): Promise<DomesticQuote> {
    return inquirePrice(this.ctx, code, o);
  }
  inquireDailyItemChart(code: string, fromYmd: string, toYmd: string, period?: ChartPeriod, adjusted?: boolean, o?: QuoteCallOptions): Promise<DailyChart> {
    return inquireDailyItemChart(this.ctx, code, fromYmd, toYmd, period, adjusted, o);
  }
  fetchDailyBars(code: string, fromYmd: string, toYmd: string, o?: FetchDailyBarsOptions): Promise<DailyBar[]> {
    return fetchDailyBars(this.ctx, code, fromYmd, toYmd, o);
  }
  /** Today's one-minute bars starting within [fromHhmmss, toHhmmss], oldest first (paged 30 per call). */
  fetchMinuteBars(code: string, fromHhmmss: string, toHhmmss: string, o?: FetchMinuteBarsOptions): Promise<MinuteBar[]> {
    return fetchMinuteBars(this.ctx, code, fromHhmmss, toHhmmss, o);
  }
  /** Headlines of a code from now back to o.since (YYYYMMDDHHMMSS), oldest first. */
  fetchNewsTitles(code: string, o: FetchNewsOptions): Promise<NewsTitle[]> {
    return fetchNewsTitles(this.ctx, code, o);
  }
  inquireInvestOpinions(code: string, fromYmd: string, toYmd: string, o?: ResearchCallOptions): Promise<InvestOpinion[]> {
    return inquireInvestOpinions(this.ctx, code, fromYmd, toYmd, o);
  }
  /** Consensus estimates; null when no analyst covers the code. */
  inquireEstimatePerform(code: string, o?: ResearchCallOptions): Promise<EarningsEstimate | null> {
    return inquireEstimatePerform(this.ctx, code, o);
  }
  inquireInvestor(code: string, o?: QuoteCallOptions): Promise<InvestorDay[]> {
    return inquireInvestor(this.ctx, code, o);
  }
  overseasPrice(excd: string, symb: string, o?: Omit<QuoteCallOptions, 'market'>): Promise<OverseasQuote> {
    return overseasPrice(this.ctx, excd, symb, o);
  }
  chkHoliday(bassDt: string, signal?: AbortSignal): Promise<MarketDay[]> {
    return chkHoliday(this.ctx, bassDt, signal);
  }
  orderCash(input: CashOrderInput, signal?: AbortSignal): Promise<OrderAck> {
    return orderCash(this.ctx, input, signal);
  }
  orderRevise(input: ReviseInput, signal?: AbortSignal): Promise<OrderAck> {
    return orderRevise(this.ctx, input, signal);
  }
  orderCancel(input: CancelInput, signal?: AbortSignal): Promise<OrderAck> {
    return orderCancel(this.ctx, input, signal);
  }
  overseasOrder(input: OverseasOrderInput, signal?: AbortSignal): Promise<OrderAck> {
    return overseasOrder(this.ctx, input, signal);
  }
  inquireBalance(o?: BalanceOptions): Promise<Balance> {
    return inquireBalance(this.ctx, o);
  }
  inquireDailyCcld(q: DailyCcldQuery): Promise<DailyExecutions> {
    return inquireDailyCcld(this.ctx, q);
  }
  /** host − KIS clock offset learnt from the client's replies (Date headers, order acceptance times). */
  clockOffset(): ClockOffsetEstimate | undefined {
    return this.ctx.client.clockOffset.estimate();
  }
}
