// kisd's command tree (commander). main.ts is the entry point; tests build the program from here.
// Exit status of every command: 0 ok, 1 the work failed, 2 usage or configuration error.
import { Command, CommanderError } from 'commander';
import { KisdError, errorMessage } from '../core/errors.js';
import { scrubSecrets } from '../log/secrets.js';
import { registerCollectCommand } from './commands/collect.js';
import { CliError, defaultDeps, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliDeps, type TextSink } from './commands/common.js';
import { registerConfigCommands } from './commands/config-check.js';
import { registerExportCommands } from './commands/export-csv.js';
import { registerKeysCommands } from './commands/keys-verify.js';
import { registerProbeCommand } from './commands/probe.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerRiskCommands } from './commands/risk.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTokenCommands } from './commands/token.js';
import { registerRunCommand } from './commands/run.js';
import { registerSimCommand } from './commands/sim.js';
import { applyServiceUnit, unitCredentialHint } from './unit-mode.js';

/** Builds the command tree. `deps` replaces the clock and output streams (in-process tests). */
export function buildProgram(over: Partial<CliDeps> = {}): Command {
  const deps = defaultDeps(over);
  const program = new Command('kisd')
    .description('Always-on trading daemon for the Korea Investment & Securities (KIS) Open API')
    .option('-c, --config <file>', 'config file (default: $KISD_CONFIG or the packaged config/default.yaml)')
    .option('--unit <file>', "act as the systemd service does: its --config, EnvironmentFile= and WorkingDirectory=; as root, switch to its User= first (the installed `kisd` command passes this)")
    .showHelpAfterError('(run "kisd --help" for the commands)')
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) })
    .exitOverride(); // set before the sub-commands are added: commander copies it (and the output) to each
  program.hook('preAction', () => applyServiceUnit(program, deps));
  registerRunCommand(program);
  registerSimCommand(program);
  registerStatusCommand(program, deps);
  registerProbeCommand(program, deps);
  registerCollectCommand(program, deps);
  registerTokenCommands(program, deps);
  registerKeysCommands(program, deps);
  registerQueueCommands(program, deps);
  registerRiskCommands(program, deps);
  registerExportCommands(program, deps);
  registerConfigCommands(program, deps);
  return program;
}

/**
 * Prints an error a person can act on — what failed and what to do next — and returns the exit status.
 * Never a stack trace for expected failures, never a secret.
 */
export function reportFailure(err: unknown, stderr: TextSink = process.stderr): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (err instanceof CliError) {
    stderr.write(`kisd: ${scrubSecrets(err.message)}\n${err.hint ? `  next: ${scrubSecrets(err.hint)}\n` : ''}`);
    return err.exitCode;
  }
  if (err instanceof KisdError) {
    const config = err.code === 'KISD_CONFIG';
    stderr.write(`kisd: ${scrubSecrets(err.message)}\n`);
    // Only a next step that fits this error: most config messages already say what to change.
    const hint = (config && err.details['credentials'] === true ? unitCredentialHint() : undefined) ?? err.details['hint'];
    if (typeof hint === 'string' && hint) stderr.write(`  next: ${scrubSecrets(hint)}\n`);
    return config ? EXIT_USAGE : EXIT_FAILURE;
  }
  stderr.write(`kisd: unexpected error: ${scrubSecrets(errorMessage(err))}\n${scrubSecrets((err as Error)?.stack ?? '')}\n`);
  return EXIT_FAILURE;
}
