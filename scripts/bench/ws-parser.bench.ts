// Benchmark: parseFrame (src/kis/ws/parse.ts) throughput in records per second on one core, for recorded-
// shape frames from test/fixtures/ws-frames: H0STCNT0 single/multi (ticks), H0STASP0 (book), HDFSCNT0 (US
// ticks) and AES-256-CBC encrypted H0STCNI0 notices. Each case: warm-up, then 3 timed repetitions; the
// median is reported. Target: >= 1,000,000 records/s for H0STCNT0 ticks.
// Usage: node --expose-gc dist/scripts/bench/ws-parser.bench.js [--scale 0.25]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { packageRoot } from '../../src/config/load.js';
import { createParseStats, parseFrame, type ParseOptions } from '../../src/kis/ws/index.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';

const fixtureDir = join(packageRoot(), 'test', 'fixtures', 'ws-frames');
const frame = (name: string): string => readFileSync(join(fixtureDir, name), 'utf8').replace(/\n$/, '');

interface Case {
  name: string;
  file: string;
  opts?: ParseOptions;
  tickTarget?: boolean;
}

/** Parses `text` repeatedly for about durationMs; returns records/s and frames/s. */
function measure(text: string, opts: ParseOptions | undefined, durationMs: number): { recordsPerSec: number; framesPerSec: number; sink: number } {
  const stats = createParseStats();
  let sink = 0;
  const start = systemClock.monotonicMs();
  let frames = 0;
  let now = start;
  // Check the clock every 1000 frames so reading it costs nothing measurable.
  while (now - start < durationMs) {
    for (let i = 0; i < 1000; i++) {
      const r = parseFrame(text, stats, opts);
      if (r.kind === 'data') sink += r.events.length;
    }
    frames += 1000;
    now = systemClock.monotonicMs();
  }
  const sec = (now - start) / 1000;
  if (stats.malformedFrames > 0) throw new Error(`fixture parsed as malformed: ${JSON.stringify(stats.byReason)}`);
  return { recordsPerSec: stats.records / sec, framesPerSec: frames / sec, sink };
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('ws-parser', args);
  const keysJson = JSON.parse(readFileSync(join(fixtureDir, 'notice-keys.json'), 'utf8')) as Record<string, { key: string; iv: string }>;
  const keys = new Map(Object.entries(keysJson));
  const cases: Case[] = [
    { name: 'H0STCNT0 single', file: 'h0stcnt0-single.txt', tickTarget: true },
    { name: 'H0STCNT0 multi', file: 'h0stcnt0-multi.txt', tickTarget: true },
    { name: 'H0STASP0 single', file: 'h0stasp0-single.txt' },
    { name: 'H0STASP0 multi', file: 'h0stasp0-multi.txt' },
    { name: 'HDFSCNT0 single', file: 'hdfscnt0-single.txt' },
    { name: 'HDFSCNT0 multi', file: 'hdfscnt0-multi.txt' },
    { name: 'H0STCNI0 encrypted notice', file: 'h0stcni0-fill-encrypted.txt', opts: { keys } },
    { name: 'H0STCNI9 encrypted notice', file: 'h0stcni9-ack-encrypted.txt', opts: { keys } },
  ];
  const durationMs = Math.max(300, Math.round(2_000 * args.scale));
  let sink = 0;
  for (const c of cases) {
    const text = frame(c.file);
    const count = Number(text.split('|')[2]);
    sink += measure(text, c.opts, Math.max(200, durationMs / 2)).sink; // warm-up: let V8 optimise
    const reps = [0, 1, 2].map(() => measure(text, c.opts, durationMs));
    reps.sort((a, b) => a.recordsPerSec - b.recordsPerSec);
    const med = reps[1]!;
    sink += med.sink;
    const key = c.name.replace(/\s+/g, '_');
    report.figure(`${key}.recordsPerSec`, Math.round(med.recordsPerSec), `records/s (${count} record${count > 1 ? 's' : ''}/frame, ${Math.round(med.framesPerSec)} frames/s, ${text.length} chars)`);
    if (c.tickTarget) report.target(`${c.name}: records/s on one core`, Math.round(med.recordsPerSec), '>=', 1_000_000);
  }
  if (sink < 0) console.log(sink); // keeps the results observable
  report.note('figures are per core: parseFrame is synchronous and runs on the socket reader; the realtime path adds Buffer→string decoding per frame (in WsSession)');
  report.finish();
}

runBench(main);
