// A seeded week: which weekday is the KRX holiday, the daemon's config, the account before Monday, and the
// fault events of each day, all drawn from one PRNG so `KISD_REPLAY_SEED=<n>` replays the same week.
import { kstInstant, kstYmd } from '../../../src/core/kst.js';
import { mulberry32 } from '../../../src/sim/market/prng.js';
import type { Simulator } from '../../../src/sim/index.js';
import type { ReplaySim } from './replay-sim.js';
import type { ReplayWorld } from './week-replay.js';

export interface FaultEvent {
  atMs: number;
  kind: string;
  apply(world: ReplayWorld): Promise<void> | void;
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
    setup: () => undefined,
    config: (sim, varDir) => {
      const codes = sim.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 30);
      return {
        mode: 'sim',
        paths: { var_dir: varDir },
        kis: { rest_base_url: sim.restUrl, ws_url: sim.wsUrl },
        health: { enabled: false },
        feed: { kr_watchlist: codes.slice(0, 5), us_watchlist: [] },
        scheduler: { screening_symbols: codes },
        trading: { screening: { min_price_krw: 0, max_price_krw: 1e12, min_avg_turnover_krw: 0, min_score: -1e12, max_selected: 10 } },
      };
    },
  };
}
