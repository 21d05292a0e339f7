// `npm run replay -- --weeks 200 [--from-seed 1]`: the week replay of test/replay beyond what `npm test` runs.
// Seeds from..from+weeks−1, one week each (the same harness as the test); prints each failing seed with its
// day and invariant, then the figures: weeks, days, faults injected by kind, violations, weeks the harness could
// not finish. Exit 1 on a violation or a harness error.
import { enabledKinds, HELD_BACK, NOT_DRAWN } from '../test/helpers/replay/faults.js';
import { runWeek, type WeekResult } from '../test/helpers/replay/week-replay.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer (got ${process.argv[i + 1]})`);
  return v;
}

async function main(): Promise<void> {
  const weeks = arg('weeks', 20);
  const from = arg('from-seed', 1);
  const t0 = performance.now();
  const results: WeekResult[] = [];
  // A week the harness could not finish (runWeek threw) is named and counted, and the run goes on.
  const harnessErrors: string[] = [];
  for (let seed = from; seed < from + weeks; seed++) {
    let week: WeekResult;
    try {
      week = await runWeek({ seed });
    } catch (err) {
      harnessErrors.push(`seed ${seed}: ${err instanceof Error ? err.message : String(err)}`);
      process.stdout.write(`HARNESS ERROR ${harnessErrors.at(-1)}\n`);
      continue;
    }
    results.push(week);
    for (const v of week.violations) process.stdout.write(`VIOLATION seed ${v.seed} ${v.day} ${v.invariant}: ${v.detail}\n`);
    process.stdout.write(`seed ${seed}: ${week.days} days, ${week.violations.length} violations, ${(week.realMs / 1000).toFixed(1)} s\n`);
  }
  const faults: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
  const figures = {
    weeks: results.length,
    days: results.reduce((s, r) => s + r.days, 0),
    seeds: `${from}..${from + weeks - 1}`,
    faultKindsDrawn: enabledKinds(),
    faultsInjected: faults,
    heldBack: Object.fromEntries(Object.entries(HELD_BACK).filter(([k]) => !enabledKinds().includes(k as never))),
    notDrawn: NOT_DRAWN,
    violations: results.reduce((s, r) => s + r.violations.length, 0),
    harnessErrors,
    realSeconds: Math.round((performance.now() - t0) / 1000),
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  // Exit explicitly: a daemon killed SIGKILL-style in process leaves its listeners and sockets behind.
  process.exit(figures.violations > 0 || harnessErrors.length > 0 ? 1 : 0);
}

await main();
