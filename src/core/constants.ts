// Financial constants, defined once and imported everywhere (seed 004 §1.D: RISK_FREE_RATE = 0.02 is the
// single source of truth for every metric that needs a risk-free rate).

/** Annual risk-free rate as a fraction (2 %/year), used by the Sharpe ratio. */
export const RISK_FREE_RATE = 0.02;

/**
 * Trading days per year for annualising daily figures. KRX trades about 245-250 days a year; 252 is the
 * industry convention and keeps our Sharpe ratios comparable with published ones.
 */
export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Domestic brokerage commission per side as a fraction of the traded amount (0.015 %, KIS online rate and
 * the simulator's default), floored to the won per fill.
 */
export const KR_COMMISSION_RATE = 0.00015;

/**
 * Securities transaction tax on domestic sells, fraction of the sell amount (0.20 % for KOSPI and KOSDAQ from
 * 2026, the simulator's default), floored to the won per fill.
 */
export const KR_SELL_TAX_RATE = 0.002;
