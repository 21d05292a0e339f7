// Risk limit options, raw → defaulted → compiled (temporal-sdk style). Every amount is KRW, every limit > 0.
import { ConfigError } from '../../core/errors.js';

export interface RiskLimitsOptions {
  /** Largest value of one new order (qty × limit price, or × reference price for market orders), KRW. Default 5,000,000. */
  maxOrderValueKrw?: number;
  /** Largest exposure in one symbol: held quantity at its mark plus open buy orders plus this order, KRW. Default 10,000,000. */
  maxPositionValueKrw?: number;
  /** Largest gross exposure over all symbols (held at mark plus open buys plus this order), KRW. Default 30,000,000. */
  maxGrossExposureKrw?: number;
  /** New entry orders per rolling 60 seconds (monotonic clock), over all strategies. Default 20. */
  maxOrdersPerMinute?: number;
  /**
   * Daily loss, realized plus unrealized and net of fees, at which the kill switch trips, KRW (a positive
   * number: 1,000,000 trips at −1,000,000). Default 1,000,000.
   */
  dailyLossLimitKrw?: number;
}

export type CompiledRiskLimits = Readonly<Required<RiskLimitsOptions>>;

export const DEFAULT_RISK_LIMITS: CompiledRiskLimits = Object.freeze({
  maxOrderValueKrw: 5_000_000,
  maxPositionValueKrw: 10_000_000,
  maxGrossExposureKrw: 30_000_000,
  maxOrdersPerMinute: 20,
  dailyLossLimitKrw: 1_000_000,
});

/** Fills defaults and checks bounds; throws ConfigError naming the field. */
export function compileRiskLimits(raw: RiskLimitsOptions = {}): CompiledRiskLimits {
  const o = { ...DEFAULT_RISK_LIMITS, ...Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) } as Required<RiskLimitsOptions>;
  for (const [field, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`risk.${field} must be a positive number (got ${String(value)})`, { field: `risk.${field}` });
    }
  }
  if (!Number.isInteger(o.maxOrdersPerMinute)) throw new ConfigError(`risk.maxOrdersPerMinute must be an integer (got ${o.maxOrdersPerMinute})`, { field: 'risk.maxOrdersPerMinute' });
  if (o.maxOrderValueKrw > o.maxPositionValueKrw) throw new ConfigError('risk.maxOrderValueKrw must not exceed risk.maxPositionValueKrw', { field: 'risk.maxOrderValueKrw' });
  if (o.maxPositionValueKrw > o.maxGrossExposureKrw) throw new ConfigError('risk.maxPositionValueKrw must not exceed risk.maxGrossExposureKrw', { field: 'risk.maxPositionValueKrw' });
  return Object.freeze(o);
}
