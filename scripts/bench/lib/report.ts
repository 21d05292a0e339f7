// Shared plumbing of kisd's benchmarks: the `--scale` argument, figure lines, PASS/MISS against targets
// and the final one-line JSON summary that `npm run bench` output is read by. A missed target never
// changes the exit code — only a crash does.
import { loadavg } from 'node:os';
import { systemClock } from '../../../src/core/clock.js';

export interface BenchArgs {
  /** 0 < scale <= 1: shortens the run (fewer symbols, shorter soak). Default 1. */
  scale: number;
  /** Other `--name value` pairs, raw. */
  flags: Record<string, string>;
}

/** Parses `--scale <0..1>` and other `--name value` flags; throws on a bad scale. */
export function parseBenchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags[a.slice(2)] = next;
        i++;
      } else flags[a.slice(2)] = 'true';
    }
  }
  const scale = flags['scale'] === undefined ? 1 : Number(flags['scale']);
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`--scale must be within (0, 1], got ${flags['scale']}`);
  return { scale, flags };
}

export type Comparison = '>=' | '<=' | '==';

export interface TargetResult {
  name: string;
  achieved: number;
  op: Comparison;
  limit: number;
  pass: boolean;
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

/** Collects figures and targets of one benchmark and prints them as it goes. */
export class BenchReport {
  readonly figures: Record<string, unknown> = {};
  readonly targets: TargetResult[] = [];
  readonly loadAvgStart: number[];
  private readonly startedMono = systemClock.monotonicMs();

  constructor(readonly name: string, readonly args: BenchArgs) {
    this.loadAvgStart = loadavg().map((v) => Math.round(v * 100) / 100);
    console.log(`# ${name}  scale=${args.scale}  node=${process.version}  load average (1/5/15 min) at start: ${this.loadAvgStart.join(' / ')}`);
  }

  /** Prints one figure as "label: value unit" and records it under key. */
  figure(key: string, value: unknown, unit = ''): void {
    this.figures[key] = value;
    const shown = typeof value === 'number' ? fmt(value) : typeof value === 'string' ? value : JSON.stringify(value);
    console.log(`  ${key}: ${shown}${unit ? ` ${unit}` : ''}`);
  }

  note(text: string): void {
    console.log(`  note: ${text}`);
  }

  /** Prints PASS/MISS for achieved (op) limit; returns whether it passed. */
  target(name: string, achieved: number, op: Comparison, limit: number): boolean {
    const pass = op === '>=' ? achieved >= limit : op === '<=' ? achieved <= limit : achieved === limit;
    this.targets.push({ name, achieved, op, limit, pass });
    console.log(`  ${pass ? 'PASS' : 'MISS'}  ${name}: ${fmt(achieved)} (target ${op} ${fmt(limit)})`);
    return pass;
  }

  /** Prints the summary JSON line (prefix BENCH_SUMMARY) and returns it. */
  finish(): string {
    const loadAvgEnd = loadavg().map((v) => Math.round(v * 100) / 100);
    const summary = {
      bench: this.name,
      scale: this.args.scale,
      elapsedSec: Math.round((systemClock.monotonicMs() - this.startedMono) / 100) / 10,
      loadAvgStart: this.loadAvgStart,
      loadAvgEnd,
      pass: this.targets.every((t) => t.pass),
      targets: this.targets,
      figures: this.figures,
    };
    console.log(`  load average at end: ${loadAvgEnd.join(' / ')}`);
    const line = `BENCH_SUMMARY ${JSON.stringify(summary)}`;
    console.log(line);
    return line;
  }
}

/** Runs main; exits 1 only when it throws (a crash), 0 otherwise, even with missed targets. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('benchmark crashed:', err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}
