// Synthetic brokerage coverage for the invest-opinion and estimate-perform routes, deterministic per symbol and
// date: about 70% of common stocks are covered by 2–8 brokers, each publishing a report every ~40 trading days
// with a target price set off the previous close; estimates are revised weekly. ETFs, ETNs, SPACs and preferred
// shares have no coverage (their replies carry empty blocks).
import { hash32, keyedUnit, mulberry32 } from './prng.js';
import type { SyntheticMarket } from './synthetic-market.js';
import { dayNumberToYmd, isoWeekday, ymdToDayNumber } from './trading-calendar.js';
import type { KrSymbol } from './universe.js';

export const BROKERS = ['미래에셋증권', '삼성증권', 'KB증권', 'NH투자증권', '한국투자증권', '키움증권', '신한투자증권', '하나증권', '대신증권', '유안타증권'] as const;

/** (text, KIS class code) — ❓ brokers word and code opinions inconsistently; these mirror recorded replies. */
const OPINIONS: readonly (readonly [string, string])[] = [
  ['매수', '2'],
  ['BUY', '2'],
  ['Outperform', '2'],
  ['중립', '3'],
  ['Hold', '3'],
];

export interface SimOpinion {
  ymd: number;
  broker: string;
  opinion: string;
  opinionCode: string;
  previousOpinion: string;
  previousOpinionCode: string;
  targetPrice: number;
  prevClose: number;
}

export function isCovered(sym: KrSymbol): boolean {
  return sym.kind === 'stock' && hash32(`cover:${sym.code}`) % 10 < 7;
}

function brokersOf(sym: KrSymbol): readonly string[] {
  const h = hash32(`brokers:${sym.code}`);
  const n = 2 + (h % 7);
  return BROKERS.filter((_, i) => ((h >>> 3) + i * 7) % BROKERS.length < n);
}

function opinionAt(market: SyntheticMarket, sym: KrSymbol, broker: string, dayIndex: number): readonly [string, string] {
  const u = keyedUnit(market.seed, hash32(`opn:${sym.code}:${broker}`), dayIndex);
  return OPINIONS[Math.floor(u * OPINIONS.length)] ?? OPINIONS[0]!;
}

/**
 * Reports on `sym` dated fromYmd..toYmd (trading days) and published by `visibleThroughYmd` (reports come out
 * before the open, so a day's reports are visible from that day on), newest first.
 */
export function opinionsBetween(market: SyntheticMarket, sym: KrSymbol, fromYmd: number, toYmd: number, visibleThroughYmd: number): SimOpinion[] {
  if (!isCovered(sym)) return [];
  const cal = market.krCalendar;
  const series = market.krSeries(sym);
  const brokers = brokersOf(sym);
  const out: SimOpinion[] = [];
  const last = cal.indexOnOrBefore(Math.min(toYmd, visibleThroughYmd));
  // Bounded: at most ~3 years of trading days are scanned, whatever range is asked.
  for (let i = last, scanned = 0; i >= 1 && scanned < 800; i--, scanned++) {
    const ymd = cal.at(i) ?? 0;
    if (ymd < fromYmd) break;
    for (const broker of brokers) {
      if (keyedUnit(market.seed, hash32(`rpt:${sym.code}:${broker}`), i) >= 1 / 40) continue;
      const prevClose = series.close(i - 1);
      const [opinion, opinionCode] = opinionAt(market, sym, broker, i);
      const [previousOpinion, previousOpinionCode] = opinionAt(market, sym, broker, i - 40);
      const lift = opinionCode === '2' ? 1.15 + 0.35 * keyedUnit(market.seed, hash32(`tgt:${sym.code}:${broker}`), i) : 1.0;
      out.push({ ymd, broker, opinion, opinionCode, previousOpinion, previousOpinionCode, targetPrice: Math.max(100, Math.round((prevClose * lift) / 100) * 100), prevClose });
    }
  }
  return out;
}

