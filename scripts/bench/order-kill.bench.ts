// Order-path crash soak: ≥ 100 trials, each SIGKILLing the order worker at a random crash point (after the
// `new` row, after `sent`, with the request booked but its reply hanging, the same after KIS was unreachable
// for 1.5 s so the order left late (delayed send), after the reply, after the ack, right after a partial fill)
// for a random order of the plan, with the host clock 30 s fast, exact or 30 s slow against the simulator's
// (drawn per trial), then restarting it and comparing the journal
// with the simulator. Prints trials, kills, duplicates, resent requests, lost orders, lost fills and
// mismatched positions — all must be 0 — and the trial time. Usage: npm run bench order-kill [-- --trials N]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '../../src/sim/market/prng.js';

interface TrialResult {
  killAt: string;
  killed: boolean;
  settled: boolean;
  requests: number;
  simOrders: number;
  resent: number;
  duplicates: number;
  lostOrders: number;
  lostFills: number;
  positionMismatches: number;
  positionDiffs: number;
}
interface Harness {
  KILL_POINTS: string[];
  runKillTrial(o: { killAt: string; killIndex: number; partial?: boolean; seed?: number; kisSkewMs?: number }): Promise<TrialResult>;
}

const SLOW_MS = 20_000;

function argNumber(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

async function main(): Promise<void> {
  // The harness is a plain ESM fixture shared with the integration test (run from the repository root).
  const harness = (await import(pathToFileURL(join(process.cwd(), 'test', 'fixtures', 'trade', 'kill-harness.mjs')).href)) as Harness;
  const trials = Math.max(100, Math.floor(argNumber('trials', 100)));
  const concurrency = Math.floor(argNumber('concurrency', 4));
  const random = mulberry32(0x0dd5eed);
  const plan = Array.from({ length: trials }, (_, i) => {
    const killAt = harness.KILL_POINTS[Math.floor(random() * harness.KILL_POINTS.length)]!;
    // in-flight hangs a booked order: only the buys (0, 1) are always booked; the sell may be refused.
    const killIndex = Math.floor(random() * (killAt === 'in-flight' || killAt === 'delayed-send' ? 2 : 3));
    // The host clock 30 s fast, exact, or 30 s slow against KIS's.
    const kisSkewMs = [-30_000, 0, 30_000][Math.floor(random() * 3)]!;
    return { i, killAt, killIndex, seed: 1 + (i % 5), kisSkewMs };
  });
  const setups = new Set(plan.map((t) => `${t.killAt}#${t.killIndex}/seed${t.seed}/skew${t.kisSkewMs}`)).size;
  const totals = { trials: 0, killed: 0, unsettled: 0, duplicates: 0, resent: 0, lostOrders: 0, lostFills: 0, positionMismatches: 0, positionCorrections: 0, requests: 0 };
  const byPoint = new Map<string, number>();
  const times: number[] = [];
  /** Trials slower than SLOW_MS, named with their setup (the tail of the trial time). */
  const slow: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    for (;;) {
      const t = plan[next++];
      if (!t) return;
      const t0 = performance.now();
      try {
        const r = await harness.runKillTrial({ killAt: t.killAt, killIndex: t.killIndex, seed: t.seed, kisSkewMs: t.kisSkewMs });
        const ms = performance.now() - t0;
        times.push(ms);
        if (ms > SLOW_MS) slow.push(`trial ${t.i} ${t.killAt}#${t.killIndex} seed ${t.seed} skew ${t.kisSkewMs / 1000} s: ${(ms / 1000).toFixed(1)} s, ${r.killed ? 'killed' : 'not killed'}, ${r.settled ? 'settled' : 'NOT settled'}`);
        totals.trials++;
        if (r.killed) {
          totals.killed++;
          byPoint.set(t.killAt, (byPoint.get(t.killAt) ?? 0) + 1);
        }
        if (!r.settled) totals.unsettled++;
        totals.duplicates += r.duplicates;
        totals.resent += r.resent;
        totals.lostOrders += r.lostOrders;
        totals.lostFills += r.lostFills;
        totals.positionMismatches += r.positionMismatches;
        totals.positionCorrections += r.positionDiffs;
        totals.requests += r.requests;
        if (r.duplicates + r.resent + r.lostOrders + r.lostFills + r.positionMismatches > 0) failures.push(`trial ${t.i} ${t.killAt}#${t.killIndex}: ${JSON.stringify(r)}`);
      } catch (err) {
        failures.push(`trial ${t.i} ${t.killAt}#${t.killIndex}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const elapsedSec = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const pct = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  console.log(`order-kill: ${totals.trials} trials (${concurrency} at a time) in ${elapsedSec.toFixed(1)} s, drawn from ${setups} distinct setups (crash point × order × market seed × clock skew)`);
  console.log(`  killed by crash point: ${[...byPoint.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ')} (total ${totals.killed}; the rest ran to the end because the chosen order was refused first)`);
  console.log(`  order-cash requests: ${totals.requests}`);
  console.log(`  duplicates: ${totals.duplicates}`);
  console.log(`  resent requests: ${totals.resent}`);
  console.log(`  lost orders: ${totals.lostOrders}`);
  console.log(`  lost fills (shares): ${totals.lostFills}`);
  console.log(`  mismatched positions: ${totals.positionMismatches}`);
  console.log(`  positions corrected from the balance: ${totals.positionCorrections}`);
  console.log(`  recoveries not settled: ${totals.unsettled}`);
  console.log(`  trial time: p50 ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms, max ${pct(1).toFixed(0)} ms`);
  console.log(`  trials over ${SLOW_MS / 1000} s: ${slow.length}`);
  for (const x of slow) console.log(`    ${x}`);
  for (const f of failures.slice(0, 20)) console.log(`  FAILURE ${f}`);
  if (failures.length > 0 || totals.trials < trials) process.exitCode = 1;
}

await main();
