// Config is parsed once: YAML file → zod schema (unknown keys rejected, bounds checked) → cross-field
// checks → one deeply frozen object. Every error names the file, the field path and what is accepted.
import { readFileSync } from 'node:fs';
import { resolve, isAbsolute, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { configSchema, type ParsedConfig } from './schema.js';

/** KIS hosts by mode (fact sheet §1). */
export const KIS_HOSTS = {
  real: { rest: 'https://openapi.koreainvestment.com:9443', ws: 'ws://ops.koreainvestment.com:21000' },
  paper: { rest: 'https://openapivts.koreainvestment.com:29443', ws: 'ws://ops.koreainvestment.com:31000' },
} as const;

export interface ResolvedPaths {
  varDir: string;
  stateDir: string;
  dataDir: string;
  logFile: string;
}

export type KisdConfig = Readonly<ParsedConfig> & {
  /** The file the config came from. */
  readonly source: string;
  readonly resolved: Readonly<{
    paths: ResolvedPaths;
    /** The KIS server flavor kisd talks to: the simulator emulates one too. */
    serverFlavor: 'real' | 'paper';
    /** REST/WS base URLs; undefined in sim mode until the embedded simulator has a port. */
    restBaseUrl: string | undefined;
    wsUrl: string | undefined;
    rateLimit: Readonly<{ per_second: number; per_minute: number; per_hour: number; window_safety_ms: number; spread_evenly: boolean }>;
  }>;
};

/** The package root (where config/default.yaml lives), from this file's location in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return process.cwd();
}

/**
 * The file a person should open: pino-roll writes `<name>.<n>.log` next to log.file and keeps a
 * `current.log` symlink to the newest (log.file itself never exists under that name).
 */
export function currentLogPath(logFile: string): string {
  return join(dirname(logFile), 'current.log');
}

export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s && s.length > 60 ? `${s.slice(0, 57)}...` : String(s);
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Formats zod issues as "file: field.path: problem (got X)", one per line. */
export function formatConfigIssues(file: string, raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    if (keys) return `${file}: ${field}: unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} (check the spelling against config/kisd.example.yaml)`;
    const got = valueAt(raw, issue.path);
    return `${file}: ${field}: ${issue.message} (got ${describeValue(got)})`;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Parses and compiles a config object (already read from `source`). Throws ConfigError listing every problem. */
export function compileConfig(raw: unknown, source: string, cwd = process.cwd()): KisdConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const lines = formatConfigIssues(source, raw, result.error.issues);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`, {
      file: source,
      problems: lines,
      hint: 'every setting with its default and accepted values is in config/kisd.example.yaml',
    });
  }
  const cfg = result.data;
  const varDir = isAbsolute(cfg.paths.var_dir) ? cfg.paths.var_dir : resolve(cwd, cfg.paths.var_dir);
  const logFile = isAbsolute(cfg.log.file) ? cfg.log.file : join(varDir, cfg.log.file);
  const serverFlavor = cfg.mode === 'sim' ? cfg.sim.flavor : cfg.mode;
  const hosts = cfg.mode === 'sim' ? undefined : KIS_HOSTS[cfg.mode];
  const compiled = {
    ...cfg,
    source,
    resolved: {
      paths: { varDir, stateDir: join(varDir, 'state'), dataDir: join(varDir, 'data'), logFile },
      serverFlavor,
      restBaseUrl: cfg.kis.rest_base_url ?? hosts?.rest,
      wsUrl: cfg.kis.ws_url ?? hosts?.ws,
      rateLimit: { ...cfg.kis.rate_limits[serverFlavor], window_safety_ms: cfg.kis.rate_limits.window_safety_ms, spread_evenly: cfg.kis.rate_limits.spread_evenly },
    },
  };
  return deepFreeze(compiled);
}

/** Reads a YAML config file. Throws ConfigError naming the file for I/O and YAML syntax errors. */
export function loadConfigFile(file: string, cwd = process.cwd()): KisdConfig {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'}); pass an existing file with --config or KISD_CONFIG`, { file: path });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}, column ${err.linePos[0].col}:` : '';
    // The yaml library ends its first line with " at line L, column C:" before a code excerpt; we say where.
    const what = ((err as Error).message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
    throw new ConfigError(`${path}:${where} not valid YAML: ${what}`, { file: path, hint: 'YAML needs "key: value" with spaces for indentation (no tabs); quote times like "08:30"' });
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${path}: (top level): expected a mapping of settings (got ${describeValue(raw)})`, { file: path });
  }
  return compileConfig(raw ?? {}, path, cwd);
}

/** The config kisd uses: --config, else $KISD_CONFIG, else the packaged config/default.yaml. */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): KisdConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env['KISD_CONFIG'] ?? defaultConfigPath();
  return loadConfigFile(file, opts.cwd);
}
