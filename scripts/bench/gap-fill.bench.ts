// Benchmark: gap-fill for 40 symbols × 30 missing minutes (issue 13 item 3) through the daemon's real broker
// stack (createBroker: token manager + shared limiter + REST client + KisRestApi) and GapFiller into SQLite,
// against the simulator enforcing KIS's 20/s per app key. The clock is the real one shifted into a KR session
// (Monday 2026-11-23 13:00 KST) so the simulator serves today's minute bars whatever the host's date.
// Setups: 3 gap end instants (5, 45 and 120 minutes before "now") × 2 shapes — 30 whole minutes (one 30-bar page
// per symbol) and a gap starting and ending mid-minute (31 minutes touched: two pages per symbol) — each trial on
// its own 40-symbol slice of the universe, a fresh broker (fresh limiter) and a fresh store.
// Usage: node --expose-gc dist/scripts/bench/gap-fill.bench.js [--scale 0.5]
import pino from 'pino';
import { offsetClock, systemClock } from '../../src/core/clock.js';
import { kstInstant } from '../../src/core/kst.js';
import { GapFiller } from '../../src/feed/gap-filler.js';
import { KIS_PATHS } from '../../src/kis/rest/index.js';
import { openStore } from '../../src/store/index.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { startSimBrokerEnv } from './lib/sim-broker.js';
import { summarize } from './lib/stats.js';

const SYMBOLS = 40;
const MISSING_MINUTES = 30;
const MINUTE_MS = 60_000;
const mono = (): number => systemClock.monotonicMs();

interface Setup {
  endMinutesAgo: number;
  midMinute: boolean;
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('gap-fill', args);
  const clock = offsetClock(systemClock, kstInstant('2026-11-23 13:00:00') - systemClock.nowMs());
  const env = await startSimBrokerEnv({ clock, simRateLimitPerSec: 20 });
  const setups: Setup[] = [5, 45, 120].flatMap((endMinutesAgo) => [false, true].map((midMinute) => ({ endMinutesAgo, midMinute })));
  const trials = setups.slice(0, Math.max(2, Math.round(setups.length * args.scale)));
  report.figure('setups', setups.length, `distinct (gap end × shape), ${trials.length} run, one trial each`);
  report.figure('symbolsPerGap', SYMBOLS);
  report.figure('missingMinutes', MISSING_MINUTES);
  const ratios: number[] = [];
  const seconds: number[] = [];
  let lostBars = 0;
  let egwTotal = 0;
  try {
    const universe = env.sim.market.krRequestCodes().filter((c) => c.length === 6);
    const config = env.config({});
    const perSecond = config.resolved.rateLimit.windows.perSecond;
    for (const [i, s] of trials.entries()) {
      const broker = env.openBroker(config);
      await broker.tokens.getAccessToken(); // outside the timed window
      const store = openStore({ path: ':memory:' });
      const codes = universe.slice(i * SYMBOLS, (i + 1) * SYMBOLS);
      const filler = new GapFiller({ clock, log: pino({ level: 'silent' }), source: broker.api, gaps: store.feedGaps, bars: store.minuteBars, symbols: () => codes, settleMs: 0 });
      const nowMinute = Math.floor(clock.nowMs() / MINUTE_MS) * MINUTE_MS;
      const toMs = nowMinute - s.endMinutesAgo * MINUTE_MS + (s.midMinute ? 20_000 : 0);
      const fromMs = toMs - MISSING_MINUTES * MINUTE_MS;
      const touched = Math.ceil(toMs / MINUTE_MS) - Math.floor(fromMs / MINUTE_MS);
      const calls0 = env.sim.stats.count({ path: KIS_PATHS.inquireTimeItemChart });
      const egw0 = env.sim.stats.count({ msgCd: 'EGW00201' });
      const t0 = mono();
      filler.record({ day: '20261123', fromMs, toMs, reason: 'bench' });
      while (filler.queuedGaps() > 0) await new Promise((r) => setTimeout(r, 5));
      const elapsedSec = (mono() - t0) / 1000;
      const calls = env.sim.stats.count({ path: KIS_PATHS.inquireTimeItemChart }) - calls0;
      const egw = env.sim.stats.count({ msgCd: 'EGW00201' }) - egw0;
      const gap = store.feedGaps.onDay('20261123')[0];
      const bars = store.minuteBars.countOn('20261123');
      const ratio = calls / elapsedSec / perSecond;
      const label = `trial${i + 1}(end -${s.endMinutesAgo} min, ${s.midMinute ? 'mid-minute' : 'whole minutes'})`;
      report.figure(`${label}.minutesTouched`, touched);
      report.figure(`${label}.fillSec`, Math.round(elapsedSec * 1000) / 1000, 's (record → every symbol stored)');
      report.figure(`${label}.calls`, calls, `minute-chart calls (expected ${SYMBOLS * Math.ceil(touched / 30)} computed: ⌈${touched}/30⌉ per symbol)`);
      report.figure(`${label}.ratioVsClientPerSecond`, Math.round(ratio * 1000) / 1000, `(calls/s ÷ ${perSecond})`);
      report.figure(`${label}.bars`, bars, `stored (expected ${SYMBOLS * touched}); gap ${gap?.status ?? 'missing'}`);
      ratios.push(ratio);
      seconds.push(elapsedSec);
      lostBars += SYMBOLS * touched - bars;
      egwTotal += egw;
      await filler.stop();
      store.close();
    }
    report.figure('fillSec', summarize(seconds), 'over trials');
    report.figure('ratioVsClientPerSecond', summarize(ratios), 'over trials');
    report.target('every missed bar stored (bars lost over all trials)', lostBars, '==', 0);
    report.target('EGW00201 (rate exceeded) replies', egwTotal, '==', 0);
    report.target('worst trial: achieved calls/s ÷ client per_second', Math.min(...ratios), '>=', 0.8);
  } finally {
    await env.close();
  }
  report.finish();
}

runBench(main);
