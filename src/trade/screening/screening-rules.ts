// The screening rule set (phase 1): transparent, configurable, and every rule's contribution to a symbol's
// score is kept in the output so a person can see why a name ranks where it does. Pure functions.
import { ConfigError } from '../../core/errors.js';

export interface ScreeningRulesOptions {
  /** Trading days looked back for momentum, average turnover and investor flows. Default 20. */
  lookbackDays?: number;
  /** Filter: last close must lie in [minKrw, maxKrw]. Default 1,000 .. 1,000,000 KRW. */
  priceBand?: { minKrw?: number; maxKrw?: number };
  /** Filter: average daily turnover over the lookback must reach this, KRW. Default 1,000,000,000 (10억). */
  minAvgTurnoverKrw?: number;
  /** Score: weight × return over the lookback, in percent. Default weight 1. */
  momentumWeight?: number;
  /** Score: weight × foreign net buying over the lookback as a percent of turnover. Default weight 0.5. */
  foreignNetBuyingWeight?: number;
  /** Score: weight × institutional net buying over the lookback as a percent of turnover. Default weight 0.5. */
  institutionNetBuyingWeight?: number;
  /** Candidates need a total score strictly above this. Default 0 (something must speak for the name). */
  minScore?: number;
}

export type CompiledScreeningRules = Readonly<{
  lookbackDays: number;
  minPriceKrw: number;
  maxPriceKrw: number;
  minAvgTurnoverKrw: number;
  momentumWeight: number;
  foreignNetBuyingWeight: number;
  institutionNetBuyingWeight: number;
  minScore: number;
}>;

export function compileScreeningRules(raw: ScreeningRulesOptions = {}): CompiledScreeningRules {
  const r = {
    lookbackDays: raw.lookbackDays ?? 20,
    minPriceKrw: raw.priceBand?.minKrw ?? 1_000,
    maxPriceKrw: raw.priceBand?.maxKrw ?? 1_000_000,
    minAvgTurnoverKrw: raw.minAvgTurnoverKrw ?? 1_000_000_000,
    momentumWeight: raw.momentumWeight ?? 1,
    foreignNetBuyingWeight: raw.foreignNetBuyingWeight ?? 0.5,
    institutionNetBuyingWeight: raw.institutionNetBuyingWeight ?? 0.5,
    minScore: raw.minScore ?? 0,
  };
  if (!Number.isInteger(r.lookbackDays) || r.lookbackDays < 1 || r.lookbackDays > 250) throw new ConfigError(`screening.lookbackDays must be an integer 1..250 (got ${r.lookbackDays})`, { field: 'screening.lookbackDays' });
  if (!(r.minPriceKrw >= 0) || !(r.maxPriceKrw > r.minPriceKrw)) throw new ConfigError('screening.priceBand needs 0 <= minKrw < maxKrw', { field: 'screening.priceBand' });
  for (const k of ['minAvgTurnoverKrw', 'momentumWeight', 'foreignNetBuyingWeight', 'institutionNetBuyingWeight', 'minScore'] as const) {
    if (!Number.isFinite(r[k])) throw new ConfigError(`screening.${k} must be a finite number`, { field: `screening.${k}` });
  }
  return Object.freeze(r);
}

/** Inputs of one symbol, oldest first. */
export interface SymbolHistory {
  symbol: string;
  bars: readonly { date: string; close: number; turnover: number | null; volume: number }[];
  flows: readonly { date: string; foreignNetAmount: number; institutionNetAmount: number }[];
}

export interface RuleContributions {
  momentum: number;
  foreignNetBuying: number;
  institutionNetBuying: number;
}

export interface ScoredSymbol {
  symbol: string;
  /** Sum of the contributions, rounded to 4 decimals. */
  score: number;
  close: number;
  /** Latest bar date "YYYYMMDD". */
  date: string;
  avgTurnoverKrw: number;
  /** Raw measures behind the contributions. */
  inputs: { returnPct: number; foreignNetPctOfTurnover: number; institutionNetPctOfTurnover: number; flowDays: number };
  contributions: RuleContributions;
}

