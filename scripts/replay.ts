// `npm run replay -- --weeks 200 [--from-seed 1] [--jobs 2] [--per-process 20]`: the week replay of test/replay
// beyond what `npm test` runs. Seeds from..from+weeks−1, one week each (the same harness as the test), in child
// processes of at most --per-process weeks each, --jobs of them at a time: one process replaying many weeks
// slows down as it grows (every in-process kill leaves the dead daemon's listeners and stores behind; ~60 %
// slower per week after 20 weeks), a fresh process per chunk keeps every week at its first-week speed.
// Prints each failing seed with its day and invariant as it happens, then the figures: weeks, days, faults
// injected by kind, violations, weeks the harness could not finish. Exit 1 on a violation or a harness error.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { enabledKinds, HELD_BACK, NOT_DRAWN } from '../test/helpers/replay/faults.js';
import { runWeek, type WeekResult } from '../test/helpers/replay/week-replay.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer (got ${process.argv[i + 1]})`);
  return v;
}

/** What a worker reports for its chunk (one line, prefixed RESULT). */
interface ChunkResult {
  weeks: Array<Pick<WeekResult, 'seed' | 'days' | 'faults' | 'realMs'> & { violations: number }>;
  harnessErrors: string[];
}

const RESULT = 'RESULT ';

/** --worker: replays seeds from..from+weeks−1 in this process, printing progress and then one RESULT line. */
async function worker(from: number, weeks: number): Promise<void> {
  const out: ChunkResult = { weeks: [], harnessErrors: [] };
  for (let seed = from; seed < from + weeks; seed++) {
    let week: WeekResult;
    try {
      week = await runWeek({ seed });
    } catch (err) {
      out.harnessErrors.push(`seed ${seed}: ${err instanceof Error ? err.message : String(err)}`);
      process.stdout.write(`HARNESS ERROR ${out.harnessErrors.at(-1)}\n`);
      continue;
    }
    out.weeks.push({ seed, days: week.days, faults: week.faults, realMs: week.realMs, violations: week.violations.length });
    for (const v of week.violations) process.stdout.write(`VIOLATION seed ${v.seed} ${v.day} ${v.invariant}: ${v.detail}\n`);
    process.stdout.write(`seed ${seed}: ${week.days} days, ${week.violations.length} violations, ${(week.realMs / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write(`${RESULT}${JSON.stringify(out)}\n`);
}

/** Runs one chunk in a child process; its progress lines pass through, its RESULT line is returned. */
function runChunk(from: number, weeks: number): Promise<ChunkResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', '--from-seed', String(from), '--weeks', String(weeks)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let result: ChunkResult | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT)) result = JSON.parse(line.slice(RESULT.length)) as ChunkResult;
      else process.stdout.write(`${line}\n`);
    });
    child.on('close', (code, signal) => {
      const last = from + weeks - 1;
      resolve(result ?? { weeks: [], harnessErrors: [`seeds ${from}..${last}: the replay process ended (${signal ?? `exit ${code}`}) before reporting; run them alone with --from-seed ${from} --weeks ${weeks}`] });
    });
  });
}

async function main(): Promise<void> {
  const weeks = arg('weeks', 20);
  const from = arg('from-seed', 1);
  if (process.argv.includes('--worker')) {
    await worker(from, weeks);
    // Exit explicitly: a daemon killed SIGKILL-style in process leaves its listeners and sockets behind.
    process.exit(0);
  }
  const jobs = arg('jobs', 1);
  const perProcess = arg('per-process', 20);
  const t0 = performance.now();
  const chunks: Array<[number, number]> = [];
  for (let s = from; s < from + weeks; s += perProcess) chunks.push([s, Math.min(perProcess, from + weeks - s)]);
  process.stdout.write(`replaying seeds ${from}..${from + weeks - 1}: ${chunks.length} process(es) of up to ${perProcess} weeks, ${jobs} at a time\n`);
  const results: ChunkResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, chunks.length) }, async () => {
      while (next < chunks.length) {
        const [s, n] = chunks[next++]!;
        results.push(await runChunk(s, n));
      }
    }),
  );
  const done = results.flatMap((r) => r.weeks);
  const harnessErrors = results.flatMap((r) => r.harnessErrors);
  const faults: Record<string, number> = {};
  for (const w of done) for (const [k, n] of Object.entries(w.faults)) faults[k] = (faults[k] ?? 0) + n;
  const figures = {
    weeks: done.length,
    days: done.reduce((s, w) => s + w.days, 0),
    seeds: `${from}..${from + weeks - 1}`,
    processes: chunks.length,
    jobs,
    faultKindsDrawn: enabledKinds(),
    faultsInjected: faults,
    heldBack: Object.fromEntries(Object.entries(HELD_BACK).filter(([k]) => !enabledKinds().includes(k as never))),
    notDrawn: NOT_DRAWN,
    violations: done.reduce((s, w) => s + w.violations, 0),
    harnessErrors,
    weekRealSeconds: { sum: Math.round(done.reduce((s, w) => s + w.realMs, 0) / 1000), max: Math.round(Math.max(0, ...done.map((w) => w.realMs)) / 100) / 10 },
    realSeconds: Math.round((performance.now() - t0) / 1000),
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  process.exit(figures.violations > 0 || harnessErrors.length > 0 ? 1 : 0);
}

await main();
