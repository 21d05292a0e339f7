// Phase 1 (06:00 KST): ranks the universe from collected daily bars and investor flows (SQLite) with the
// configured rule set and writes the ranked result atomically. Seed 002 freshness: daily prices must be from
// the previous trading day; data older than maxDataAgeDays fails the phase (retried, then alerted) instead of
// selecting on stale prices.
import { DateTime } from 'luxon';
import { writeJsonAtomic } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { KisdError } from '../../core/errors.js';
import { formatKstTimestamp, KST_ZONE } from '../../core/kst.js';
import type { PhaseContext, PhaseJob } from '../../core/phases.js';
import type { ScreeningData } from './screening-data.js';
import { screeningFilePath, type ScreeningFile } from './screening-file.js';
import { compileScreeningRules, rankUniverse, type ScreeningRulesOptions, type SymbolHistory } from './screening-rules.js';

export interface ScreeningJobOptions {
  dataDir: string;
  data: ScreeningData;
  clock: Clock;
  rules?: ScreeningRulesOptions;
  /** Explicit universe of KR codes; default every symbol with a bar on the newest collected date. */
  universe?: readonly string[];
  /** Newest collected bar may be at most this many calendar days before today. Default 5 (long weekends). */
  maxDataAgeDays?: number;
}

export class StaleDataError extends KisdError {
  constructor(message: string) {
    super('KISD_SCREENING_STALE_DATA', message, { disposition: 'retryable' });
  }
}

function calendarDaysBetween(fromYmd: string, toYmd: string): number {
  const a = DateTime.fromFormat(fromYmd, 'yyyyMMdd', { zone: KST_ZONE });
  const b = DateTime.fromFormat(toYmd, 'yyyyMMdd', { zone: KST_ZONE });
  return Math.round(b.diff(a, 'days').days);
}

/** Computes today's screening (no I/O besides the data port). */
export function computeScreening(o: ScreeningJobOptions, ymd: string, nowMs: number): ScreeningFile {
  const rules = compileScreeningRules(o.rules);
  const dataDate = o.data.latestDate(ymd);
  if (dataDate === undefined) throw new StaleDataError('no daily bars collected yet; run the collector before screening');
  const maxAge = o.maxDataAgeDays ?? 5;
  const age = calendarDaysBetween(dataDate, ymd);
  if (age > maxAge) throw new StaleDataError(`newest daily bars are from ${dataDate}, ${age} days before ${ymd} (limit ${maxAge}); collect first`);
  const universe = o.universe ? [...new Set(o.universe)] : o.data.symbolsOn(dataDate);
  const histories: SymbolHistory[] = universe.map((s) => o.data.history(s, rules.lookbackDays + 1, dataDate));
  const { ranked, excluded } = rankUniverse(histories, rules, dataDate);
  return {
    date: ymd,
    created_at: formatKstTimestamp(nowMs),
    data_date: dataDate,
    rules: { ...rules },
    universe: universe.length,
    candidates: ranked.map((c, i) => ({ rank: i + 1, ...c })),
    excluded,
  };
}

export function createRankingScreeningJob(o: ScreeningJobOptions): PhaseJob {
  return {
    async run(ctx: PhaseContext) {
      const result = computeScreening(o, ctx.ymd, o.clock.nowMs());
      ctx.signal.throwIfAborted();
      await writeJsonAtomic(screeningFilePath(o.dataDir, ctx.ymd), result);
      const top = result.candidates.slice(0, 5).map((c) => `${c.symbol}:${c.score}`);
      ctx.logger.info({ universe: result.universe, candidates: result.candidates.length, excluded: result.excluded.length, dataDate: result.data_date, top }, `screening ranked ${result.candidates.length} of ${result.universe} symbols`);
      return { universe: result.universe, candidates: result.candidates.length, excluded: result.excluded.length, dataDate: result.data_date };
    },
  };
}