export type Screened = { ok: true; scored: ScoredSymbol } | { ok: false; symbol: string; reason: string };

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/**
 * Scores one symbol against the rules. `marketLatestDate` is the newest bar date in the store: a symbol
 * whose own latest bar is older has stale data and is excluded rather than scored on old prices.
 */
export function screenSymbol(h: SymbolHistory, rules: CompiledScreeningRules, marketLatestDate: string): Screened {
  const bars = h.bars;
  const last = bars[bars.length - 1];
  if (!last) return { ok: false, symbol: h.symbol, reason: 'no daily bars collected' };
  if (last.date < marketLatestDate) return { ok: false, symbol: h.symbol, reason: `stale: latest bar ${last.date}, market has ${marketLatestDate}` };
  const n = rules.lookbackDays;
  if (bars.length < n + 1) return { ok: false, symbol: h.symbol, reason: `only ${bars.length} bars, momentum over ${n} days needs ${n + 1}` };
  if (last.close < rules.minPriceKrw || last.close > rules.maxPriceKrw) {
    return { ok: false, symbol: h.symbol, reason: `price ${last.close} outside the band ${rules.minPriceKrw}..${rules.maxPriceKrw} KRW` };
  }
  const window = bars.slice(-n);
  // A blank turnover (KIS left it empty) is estimated as close × volume rather than dropping the day.
  const turnovers = window.map((b) => b.turnover ?? b.close * b.volume);
  const sumTurnover = turnovers.reduce((s, v) => s + v, 0);
  const avgTurnoverKrw = sumTurnover / window.length;
  if (avgTurnoverKrw < rules.minAvgTurnoverKrw) {
    return { ok: false, symbol: h.symbol, reason: `average turnover ${Math.round(avgTurnoverKrw)} KRW below the ${rules.minAvgTurnoverKrw} KRW floor` };
  }
  const base = bars[bars.length - 1 - n]!;
  const returnPct = base.close > 0 ? (last.close / base.close - 1) * 100 : 0;
  const firstDate = window[0]!.date;
  const flows = h.flows.filter((f) => f.date >= firstDate && f.date <= last.date);
  const foreign = flows.reduce((s, f) => s + f.foreignNetAmount, 0);
  const institution = flows.reduce((s, f) => s + f.institutionNetAmount, 0);
  const foreignPct = sumTurnover > 0 ? (foreign / sumTurnover) * 100 : 0;
  const institutionPct = sumTurnover > 0 ? (institution / sumTurnover) * 100 : 0;
  const contributions: RuleContributions = {
    momentum: r4(rules.momentumWeight * returnPct),
    foreignNetBuying: r4(rules.foreignNetBuyingWeight * foreignPct),
    institutionNetBuying: r4(rules.institutionNetBuyingWeight * institutionPct),
  };
  const score = r4(contributions.momentum + contributions.foreignNetBuying + contributions.institutionNetBuying);
  return {
    ok: true,
    scored: {
      symbol: h.symbol,
      score,
      close: last.close,
      date: last.date,
      avgTurnoverKrw: Math.round(avgTurnoverKrw),
      inputs: { returnPct: r4(returnPct), foreignNetPctOfTurnover: r4(foreignPct), institutionNetPctOfTurnover: r4(institutionPct), flowDays: flows.length },
      contributions,
    },
  };
}

/** Scores every history and ranks: score descending, then symbol (stable, deterministic). */
export function rankUniverse(histories: readonly SymbolHistory[], rules: CompiledScreeningRules, marketLatestDate: string): { ranked: ScoredSymbol[]; excluded: { symbol: string; reason: string }[] } {
  const ranked: ScoredSymbol[] = [];
  const excluded: { symbol: string; reason: string }[] = [];
  for (const h of histories) {
    const r = screenSymbol(h, rules, marketLatestDate);
    if (!r.ok) excluded.push({ symbol: r.symbol, reason: r.reason });
    else if (!(r.scored.score > rules.minScore)) excluded.push({ symbol: h.symbol, reason: `score ${r.scored.score} not above the minimum ${rules.minScore}` });
    else ranked.push(r.scored);
  }
  ranked.sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1));
  return { ranked, excluded };
}
