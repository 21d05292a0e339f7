// Pure performance arithmetic for the daily report: maximum drawdown of an equity curve, win rate of round
// trips, and the annualised Sharpe ratio of daily returns against RISK_FREE_RATE (seed 004: the single source).
import { RISK_FREE_RATE, TRADING_DAYS_PER_YEAR } from '../../core/constants.js';

export interface EquityPoint {
  atMs: number;
  equityKrw: number;
}

export interface Drawdown {
  /** Largest peak-to-trough fall, KRW (>= 0). */
  maxDrawdownKrw: number;
  /** That fall as a fraction of the peak it fell from (0..1). */
  maxDrawdownPct: number;
  peakAtMs?: number;
  troughAtMs?: number;
}

/** Maximum drawdown over the curve in time order. A curve that never falls has 0. */
export function maxDrawdown(curve: readonly EquityPoint[]): Drawdown {
  let peak: EquityPoint | undefined;
  let best: Drawdown = { maxDrawdownKrw: 0, maxDrawdownPct: 0 };
  for (const p of curve) {
    if (!peak || p.equityKrw > peak.equityKrw) peak = p;
    const dd = peak.equityKrw - p.equityKrw;
    if (dd > best.maxDrawdownKrw) {
      best = { maxDrawdownKrw: dd, maxDrawdownPct: peak.equityKrw > 0 ? dd / peak.equityKrw : 0, peakAtMs: peak.atMs, troughAtMs: p.atMs };
    }
  }
  return best;
}

/** Wins / closed trades (a trade with P&L > 0 after fees wins); null with no closed trade. */
export function winRate(pnls: readonly number[]): { wins: number; losses: number; winRate: number | null } {
  const wins = pnls.filter((p) => p > 0).length;
  return { wins, losses: pnls.length - wins, winRate: pnls.length === 0 ? null : wins / pnls.length };
}

export interface SharpeResult {
  /** Annualised Sharpe ratio; null with fewer than 2 daily returns or zero volatility. */
  value: number | null;
  days: number;
  meanDailyReturn: number | null;
  dailyVolatility: number | null;
  riskFreeRate: number;
  annualisation: string;
}

/**
 * Sharpe = mean(r − rf_d) / stdev(r) × √N, with r the daily returns (fractions), rf_d = RISK_FREE_RATE / N the
 * daily risk-free rate (simple, not compounded), stdev the sample standard deviation (n − 1), and
 * N = TRADING_DAYS_PER_YEAR (252).
 */
export function sharpeRatio(dailyReturns: readonly number[], riskFreeRate = RISK_FREE_RATE, periodsPerYear = TRADING_DAYS_PER_YEAR): SharpeResult {
  const annualisation = `mean(daily return - ${riskFreeRate}/${periodsPerYear}) / sample stdev(daily return) x sqrt(${periodsPerYear})`;
  const n = dailyReturns.length;
  if (n < 2) return { value: null, days: n, meanDailyReturn: n === 1 ? dailyReturns[0]! : null, dailyVolatility: null, riskFreeRate, annualisation };
  const mean = dailyReturns.reduce((s, r) => s + r, 0) / n;
  const variance = dailyReturns.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  const excess = mean - riskFreeRate / periodsPerYear;
  const value = sd > 0 ? (excess / sd) * Math.sqrt(periodsPerYear) : null;
  return { value, days: n, meanDailyReturn: mean, dailyVolatility: sd, riskFreeRate, annualisation };
}
