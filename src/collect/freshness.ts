// Data freshness checks (seed 002 §9): yesterday's daily bars present by 09:00 on a trading day, realtime
// quotes no older than 5 minutes during the session, today's investor flows after the close, the newest news
// headline no older than 24 h (on trading days), the newest consensus (opinion or estimate) no older than 7 days.
// A stale dataset triggers the re-collection callback and a WARNING alert (de-duplicated per dataset and date).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { kstMinuteOfDay, kstYmd, parseHhMm } from '../core/kst.js';
import type { AlertPort } from '../core/alert.js';
import { previousKrTradingDay, type TradingCalendar } from '../core/trading-calendar.js';

export type FreshnessDataset = 'daily_bars' | 'quotes' | 'investor_flows' | 'news' | 'consensus';

export interface FreshnessProbes {
  /** Rows of daily bars on "YYYYMMDD". */
  dailyBarsCount(date: string): number;
  /** Newest quote's as_of, epoch ms. */
  latestQuoteAsOfMs(): number | undefined;
  investorFlowsCount(date: string): number;
  /** Newest stored headline's time, epoch ms; without it, news is not checked. */
  newestNewsAtMs?(): number | undefined;
  /** Newest stored consensus date "YYYYMMDD" (opinions, estimates); without it, consensus is not checked. */
  newestConsensusYmd?(): string | undefined;
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
  /** News is stale when the newest headline is older. Default 24 h. */
  newsMaxAgeMs?: number;
  /** Consensus is stale when its newest date is more than this many calendar days back. Default 7. */
  consensusMaxAgeDays?: number;
}

export interface FreshnessChecker {
  /** Pure evaluation at the clock's now, of `only` (default: every dataset its probes cover). */
  check(only?: readonly FreshnessDataset[]): FreshnessReport[];
  /** check() + onStale + WARNING alert for every stale dataset. Never rejects. */
  runOnce(only?: readonly FreshnessDataset[]): Promise<FreshnessReport[]>;
}

/** What an operator runs to re-collect a dataset by hand (the CLI's dataset names). */
const COLLECT_COMMAND: Record<FreshnessDataset, string> = {
  daily_bars: '`kisd collect daily-bars`',
  quotes: '`kisd collect quotes`',
  investor_flows: '`kisd collect investor-flows`',
  news: '`kisd collect news`',
  consensus: '`kisd collect opinions` and `kisd collect estimates`',
};

