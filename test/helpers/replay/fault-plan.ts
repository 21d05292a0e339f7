// A seeded week: which weekday is the KRX holiday, the daemon's config, the account before Monday, and the
// fault events of each day, all drawn from one PRNG so `KISD_REPLAY_SEED=<n>` replays the same week.
import { kstInstant, kstYmd } from '../../../src/core/kst.js';
import { mulberry32 } from '../../../src/sim/market/prng.js';
import type { Simulator } from '../../../src/sim/index.js';
import { drawDayFaults, enabledKinds, kindRandom, type FaultEvent } from './faults.js';
import { ACCOUNT_NO, type ReplaySim } from './replay-sim.js';

export interface PlannedDay {
  /** "YYYY-MM-DD" (KST). */
  iso: string;
  ymd: string;
  events: FaultEvent[];
}

export interface WeekPlan {
  seed: number;
  /** "YYYYMMDD", a weekday. */
  holiday: string;
  days: PlannedDay[];
  /** The operator's own shares, in the account before Monday: symbol → qty (kisd must leave them alone). */
  operatorHoldings: Record<string, number>;
  /** trading.risk.daily_loss_limit_krw of the daemon's config. */
  dailyLossLimitKrw: number;
  /** trading.risk.max_order_value_krw of the daemon's config. */
  maxOrderValueKrw: number;
  /** KST "HH:MM" by which the market close has run. */
  closeEndsAt: string;
  /**
   * The strategy's time exit: 09:27, inside the session, or (some weeks) 09:33, after it, so the market close
   * flattens what the session left open with market sells (and an order-path kill can hit one of them).
   */
  strategyExitAt: string;
  /** KST "HH:MM": scheduler.trading_until, the session's end and the latest selection may start. */
  sessionEndsAt: string;
  setup(rs: ReplaySim): Promise<void> | void;
  config(sim: Simulator, varDir: string): Record<string, unknown>;
}

/** The screening universe: the simulator's first 30 six-digit codes. */
const universe = (sim: Simulator): string[] => sim.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 30);

/**
 * Purchase price of each operator holding as a factor of Friday's price, 20 M KRW each: 1.5 is a loss of
 * about 6.7 M (over the 1 M daily loss limit), 0.6 a gain of about 13.3 M worth 33.3 M (over the 30 M gross
 * exposure limit).
 */
const HOLDING_MIXES: readonly (readonly number[])[] = [[1.5], [0.6], [0.6, 1.5]];

/** The replay's session end (09:00–09:30: a week runs in seconds). */
const SESSION_ENDS_AT = '09:30';

/** The first codes of the universe form the KR watchlist. */
const WATCHLIST_SIZE = 5;

/** The Mondays a seed may draw (no KRX holiday in these weeks besides the drawn one). */
const MONDAYS = ['2026-11-23', '2026-11-30', '2026-12-07', '2026-12-14'];

export function drawWeekPlan(seed: number): WeekPlan {
  const rnd = mulberry32(seed >>> 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const monday = kstInstant(`${pick(MONDAYS)} 00:00:00`);
  const days: PlannedDay[] = Array.from({ length: 7 }, (_, i) => {
    const ms = monday + i * 86_400_000;
    const ymd = kstYmd(ms);
    return { iso: `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`, ymd, events: [] };
  });
  const holiday = days[1 + Math.floor(rnd() * 4)]!.ymd; // Tuesday to Friday
  const kinds = enabledKinds();
  days.forEach((day, dayIndex) => {
    const tradingDay = dayIndex < 5 && day.ymd !== holiday;
    day.events.push(...drawDayFaults({ seed, dayIndex, iso: day.iso, tradingDay }, kinds));
  });
  const operatorHoldings: Record<string, number> = {};
  const holdRnd = kindRandom(seed, -1, 'operator-holdings');
  const withHoldings = kinds.includes('operator-holdings') && holdRnd() < 0.5;
  // Which of the operator's holdings: a loser alone (its unrealised loss would trip the kill switch on a flat
  // day if counted), a gainer alone (worth more than max_gross_exposure_krw: counted, it would block every
  // entry and hide a loss), or both.
  const holdingMix = HOLDING_MIXES[Math.floor(holdRnd() * HOLDING_MIXES.length)]!;
  const strategyExitAt = kindRandom(seed, -2, 'flatten-at-close')() < 0.3 ? '09:33' : '09:27';
  return {
    seed,
    strategyExitAt,
    holiday,
    days,
    operatorHoldings,
    dailyLossLimitKrw: 1_000_000,
    maxOrderValueKrw: 5_000_000,
    closeEndsAt: '09:40',
    sessionEndsAt: SESSION_ENDS_AT,
    // The operator's own shares, bought the Friday before at a price far from today's (a large gain or loss):
    // kisd must neither sell them nor count them in its kill switch and exposure.
    setup: (rs) => {
      if (!withHoldings) return;
      // Symbols of the KR watchlist: always subscribed, so the daemon has their marks (a holding without one
      // would count at its cost and hide the bug the invariants look for).
      const codes = universe(rs.sim).slice(0, WATCHLIST_SIZE);
      const friday = monday - 3 * 86_400_000 + 10 * 3_600_000;
      for (const factor of holdingMix) {
        const i = Math.floor(holdRnd() * WATCHLIST_SIZE);
        const code = codes[i]!;
        const price = Math.round((rs.sim.market.krQuote(code, friday)?.price ?? 10_000) * factor);
        const qty = Math.ceil(20_000_000 / price);
        rs.sim.exchange.ledger(ACCOUNT_NO)!.applyFill({ venue: 'KR', odno: `operator-${i}`, code, side: 'buy', qty, price, fees: 0, ymd: Number(kstYmd(friday)), atMs: friday }, code);
        operatorHoldings[code] = (operatorHoldings[code] ?? 0) + qty;
      }
    },
    config: (sim, varDir) => {
      const codes = universe(sim);
      return {
        mode: 'sim',
        paths: { var_dir: varDir },
        kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl },
        health: { enabled: false, port: 0 },
        feed: { kr_watchlist: codes.slice(0, WATCHLIST_SIZE), us_watchlist: [] },
        // The day's phases in their order, the session shortened to 30 minutes (a week then runs in seconds)
        // and the market close while KRX is still open (it refuses orders after 15:30).
        scheduler: { screening_symbols: codes, trading_until: SESSION_ENDS_AT, market_close_at: '09:35' },
        // Every 10 minutes instead of every minute: a night of 1-minute passes costs more real time than a
        // session; reply-lost orders are still settled within the day the invariants check.
        orders: { reconcile_interval_sec: 600 },
        trading: {
          strategies: [{ kind: 'opening-range-breakout', params: { rangeMinutes: 3, lastEntryAt: '09:20', exitAt: strategyExitAt, entryTimeoutSec: 30 } }],
          screening: { min_price_krw: 0, max_price_krw: 1e12, min_avg_turnover_krw: 0, min_score: -1e12, max_selected: 10 },
        },
      };
    },
  };
}
