// Runs the compiled CLI (`node dist/src/cli/main.js …`) as a child process with a temp config (mode sim,
// paths.var_dir in a temp dir) and collects its exit code and output. Asynchronous spawn on purpose: tests
// that own a simulator serve it from this process while the CLI talks to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { systemClock } from '../../../src/core/clock.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../../src/sim/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../..');
export const CLI = join(REPO, 'dist/src/cli/main.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it via pretest)');
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any KISD_* variable, so the sim credentials and the test's config are used. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KISD_')) env[k] = v;
  return { ...env, ...extra };
}

export function spawnCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? REPO, env: cleanEnv(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const child = spawnCli(args, opts);
  return collect(child);
}

export function collect(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Resolves with the stdout seen so far once it matches `pattern` (the child keeps running). */
export function waitForStdout(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString('utf8');
      if (pattern.test(seen)) {
        child.stdout?.off('data', onData);
        resolvePromise(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.once('close', (code) => reject(new Error(`exited (${code}) before stdout matched ${pattern}; stdout so far:\n${seen}`)));
  });
}

export interface TestDirs {
  dir: string;
  varDir: string;
  dataDir: string;
  stateDir: string;
  configPath: string;
}

/** A temp dir with a config (mode sim, var_dir inside it, console logs off unless overridden). */
export function writeTestConfig(extra: Record<string, unknown> = {}): TestDirs {
  const dir = mkdtempSync(join(tmpdir(), 'kisd-cli-test-'));
  const varDir = join(dir, 'var');
  const config = { mode: 'sim', paths: { var_dir: varDir }, log: { console: 'off' }, health: { port: 0 }, ...extra };
  const configPath = join(dir, 'kisd.yaml');
  writeFileSync(configPath, stringify(config));
  return { dir, varDir, dataDir: join(varDir, 'data'), stateDir: join(varDir, 'state'), configPath };
}

/** A simulator in this process that knows the built-in sim credentials the CLI uses in sim mode. */
export async function startTestSimulator(over: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const c = SIM_CREDENTIALS;
  return createSimulator({
    clock: systemClock,
    apps: [{ appKey: c.appKey, appSecret: c.appSecret, accountNo: `${c.cano}-${c.acntPrdtCd}`, htsId: c.htsId }],
    rateLimitPerSec: 0,
    ...over,
  });
}