export function createFreshnessChecker(opts: FreshnessOptions): FreshnessChecker {
  const log = opts.logger.child({ component: 'freshness' });
  const barsDue = parseHhMm(opts.dailyBarsDueAt ?? '09:00');
  const open = parseHhMm(opts.sessionOpen ?? '09:00');
  const close = parseHhMm(opts.sessionClose ?? '15:30');
  const flowsDue = parseHhMm(opts.investorFlowsDueAt ?? '16:00');
  const quoteMaxAgeMs = opts.quoteMaxAgeMs ?? 300_000;
  const newsMaxAgeMs = opts.newsMaxAgeMs ?? 86_400_000;
  const consensusMaxAgeDays = opts.consensusMaxAgeDays ?? 7;
  const minOf = (v: number | (() => number) | undefined): number => Math.max(1, (typeof v === 'function' ? v() : v) ?? 1);

  interface At {
    now: number;
    today: string;
    minute: number;
    trading: boolean;
  }

  function dailyBars(t: At): FreshnessReport {
    if (!t.trading || t.minute < barsDue) return { dataset: 'daily_bars', status: 'not-due', reason: t.trading ? `checked from ${opts.dailyBarsDueAt ?? '09:00'}` : 'not a trading day' };
    const prev = previousKrTradingDay(opts.calendar, t.today);
    const n = opts.probes.dailyBarsCount(prev);
    const minBars = minOf(opts.minDailyBars);
    return n >= minBars
      ? { dataset: 'daily_bars', status: 'fresh', reason: `${n} bars for ${prev}`, expectedDate: prev }
      : { dataset: 'daily_bars', status: 'stale', reason: `${n} daily bars for ${prev} (expected at least ${minBars}) at ${opts.dailyBarsDueAt ?? '09:00'}`, expectedDate: prev };
  }

  function quotes(t: At): FreshnessReport {
    if (!t.trading || t.minute < open || t.minute >= close) return { dataset: 'quotes', status: 'not-due', reason: 'outside the regular session' };
    const asOf = opts.probes.latestQuoteAsOfMs();
    const ageMs = asOf === undefined ? Infinity : t.now - asOf;
    return ageMs <= quoteMaxAgeMs
      ? { dataset: 'quotes', status: 'fresh', reason: `newest quote ${Math.round(ageMs / 1000)} s old` }
      : { dataset: 'quotes', status: 'stale', reason: asOf === undefined ? 'no quote stored' : `newest quote is ${Math.round(ageMs / 1000)} s old (limit ${Math.round(quoteMaxAgeMs / 1000)} s)` };
  }

  function investorFlows(t: At): FreshnessReport {
    if (!t.trading || t.minute < flowsDue) return { dataset: 'investor_flows', status: 'not-due', reason: t.trading ? `checked from ${opts.investorFlowsDueAt ?? '16:00'}` : 'not a trading day' };
    const n = opts.probes.investorFlowsCount(t.today);
    const minFlows = minOf(opts.minInvestorFlows);
    return n >= minFlows
      ? { dataset: 'investor_flows', status: 'fresh', reason: `${n} rows for ${t.today}`, expectedDate: t.today }
      : { dataset: 'investor_flows', status: 'stale', reason: `${n} investor-flow rows for ${t.today} after the close (expected at least ${minFlows})`, expectedDate: t.today };
  }

  /** Headlines flow on trading days; over a weekend or holiday a day without one is normal, not stale. */
  function news(t: At, newest: () => number | undefined): FreshnessReport {
    if (!t.trading) return { dataset: 'news', status: 'not-due', reason: 'not a trading day' };
    const at = newest();
    const ageMs = at === undefined ? Infinity : t.now - at;
    const limitH = Math.round(newsMaxAgeMs / 3_600_000);
    return ageMs <= newsMaxAgeMs
      ? { dataset: 'news', status: 'fresh', reason: `newest headline ${Math.round(ageMs / 60_000)} min old` }
      : { dataset: 'news', status: 'stale', reason: at === undefined ? 'no headline stored' : `newest headline is ${(ageMs / 3_600_000).toFixed(1)} h old (limit ${limitH} h)`, expectedDate: t.today };
  }

  function consensus(t: At, newest: () => string | undefined): FreshnessReport {
    const ymd = newest();
    const oldestFresh = kstYmd(t.now - consensusMaxAgeDays * 86_400_000);
    return ymd !== undefined && ymd >= oldestFresh
      ? { dataset: 'consensus', status: 'fresh', reason: `newest consensus dated ${ymd}` }
      : { dataset: 'consensus', status: 'stale', reason: ymd === undefined ? 'no consensus stored' : `newest consensus dated ${ymd}, older than ${consensusMaxAgeDays} days`, expectedDate: t.today };
  }

  function check(only?: readonly FreshnessDataset[]): FreshnessReport[] {
    const now = opts.clock.nowMs();
    const today = kstYmd(now);
    const t: At = { now, today, minute: kstMinuteOfDay(now), trading: opts.calendar.isKrTradingDay(today) };
    const want = (d: FreshnessDataset): boolean => only === undefined || only.includes(d);
    const reports: FreshnessReport[] = [];
    if (want('daily_bars')) reports.push(dailyBars(t));
    if (want('quotes')) reports.push(quotes(t));
    if (want('investor_flows')) reports.push(investorFlows(t));
    const { newestNewsAtMs, newestConsensusYmd } = opts.probes;
    if (want('news') && newestNewsAtMs) reports.push(news(t, () => newestNewsAtMs()));
    if (want('consensus') && newestConsensusYmd) reports.push(consensus(t, () => newestConsensusYmd()));
    return reports;
  }

  async function runOnce(only?: readonly FreshnessDataset[]): Promise<FreshnessReport[]> {
    let reports: FreshnessReport[];
    try {
      reports = check(only);
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
          nextSteps: `Watch the log for the re-collection result; if it keeps failing check the KIS connection and run ${COLLECT_COMMAND[r.dataset]} by hand.`,
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
  research?: { newestNewsAtMs(): number | undefined; newestConsensusDate(): string | undefined };
}, quoteMarket?: string): FreshnessProbes {
  const research = store.research;
  return {
    dailyBarsCount: (d) => store.dailyBars.countOn(d),
    latestQuoteAsOfMs: () => store.quotes.latestAsOfMs(quoteMarket),
    investorFlowsCount: (d) => store.investorFlows.countOn(d),
    ...(research ? { newestNewsAtMs: () => research.newestNewsAtMs(), newestConsensusYmd: () => research.newestConsensusDate() } : {}),
  };
}
