// Data freshness checks (seed 002 §9): yesterday's daily bars present by 09:00 on a trading day, realtime
// quotes no older than 5 minutes during the session, today's investor flows after the close. A stale
// dataset triggers the re-collection callback and a WARNING alert (de-duplicated per dataset and date).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { kstMinuteOfDay, kstYmd, parseHhMm } from '../core/kst.js';
import type { AlertPort } from '../core/alert.js';
import { previousKrTradingDay, type TradingCalendar } from '../core/trading-calendar.js';

export type FreshnessDataset = 'daily_bars' | 'quotes' | 'investor_flows';

export interface FreshnessProbes {
  /** Rows of daily bars on "YYYYMMDD". */
  dailyBarsCount(date: string): number;
  /** Newest quote's as_of, epoch ms. */
  latestQuoteAsOfMs(): number | undefined;
  investorFlowsCount(date: string): number;
}

export interface FreshnessReport {
  dataset: FreshnessDataset;
  status: 'fresh' | 'stale' | 'not-due';
  reason: string;
  /** The date whose data was expected ("YYYYMMDD"), when the check is date-based. */
  expectedDate?: string;
}

export interface FreshnessOptions {
  clock: Clock;
  logger: Logger;
  calendar: TradingCalendar;
  probes: FreshnessProbes;
  alerts?: AlertPort;
  /** Re-collection trigger; errors are logged, never thrown. */
  onStale?: (report: FreshnessReport) => void | Promise<void>;
  /** Default "09:00". */
  dailyBarsDueAt?: string;
  /** Regular session, default "09:00"–"15:30". */
  sessionOpen?: string;
  sessionClose?: string;
  /** Default 300000 ms (5 min). */
  quoteMaxAgeMs?: number;
  /** Investor flows are published after the close; checked from this time. Default "16:00". */
  investorFlowsDueAt?: string;
  /**
   * Fewer rows than this for the expected date counts as stale. Default 1. A function is read at every check:
   * the daemon asks for most of the universe (one symbol's bar does not make the day fresh).
   */
  minDailyBars?: number | (() => number);
  minInvestorFlows?: number | (() => number);
}

export interface FreshnessChecker {
  /** Pure evaluation at the clock's now. */
  check(): FreshnessReport[];
  /** check() + onStale + WARNING alert for every stale dataset. Never rejects. */
  runOnce(): Promise<FreshnessReport[]>;
}

export function createFreshnessChecker(opts: FreshnessOptions): FreshnessChecker {
  const log = opts.logger.child({ component: 'freshness' });
  const barsDue = parseHhMm(opts.dailyBarsDueAt ?? '09:00');
  const open = parseHhMm(opts.sessionOpen ?? '09:00');
  const close = parseHhMm(opts.sessionClose ?? '15:30');
  const flowsDue = parseHhMm(opts.investorFlowsDueAt ?? '16:00');
  const quoteMaxAgeMs = opts.quoteMaxAgeMs ?? 300_000;
  const minOf = (v: number | (() => number) | undefined): number => Math.max(1, (typeof v === 'function' ? v() : v) ?? 1);

  function check(): FreshnessReport[] {
    const now = opts.clock.nowMs();
    const today = kstYmd(now);
    const minute = kstMinuteOfDay(now);
    const trading = opts.calendar.isKrTradingDay(today);
    const reports: FreshnessReport[] = [];

    if (!trading || minute < barsDue) reports.push({ dataset: 'daily_bars', status: 'not-due', reason: trading ? `checked from ${opts.dailyBarsDueAt ?? '09:00'}` : 'not a trading day' });
    else {
      const prev = previousKrTradingDay(opts.calendar, today);
      const n = opts.probes.dailyBarsCount(prev);
      const minBars = minOf(opts.minDailyBars);
      reports.push(n >= minBars
        ? { dataset: 'daily_bars', status: 'fresh', reason: `${n} bars for ${prev}`, expectedDate: prev }
        : { dataset: 'daily_bars', status: 'stale', reason: `${n} daily bars for ${prev} (expected at least ${minBars}) at ${opts.dailyBarsDueAt ?? '09:00'}`, expectedDate: prev });
    }

    if (!trading || minute < open || minute >= close) reports.push({ dataset: 'quotes', status: 'not-due', reason: 'outside the regular session' });
    else {
      const asOf = opts.probes.latestQuoteAsOfMs();
      const ageMs = asOf === undefined ? Infinity : now - asOf;
      reports.push(ageMs <= quoteMaxAgeMs
        ? { dataset: 'quotes', status: 'fresh', reason: `newest quote ${Math.round(ageMs / 1000)} s old` }
        : { dataset: 'quotes', status: 'stale', reason: asOf === undefined ? 'no quote stored' : `newest quote is ${Math.round(ageMs / 1000)} s old (limit ${Math.round(quoteMaxAgeMs / 1000)} s)` });
    }

    if (!trading || minute < flowsDue) reports.push({ dataset: 'investor_flows', status: 'not-due', reason: trading ? `checked from ${opts.investorFlowsDueAt ?? '16:00'}` : 'not a trading day' });
    else {
      const n = opts.probes.investorFlowsCount(today);
      const minFlows = minOf(opts.minInvestorFlows);
      reports.push(n >= minFlows
        ? { dataset: 'investor_flows', status: 'fresh', reason: `${n} rows for ${today}`, expectedDate: today }
        : { dataset: 'investor_flows', status: 'stale', reason: `${n} investor-flow rows for ${today} after the close (expected at least ${minFlows})`, expectedDate: today });
    }
    return reports;
  }

  async function runOnce(): Promise<FreshnessReport[]> {
    let reports: FreshnessReport[];
    try {
      reports = check();
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'freshness check failed');
      return [];
    }
    for (const r of reports.filter((x) => x.status === 'stale')) {
      log.warn({ dataset: r.dataset, reason: r.reason }, 'stale dataset');
      let triggered = 'no re-collection is configured';
      if (opts.onStale) {
        try {
          await opts.onStale(r);
          triggered = 're-collection was started automatically';
        } catch (err) {
          triggered = `starting a re-collection failed: ${errorMessage(err)}`;
          log.error({ dataset: r.dataset, err: errorMessage(err) }, 're-collection trigger failed');
        }
      }
      await opts.alerts
        ?.send({
          key: `freshness:${r.dataset}:${r.expectedDate ?? kstYmd(opts.clock.nowMs())}`,
          level: 'WARNING',
          title: `Stale data: ${r.dataset}`,
          what: r.reason,
          tried: `kisd noticed this in its freshness check; ${triggered}.`,
          nextSteps: `Watch the log for the re-collection result; if it keeps failing check the KIS connection and run \`kisd collect ${r.dataset}\` by hand.`,
        })
        .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not send freshness alert'));
    }
    return reports;
  }

  return { check, runOnce };
}

/** Probes backed by the SQLite repositories. */
export function storeFreshnessProbes(store: {
  dailyBars: { countOn(date: string): number };
  quotes: { latestAsOfMs(market?: string): number | undefined };
  investorFlows: { countOn(date: string): number };
}, quoteMarket?: string): FreshnessProbes {
  return {
    dailyBarsCount: (d) => store.dailyBars.countOn(d),
    latestQuoteAsOfMs: () => store.quotes.latestAsOfMs(quoteMarket),
    investorFlowsCount: (d) => store.investorFlows.countOn(d),
  };
}
