// Applies `--unit <file>` before any command runs (a commander preAction hook): the service's environment
// files are read (as root, before switching user), the process switches to the service user, moves to its
// working directory and takes the unit's --config unless one was given. See service-unit.ts.
import type { Command } from 'commander';
import type { CliDeps } from './commands/common.js';
import { dropToServiceUser, readServiceUnit, readUnitEnvironment } from './service-unit.js';

let unreadableEnv: { unit: string; user: string | undefined; files: { path: string; code: string }[] } | undefined;

export function applyServiceUnit(program: Command, deps: CliDeps): void {
  const file = program.opts<{ unit?: string }>().unit;
  if (!file) return;
  const unit = readServiceUnit(file);
  const env = readUnitEnvironment(unit);
  // The unit's values win over the caller's environment: the command must see the service's credentials,
  // not a stray KISD_APP_KEY from the operator's shell.
  Object.assign(deps.env, env.values);
  unreadableEnv = env.unreadable.length > 0 ? { unit: unit.path, user: unit.user, files: env.unreadable } : undefined;
  dropToServiceUser(unit);
  if (unit.workingDirectory) {
    try {
      process.chdir(unit.workingDirectory);
    } catch {
      // Not there yet (systemd creates StateDirectory= on the first start): paths in the config are absolute.
    }
  }
  if (program.opts<{ config?: string }>().config === undefined && unit.configFile) program.setOptionValue('config', unit.configFile);
}

/** A next step for "needs KIS credentials" when --unit could not read the service's EnvironmentFile=. */
export function unitCredentialHint(): string | undefined {
  if (!unreadableEnv) return undefined;
  const files = unreadableEnv.files.map((f) => `${f.path} (${f.code})`).join(', ');
  return `this user cannot read ${files}, the service's EnvironmentFile=; run the command as root (sudo kisd …)${unreadableEnv.user ? ` or as the service user (sudo -u ${unreadableEnv.user} kisd …)` : ''}`;
}
