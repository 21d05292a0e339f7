#!/usr/bin/env node
// Runs kisd's benchmarks (compiled to dist/scripts/bench/*.bench.js by `npm run build`, which `npm run bench`
// runs first) one after another, each in its own process so one's heap and sockets never skew another.
// Usage: npm run bench [-- <name> ...] [-- --scale 0.25]; with no names, every benchmark runs.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchDir = join(root, 'dist', 'scripts', 'bench');
const args = process.argv.slice(2);
const names = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
const passThrough = args.filter((a) => !names.includes(a));
let files;
try {
  files = readdirSync(benchDir).filter((f) => f.endsWith('.bench.js')).sort();
} catch {
  console.error(`no compiled benchmarks in ${benchDir}: run "npm run build" first`);
  process.exit(2);
}
const selected = names.length > 0 ? files.filter((f) => names.some((n) => f.startsWith(n))) : files;
if (selected.length === 0) {
  console.error(`no benchmark matches ${names.join(', ')}; available: ${files.map((f) => f.replace('.bench.js', '')).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file.replace('.bench.js', '')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(benchDir, file), ...passThrough], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    failed += 1;
    console.error(`benchmark ${file} failed (exit ${r.status})`);
  }
}
console.log(`\n${selected.length - failed} benchmarks completed, ${failed} failed. Record the figures in scripts/bench/RESULTS.md.`);
process.exit(failed > 0 ? 1 : 0);
