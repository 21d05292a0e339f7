// Public surface of the KIS REST adapter.
export { createKisRestClient, type KisRestClient, type KisRequestSpec, type KisResponse, type PagingOptions } from './client.js';
export { compileKisRestClientOptions, type KisRestClientOptions, type CompiledKisRestClientOptions } from './client-options.js';
export type { KisRestEventMap } from './client-events.js';
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitSettings,
  type RateWindows,
  type RatePriority,
  type AcquireOptions,
} from '../../net/rate-limiter.js';
export { createUndiciTransport, toNetworkError, type HttpTransport, type TransportRequest, type TransportResponse, type UndiciTransportOptions } from './transport.js';
export {
  classifyReply,
  readReplyBody,
  CLASSIFICATION_TABLE,
  RATE_LIMIT_CODES,
  TOKEN_REJECTED_CODES,
  type ReplyFacts,
  type ReplyAction,
  type ReplyOutcome,
  type Verdict,
  type KisEnvelope,
} from './classify.js';
export { BLANK_FIELDS_BY_PATH, prepareParams, type ParamValue } from './blank-fields.js';
export { KIS_PATHS } from './paths.js';
export { TR_IDS, resolveTrId, type TrName, type TrIdPair } from './tr-ids.js';
export {
  KisApiError,
  KisNetworkError,
  KisMalformedReplyError,
  OrderOutcomeUnknownError,
  OrderNotSentError,
  KisUnsupportedError,
  type NetworkErrorKind,
  type ReachedServer,
} from './errors.js';
export { KisRestApi } from './kis-rest-api.js';
export { KisClockOffset, type ClockOffsetEstimate, type ClockOffsetSample } from './clock-offset.js';
export type { EndpointContext } from './endpoints/context.js';
export { inquirePrice, inquireDailyItemChart, inquireInvestor, overseasPrice, type QuoteCallOptions, type ChartPeriod } from './endpoints/quotes.js';
export { fetchDailyBars, CHART_ROWS_PER_CALL, type FetchDailyBarsOptions } from './endpoints/daily-bars.js';
export { chkHoliday } from './endpoints/holiday.js';
export { inquireTimeItemChart, fetchMinuteBars, MINUTE_BARS_PER_CALL, type FetchMinuteBarsOptions } from './endpoints/minute-chart.js';
export { inquireNewsTitles, fetchNewsTitles, inquireInvestOpinions, inquireEstimatePerform, type NewsQuery, type FetchNewsOptions, type ResearchCallOptions } from './endpoints/research.js';
export { parseMinuteChart, type MinuteBar, type MinuteChart } from './wire/minute-chart.js';
export { parseNewsTitles, type NewsTitle } from './wire/news-titles.js';
export { parseInvestOpinions, type InvestOpinion } from './wire/invest-opinions.js';
export { parseEstimatePerform, INCOME_METRICS, INDICATOR_METRICS, type EarningsEstimate, type IncomeMetric, type IndicatorMetric } from './wire/estimate-perform.js';
export {
  orderCash,
  orderRevise,
  orderCancel,
  overseasOrder,
  OrderInputError,
  type CashOrderInput,
  type ReviseInput,
  type CancelInput,
  type OverseasOrderInput,
  type DomesticExchange,
  type OrderSendOptions,
} from './endpoints/orders.js';
export { inquireBalance, inquireDailyCcld, type Balance, type BalanceOptions, type DailyCcldQuery, type DailyExecutions } from './endpoints/account.js';
export { FieldReader, readObject, readRows, isBlankRow, RowError, type ParseIssue, type Parsed } from './wire/fields.js';
export {
  parseInquirePrice,
  parseDailyChart,
  parseInvestor,
  type DomesticQuote,
  type DailyBar,
  type DailyChart,
  type InvestorDay,
  type ChangeSign,
} from './wire/domestic-quotes.js';
export { parseOverseasPrice, type OverseasQuote } from './wire/overseas-quotes.js';
export { parseHolidays, type MarketDay } from './wire/holiday.js';
export { parseOrderAck, type OrderAck } from './wire/orders.js';
export {
  parseBalancePage,
  parseDailyCcldPage,
  type Holding,
  type BalanceSummary,
  type BalancePage,
  type Execution,
  type ExecutionTotals,
  type DailyCcldPage,
} from './wire/account.js';
