// `kisd config check [file]`: runs exactly the checks `kisd run` runs before it starts (daemon/preflight.ts:
// schema, cross-field rules, credentials, schedule, strategies, alert sinks). Prints the compiled config with
// secrets masked and exits 0, or prints every problem by the setting's name and exits 2 — whenever run would
// refuse to start.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { describeCredentials } from '../../config/credentials.js';
import { preflight } from '../../daemon/preflight.js';
import { defaultDeps, type CliDeps } from './common.js';

export function registerConfigCommands(program: Command, deps: CliDeps = defaultDeps()): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check [file]')
    .description('run the checks `kisd run` runs before it starts; print the compiled config (secrets masked)')
    .action((file: string | undefined) => {
      const globalOpts = program.opts<{ config?: string }>();
      const { config: cfg, credentials } = preflight(loadConfig({ file: file ?? globalOpts.config, env: deps.env }), deps.env);
      deps.stdout.write(`# ${cfg.source}: OK (kisd run would start with this config and these credentials)\n`);
      deps.stdout.write(stringify({ ...cfg, credentials: describeCredentials(credentials) }));
    });
}
