// `kisd --unit <file> …`: an operator command sees what the systemd service sees. From the unit it takes the
// --config of ExecStart=, the EnvironmentFile= (where the credentials live) and WorkingDirectory=; started as
// root it first switches to the unit's User=/Group=, so a queue retry or a token it writes stays the service's
// (a root-owned SQLite journal or token file would stop the daemon). deploy/kisd-cli.sh passes the option.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from '../core/errors.js';

export interface ServiceUnit {
  path: string;
  user: string | undefined;
  group: string | undefined;
  /** In the unit's order; a leading "-" in the unit makes a file optional. */
  environmentFiles: { path: string; optional: boolean }[];
  /** Literal Environment= assignments (e.g. NODE_ENV=production). */
  environment: Record<string, string>;
  workingDirectory: string | undefined;
  /** ExecStart= split on whitespace (kisd's unit quotes nothing). */
  execStart: string[];
  /** The value of --config/-c in ExecStart=, if any. */
  configFile: string | undefined;
}

/** Parses the [Service] settings kisd needs from a unit file's text. Later assignments win, as in systemd. */
export function parseServiceUnit(text: string, path: string): ServiceUnit {
  const unit: ServiceUnit = { path, user: undefined, group: undefined, environmentFiles: [], environment: {}, workingDirectory: undefined, execStart: [], configFile: undefined };
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = head[1] ?? '';
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'User') unit.user = value || undefined;
    else if (key === 'Group') unit.group = value || undefined;
    else if (key === 'WorkingDirectory') unit.workingDirectory = value.replace(/^-/, '') || undefined;
    else if (key === 'EnvironmentFile') {
      if (value === '') unit.environmentFiles = [];
      else unit.environmentFiles.push({ path: value.replace(/^-/, ''), optional: value.startsWith('-') });
    } else if (key === 'Environment') {
      for (const pair of value.split(/\s+/)) {
        const i = pair.indexOf('=');
        if (i > 0) unit.environment[pair.slice(0, i)] = pair.slice(i + 1);
      }
    } else if (key === 'ExecStart') unit.execStart = value.replace(/^[-@:+!]+/, '').split(/\s+/);
  }
  const i = unit.execStart.findIndex((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
  if (i >= 0) {
    const a = unit.execStart[i] as string;
    unit.configFile = a.startsWith('--config=') ? a.slice('--config='.length) : unit.execStart[i + 1];
  }
  return unit;
}

export function readServiceUnit(path: string): ServiceUnit {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the service unit (${(err as NodeJS.ErrnoException).code ?? 'error'}); install kisd with deploy/install.sh, or pass --config instead of --unit`, { file: path });
  }
  return parseServiceUnit(text, path);
}

export interface UnitEnvironment {
  /** Variables as the service gets them: Environment= then each EnvironmentFile= in order. */
  values: Record<string, string>;
  /** EnvironmentFile= entries this process could not read (credentials may be missing because of them). */
  unreadable: { path: string; code: string }[];
}

/**
 * Reads the unit's environment the way systemd does (KEY=VALUE lines, "#" comments, optional quotes; parsed
 * with node's util.parseEnv, which agrees with systemd on that subset). An unreadable file is reported, not
 * thrown: commands that never call KIS do not need it.
 */
export function readUnitEnvironment(unit: ServiceUnit): UnitEnvironment {
  const values: Record<string, string> = { ...unit.environment };
  const unreadable: { path: string; code: string }[] = [];
  for (const f of unit.environmentFiles) {
    try {
      Object.assign(values, parseEnv(readFileSync(f.path, 'utf8')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (!(f.optional && code === 'ENOENT')) unreadable.push({ path: f.path, code });
    }
  }
  return { values, unreadable };
}

/**
 * Switches this process to the unit's User=/Group= (with that user's supplementary groups) when it runs as
 * root. Returns the user it switched to, or undefined when nothing changed. Throws ConfigError when the user
 * does not exist.
 */
export interface UserSwitch {
  getuid?: () => number;
  setuid?: (id: string | number) => void;
  setgid?: (id: string | number) => void;
  initgroups?: (user: string | number, extraGroup: string | number) => void;
}

export function dropToServiceUser(unit: ServiceUnit, proc: UserSwitch = process as unknown as UserSwitch): string | undefined {
  if (!unit.user || proc.getuid?.() !== 0 || !proc.setuid || !proc.setgid || !proc.initgroups) return undefined;
  const group = unit.group ?? unit.user;
  try {
    proc.initgroups(unit.user, group);
    proc.setgid(group);
    proc.setuid(unit.user);
  } catch (err) {
    throw new ConfigError(`${unit.path}: cannot switch to the service user ${unit.user}:${group} (${(err as Error).message}); create it with deploy/install.sh`, { file: unit.path });
  }
  return unit.user;
}
