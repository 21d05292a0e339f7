// A seeded week: which weekday is the KRX holiday, the daemon's config, the account before Monday, and the
// fault events of each day, all drawn from one PRNG so `KISD_REPLAY_SEED=<n>` replays the same week.
import { kstInstant, kstYmd } from '../../../src/core/kst.js';
import { mulberry32 } from '../../../src/sim/market/prng.js';
import type { Simulator } from '../../../src/sim/index.js';
import type { ReplaySim } from './replay-sim.js';

/** What a fault event may do to the replay (week-replay.ts's world implements it). */
export interface FaultTarget {
  readonly rs: ReplaySim;
  /** Injected outages [from, to) epoch ms: feed gaps inside them are expected. */
  readonly outages: [number, number][];
  /** Restarts the daemon from its var dir: `kill` drops it like SIGKILL, else a graceful stop. */
  restart(kill: boolean): Promise<void>;
  /** Steps the host clock to the simulator's plus skewMs. */
  setSkew(skewMs: number): void;
}

export interface FaultEvent {
  atMs: number;
  kind: string;
  apply(world: FaultTarget): Promise<void> | void;
}

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
  /** KST "HH:MM" by which the market close has run. */
  closeEndsAt: string;
  setup(rs: ReplaySim): Promise<void> | void;
  config(sim: Simulator, varDir: string): Record<string, unknown>;
}

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
  const operatorHoldings: Record<string, number> = {};
  return {
    seed,
    holiday,
    days,
    operatorHoldings,
    dailyLossLimitKrw: 1_000_000,
    closeEndsAt: '09:40',
    setup: () => undefined,
    config: (sim, varDir) => {
      const codes = sim.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 30);
      return {
        mode: 'sim',
        paths: { var_dir: varDir },
        kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl },
        health: { enabled: false },
        feed: { kr_watchlist: codes.slice(0, 5), us_watchlist: [] },
        // The day's phases in their order, the session shortened to 30 minutes (a week then runs in seconds)
        // and the market close while KRX is still open (it refuses orders after 15:30).
        scheduler: { screening_symbols: codes, trading_until: '09:30', market_close_at: '09:35' },
        trading: {
          strategies: [{ kind: 'opening-range-breakout', params: { rangeMinutes: 3, lastEntryAt: '09:20', exitAt: '09:27', entryTimeoutSec: 30 } }],
          screening: { min_price_krw: 0, max_price_krw: 1e12, min_avg_turnover_krw: 0, min_score: -1e12, max_selected: 10 },
        },
      };
    },
  };
}
