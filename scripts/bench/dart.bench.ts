// Benchmark: OpenDART collection of the whole listed universe end to end — the corp-code list (corpCode.xml zip),
// then the disclosures of a week for every listed symbol (~2,800) through the bulk collector, the DART client the
// daemon builds (createDartParts: 900/min, 20/s, 19,000/day from the default config) and the DART simulator
// (1,000/min per key, 20,000/day) — with faults: two injected 020s (every caller pauses a minute), 1% HTTP 500,
// 0.5% wrongly shaped replies and 5 connection resets. Reports the busiest rolling minute against DART's limit,
// the time against the time the limit allows, and symbols lost.
// Usage: node --expose-gc dist/scripts/bench/dart.bench.js [--scale 0.25] [--speed 4]
//   --speed N runs the one clock the client, its limiter and waits and the simulator share N times faster; every
//   ratio below is in that clock's time (so unaffected), absolute durations are given in clock seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaledClock, systemClock } from '../../src/core/clock.js';
import { kstInstant } from '../../src/core/kst.js';
import { compileConfig } from '../../src/config/load.js';
import { createBulkCollector, createDartDatasets } from '../../src/collect/index.js';
import { createDartParts } from '../../src/daemon/dart-parts.js';
import { DART_PATHS, DART_SIM_API_KEY } from '../../src/dart/index.js';
import { createRecoveryQueue } from '../../src/recovery/index.js';
import { createDartSimulator } from '../../src/sim/dart/index.js';
import { buildUniverse } from '../../src/sim/market/universe.js';
import { openStore } from '../../src/store/index.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { silentLogger } from './lib/sim-broker.js';

const DART_LIMIT_PER_MIN = 1_000;

/** Most timestamps in any window of windowMs (sorted input). */
function busiest(sortedMs: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sortedMs.length; hi++) {
    while ((sortedMs[hi] as number) - (sortedMs[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('dart', args);
  const speed = args.flags['speed'] === undefined ? 1 : Number(args.flags['speed']);
  if (!(speed >= 1 && speed <= 20)) throw new RangeError(`--speed must be within 1..20, got ${args.flags['speed']}`);
  const clock = scaledClock(systemClock, { startAtMs: kstInstant('2026-11-23 20:00:00'), speed });
  const varDir = mkdtempSync(join(tmpdir(), 'kisd-bench-dart-'));
  const sim = await createDartSimulator({ clock, keys: [{ key: DART_SIM_API_KEY }], perMinuteLimit: DART_LIMIT_PER_MIN, perDayLimit: 20_000 });
  const config = compileConfig({ mode: 'sim', paths: { var_dir: varDir }, dart: { enabled: true, base_url: sim.url } }, 'bench', varDir);
  const dart = createDartParts({ endpoint: { baseUrl: sim.url, apiKey: DART_SIM_API_KEY, sim: undefined }, config, clock, logger: silentLogger });
  const store = openStore({ dataDir: config.resolved.paths.dataDir });
  const sentAt: number[] = [];
  dart.client.events.on('attempt', () => void sentAt.push(clock.nowMs()));
  try {
    const t0 = clock.monotonicMs();
    const map = await dart.corpCodes();
    const corpListSec = (clock.monotonicMs() - t0) / 1000;
    // The KIS simulator's whole KR universe: stocks and SPACs file with DART; ETFs and ETNs have no filer and are
    // "no data" without a request (the corp-code map says so).
    const universe = buildUniverse().kr.map((s) => s.code);
    const codes = universe.slice(0, Math.max(100, Math.round(universe.length * args.scale)));
    report.figure('listedFilers', map.size, `(corpCode.xml, ${Math.round(corpListSec * 10) / 10} clock s)`);
    report.figure('symbols', codes.length, `of the ${universe.length} KR symbols of the simulated market; ${codes.filter((c) => map.corpCodeFor(c) !== undefined).length} with a DART filer`);
    report.figure('clockSpeed', speed);
    const { disclosures } = createDartDatasets({ api: dart.api, corpCodes: dart.corpCodes, store, clock, logger: silentLogger });
    const params = { fromYmd: '20261116', toYmd: '20261123' };
    let injected020 = 0;
    const at = new Set<number>();
    const collector = createBulkCollector({
      dataDir: config.resolved.paths.dataDir,
      clock,
      logger: silentLogger,
      queue: createRecoveryQueue({ repo: store.recoveryQueue, clock }),
      concurrency: config.collect.concurrency,
      checkpointEvery: config.collect.checkpoint_every,
      finalPassDelayMs: 30_000,
      onProgress: (p) => {
        if (p.phase !== 'main') return;
        for (const share of [0.25, 0.6]) {
          if (!at.has(share) && p.done >= p.total * share) {
            at.add(share);
            injected020++;
            sim.faults.add({ kind: 'status', status: '020', count: 1, match: { path: DART_PATHS.list } });
          }
        }
        if (!at.has(0.4) && p.done >= p.total * 0.4) {
          at.add(0.4);
          sim.faults.add({ kind: 'reset', count: 5, match: { path: DART_PATHS.list } });
        }
      },
    });
    sim.faults.add({ kind: 'http500', probability: 0.01, match: { path: DART_PATHS.list } });
    sim.faults.add({ kind: 'wrongShape', probability: 0.005, match: { path: DART_PATHS.list } });
    const t1 = clock.monotonicMs();
    const summary = await collector.run({ ...disclosures, params }, codes);
    const sec = (clock.monotonicMs() - t1) / 1000;
    sim.faults.clear();
    const sorted = [...sentAt].sort((a, b) => a - b);
    const busiestMinute = busiest(sorted, 60_000);
    const requests = sentAt.length;
    const perMin = config.dart.per_minute;
    // Each injected 020 pauses every caller for a minute; the rest of the run is paced by the client's windows.
    const pausedSec = injected020 * 60;
    const organic020 = sim.stats.count({ msgCd: '020' }) - sim.stats.count({ fault: 'status' });
    const lost = codes.length - summary.collected - summary.recovered - summary.notFound;
    report.figure('elapsedClockSec', Math.round(sec * 10) / 10, 's');
    report.figure('requests', requests, '(client attempts, corp list included)');
    report.figure('busiestMinute', busiestMinute, `requests (client cap ${perMin}, DART ${DART_LIMIT_PER_MIN})`);
    report.figure('summary', { collected: summary.collected, notFound: summary.notFound, skipped: summary.skipped, recovered: summary.recovered, stillFailed: summary.stillFailed.length, rows: summary.rows });
    report.figure('faults', { injected020: sim.stats.count({ fault: 'status' }), organic020, http500: sim.stats.count({ fault: 'http500' }), wrongShape: sim.stats.count({ fault: 'wrongShape' }), resets: sim.stats.count({ fault: 'reset' }) });
    report.target('busiest minute / DART limit (1,000)', busiestMinute / DART_LIMIT_PER_MIN, '<=', 1);
    report.target('DART 020 not caused by kisd (only the injected ones)', organic020, '==', 0);
    report.figure('requestsPerMinOutsidePauses', Math.round((requests / Math.max(1, sec - pausedSec)) * 60), `(${Math.round(sec - pausedSec)} clock s outside the ${injected020} one-minute 020 pauses; bursts of 20/s fill each rolling minute's ${perMin})`);
    report.target('busiest minute / client cap (900): the budget is used', busiestMinute / perMin, '>=', 0.95);
    report.target('symbols lost', lost, '==', 0);
  } finally {
    await dart.close();
    store.close();
    await sim.close();
    rmSync(varDir, { recursive: true, force: true });
  }
  report.finish();
}

runBench(main);