export interface SimEstimate {
  estimateYmd: number;
  analyst: string;
  recommendation: string;
  /** "YYYY12" for the last two fiscal years and the next three */
  periods: string[];
  /** 6 rows × periods, in INCOME order (revenue, growth, operating profit, growth, net income, growth) — 억원 and % */
  income: number[][];
  /** 8 rows × periods: EBITDA, EPS, EPS growth, PER, EV/EBITDA, ROE, debt ratio, interest coverage */
  indicators: number[][];
  capital: number;
}

const growth = (cur: number, prev: number): number => (prev === 0 ? 0 : ((cur - prev) / Math.abs(prev)) * 100);

/** The consensus as of the Monday on or before todayYmd (revised weekly); undefined without coverage. */
export function estimateAsOf(market: SyntheticMarket, sym: KrSymbol, todayYmd: number, price: number): SimEstimate | undefined {
  if (!isCovered(sym)) return undefined;
  const monday = ymdToDayNumber(todayYmd) - (isoWeekday(todayYmd) - 1);
  const next = mulberry32(hash32(`est:${sym.code}:${monday}`) ^ market.seed);
  const year = Math.floor(todayYmd / 10000);
  const periods = [year - 2, year - 1, year, year + 1, year + 2].map((y) => `${y}12`);
  const cap = (price * sym.listedShares) / 1e8; // 억원
  let revenue = cap * (0.4 + 1.6 * (hash32(`rev:${sym.code}`) / 4294967296));
  const margin = 0.03 + 0.17 * (hash32(`mgn:${sym.code}`) / 4294967296);
  const rows = { rev: [] as number[], op: [] as number[], net: [] as number[] };
  for (let p = 0; p <= periods.length; p++) {
    revenue *= 0.95 + 0.2 * next();
    const op = revenue * margin * (0.8 + 0.4 * next());
    rows.rev.push(revenue);
    rows.op.push(op);
    rows.net.push(op * (0.65 + 0.15 * next()));
  }
  // Index 0 is the hidden year before the first period; it only feeds the first growth rates.
  const at = (xs: number[], p: number): number => xs[p + 1] ?? 0;
  const round1 = (v: number): number => Math.round(v * 10) / 10;
  const span = periods.map((_, p) => p);
  const eps = span.map((p) => (at(rows.net, p) * 1e8) / sym.listedShares);
  const epsPrev = span.map((p) => (at(rows.net, p - 1) * 1e8) / sym.listedShares);
  const income = [
    span.map((p) => round1(at(rows.rev, p))),
    span.map((p) => round1(growth(at(rows.rev, p), at(rows.rev, p - 1)))),
    span.map((p) => round1(at(rows.op, p))),
    span.map((p) => round1(growth(at(rows.op, p), at(rows.op, p - 1)))),
    span.map((p) => round1(at(rows.net, p))),
    span.map((p) => round1(growth(at(rows.net, p), at(rows.net, p - 1)))),
  ];
  const debtRatio = 40 + (hash32(`debt:${sym.code}`) % 160);
  const indicators = [
    span.map((p) => round1(at(rows.op, p) * 1.3)),
    span.map((p) => Math.round(eps[p] ?? 0)),
    span.map((p) => round1(growth(eps[p] ?? 0, epsPrev[p] ?? 0))),
    span.map((p) => round1((eps[p] ?? 0) > 0 ? price / (eps[p] ?? 1) : 0)),
    span.map((p) => round1((cap * (1 + debtRatio / 200)) / Math.max(1, at(rows.op, p) * 1.3))),
    span.map((p) => round1((at(rows.net, p) / Math.max(1, cap * 0.6)) * 100)),
    span.map(() => debtRatio),
    span.map((p) => round1(at(rows.op, p) / Math.max(1, cap * 0.01))),
  ];
  const broker = brokersOf(sym)[0] ?? BROKERS[0];
  return { estimateYmd: dayNumberToYmd(monday), analyst: `${broker} 리서치`, recommendation: '매수', periods, income, indicators, capital: Math.round((sym.listedShares * 500) / 1e8) };
}
