// REST paths of the KIS endpoints kisd uses (fact sheet §4).

export const KIS_PATHS = {
  inquirePrice: '/uapi/domestic-stock/v1/quotations/inquire-price',
  inquireDailyItemChart: '/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice',
  inquireInvestor: '/uapi/domestic-stock/v1/quotations/inquire-investor',
  chkHoliday: '/uapi/domestic-stock/v1/quotations/chk-holiday',
  overseasPrice: '/uapi/overseas-price/v1/quotations/price',
  orderCash: '/uapi/domestic-stock/v1/trading/order-cash',
  orderRvsecncl: '/uapi/domestic-stock/v1/trading/order-rvsecncl',
  inquirePsblRvsecncl: '/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl',
  inquireBalance: '/uapi/domestic-stock/v1/trading/inquire-balance',
  inquireDailyCcld: '/uapi/domestic-stock/v1/trading/inquire-daily-ccld',
  overseasOrder: '/uapi/overseas-stock/v1/trading/order',
  overseasOrderRvsecncl: '/uapi/overseas-stock/v1/trading/order-rvsecncl',
  overseasBalance: '/uapi/overseas-stock/v1/trading/inquire-balance',
  // docs/data-sources.md: today's minute bars (gap-fill), news headlines, analyst opinions, earnings estimates.
  inquireTimeItemChart: '/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice',
  newsTitle: '/uapi/domestic-stock/v1/quotations/news-title',
  investOpinion: '/uapi/domestic-stock/v1/quotations/invest-opinion',
  estimatePerform: '/uapi/domestic-stock/v1/quotations/estimate-perform',
} as const;
