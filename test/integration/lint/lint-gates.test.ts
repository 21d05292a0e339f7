// The lint gates themselves, each proven to fail on what it exists to catch, with the project's own rules:
// the layer check (.dependency-cruiser.cjs) on an upward import and on the KIS client importing the simulator,
// type-aware ESLint (eslint.config.js) on a floating and a misused promise, knip (knip.jsonc) on an export
// nobody imports. The fixtures live in test/fixtures/lint/ (outside what `npm run lint` scans).
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/lint');
const require = createRequire(import.meta.url);
const temps: string[] = [];
afterAll(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('lint gates', () => {
  it('the layer check fails on an upward import and on the KIS client importing the simulator, and passes a downward one', async () => {
    const config = require(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: unknown[]; options: Record<string, unknown> };
    const { tsConfig: _projectTsConfig, ...options } = config.options; // the fixture resolves plain .ts imports
    const result: IReporterOutput = await cruise(['src'], { ...options, baseDir: join(FIXTURES, 'layers'), validate: true, ruleSet: { forbidden: config.forbidden } } as never);
    const output = result.output as { summary: { error: number; violations: { rule: { name: string }; from: string; to: string }[] } };
    const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(violations).toEqual([
      'no-sideways-kis: src/kis/client.ts → src/sim/server.ts',
      'no-upward-from-core: src/core/clock-helper.ts → src/daemon/wiring.ts',
    ]);
    expect(output.summary.error).toBe(2); // what makes `depcruise` exit non-zero
  });

  it('type-aware ESLint fails on a floating promise and on an async callback where a void one is expected', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      ignore: false,
      overrideConfig: { languageOptions: { parserOptions: { project: join(FIXTURES, 'promises/tsconfig.json') } } },
    });
    const [report] = await eslint.lintFiles([join(FIXTURES, 'promises/floating.ts')]);
    const rules = (report?.messages ?? []).map((m) => `${m.line}:${m.ruleId}`);
    expect(rules).toContain('8:@typescript-eslint/no-floating-promises');
    expect(rules).toContain('12:@typescript-eslint/no-misused-promises');
    expect(report?.errorCount).toBeGreaterThanOrEqual(2);
  });

  it('knip fails on an export nobody imports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kisd-knip-'));
    temps.push(dir);
    cpSync(join(FIXTURES, 'dead-export'), dir, { recursive: true });
    cpSync(join(ROOT, 'knip.jsonc'), join(dir, 'knip.jsonc'));
    const knip = join(ROOT, 'node_modules/.bin/knip');
    const run = promisify(execFile)(knip, ['--directory', dir, '--include', 'exports', '--no-progress', '--reporter', 'json'], { cwd: dir });
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code?: number; stdout?: string } | undefined;
    expect(err?.code).toBe(1);
    const report = JSON.parse(err?.stdout ?? '{}') as { issues: { file: string; exports: { name: string }[] }[] };
    const dead = report.issues.flatMap((i) => i.exports.map((e) => `${i.file}:${e.name}`));
    expect(dead).toEqual(['src/core/helpers.ts:neverImported']);
  });
});
