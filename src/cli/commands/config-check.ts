// `kisd config check [file]`: prints the compiled config with secrets masked, or every problem with its
// file, field path and accepted values.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { loadCredentials, describeCredentials } from '../../config/credentials.js';
import { KisdError } from '../../core/errors.js';
import { healthAuthFor } from '../../health/health-auth.js';
import { defaultDeps, type CliDeps } from './common.js';

export function registerConfigCommands(program: Command, deps: CliDeps = defaultDeps()): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check [file]')
    .description('validate a config file and print the compiled result (secrets masked)')
    .action((file: string | undefined) => {
      const globalOpts = program.opts<{ config?: string }>();
      const cfg = loadConfig({ file: file ?? globalOpts.config, env: deps.env });
      healthAuthFor(cfg.health.host, deps.env, `${cfg.source}: health.host`); // as `kisd run` refuses it
      let credentials: Record<string, string> | string;
      try {
        credentials = describeCredentials(loadCredentials(cfg, deps.env));
      } catch (err) {
        credentials = `not available: ${err instanceof KisdError ? err.message : String(err)}`;
      }
      deps.stdout.write(`# ${cfg.source}: OK\n`);
      deps.stdout.write(stringify({ ...cfg, credentials }));
    });
}
