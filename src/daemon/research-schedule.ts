// The daily research collection of `kisd run` (issue 13 item 2, seed 002 §9): on KR trading days from
// collect.research_at (default 08:00 KST, before the KR feed and the session), news headlines of the last day,
// brokerage opinions of the last 7 days and today's estimates for the screening universe. Its own minute timer,
// not a phase: restart recovery runs missing phases one after another, and an 8-minute research run for 2,800
// symbols must never hold back a late trading session. A restart after the day's run makes no request (each
// dataset's run key names the day, so its finished checkpoint returns at once); a restart before or during it
// runs or resumes it, after a late screening or selection. The freshness checks (freshness-wiring.ts: news every 30 min, consensus every 3 h) stay the
// safety net when this run fails or is switched off.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { kstMinuteOfDay, kstYmd, parseHhMm } from '../core/kst.js';
import type { LifecycleComponent } from '../core/lifecycle.js';
import type { TradingCalendar } from '../core/trading-calendar.js';
import type { UniverseDataset } from './universe-collection.js';

export const RESEARCH_DATASETS = ['news', 'opinions', 'estimates'] as const satisfies readonly UniverseDataset[];

export interface ResearchScheduleOptions {
  clock: Clock;
  logger: Logger;
  calendar: TradingCalendar;
  /** "HH:MM" KST; the run starts at the first minute tick at or after it. */
  at: string;
  /** Collects one dataset for the universe; `dataDate` "YYYYMMDD" makes the run key that day's. */
  collect(name: UniverseDataset, signal: AbortSignal, dataDate: string): Promise<unknown>;
  /** Minute ticks in between; default 60 000 ms. */
  checkEveryMs?: number;
  /**
   * True while work the session needs holds the rate budget (a late screening or selection): the next dataset
   * waits for it, checked every tick.
   */
  yieldTo?: () => boolean;
}

export interface ResearchSchedule extends LifecycleComponent {
  /** The day's run if it is due and not yet done in this process; resolves when it ends (never rejects). */
  tick(): Promise<void>;
}

export function createResearchSchedule(o: ResearchScheduleOptions): ResearchSchedule {
  const log = o.logger.child({ component: 'research' });
  const atMin = parseHhMm(o.at);
  let doneYmd: string | undefined;
  let running: Promise<void> | undefined;
  let timer: TimerHandle | undefined;
  let lifetime = new AbortController();

  async function runDay(ymd: string): Promise<void> {
    const failed: string[] = [];
    for (const name of RESEARCH_DATASETS) {
      try {
        while (o.yieldTo?.() === true) await o.clock.sleep(o.checkEveryMs ?? 60_000, lifetime.signal);
      } catch {
        return; // stopped while waiting
      }
      if (lifetime.signal.aborted) return;
      try {
        await o.collect(name, lifetime.signal, ymd);
      } catch (err) {
        if (lifetime.signal.aborted) return;
        failed.push(name);
        log.warn({ dataset: name, err: errorMessage(err) }, 'daily research collection failed; the freshness check re-collects it');
      }
    }
    // A failed dataset is left to the freshness safety net rather than retried every minute.
    doneYmd = ymd;
    log.info({ ymd, failed }, failed.length === 0 ? 'daily research collection done' : `daily research collection done, ${failed.join(', ')} failed`);
  }

  function tick(): Promise<void> {
    if (running) return running;
    const now = o.clock.nowMs();
    const ymd = kstYmd(now);
    if (doneYmd === ymd || kstMinuteOfDay(now) < atMin || !o.calendar.isKrTradingDay(ymd)) return Promise.resolve();
    running = runDay(ymd).finally(() => (running = undefined));
    return running;
  }

  return {
    name: 'research-schedule',
    tick,
    start: () => {
      lifetime = new AbortController();
      // A start after the day's time catches up at the first tick (a finished run makes no request), by when
      // restart recovery has taken up a missed screening, which yieldTo lets go first.
      timer = o.clock.setInterval(() => void tick(), o.checkEveryMs ?? 60_000);
    },
    stop: async (deadline) => {
      o.clock.clearInterval(timer);
      lifetime.abort();
      const inFlight = running;
      if (inFlight) await Promise.race([inFlight, new Promise((r) => deadline.addEventListener('abort', r, { once: true }))]);
    },
  };
}
