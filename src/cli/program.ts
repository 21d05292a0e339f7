// kisd's command tree (commander). main.ts is the entry point; tests build the program from here.
// Exit status of every command: 0 ok, 1 the work failed, 2 usage or configuration error.
import { Command, CommanderError } from 'commander';
import { KisdError, errorMessage } from '../core/errors.js';
import { scrubSecrets } from '../log/secrets.js';
import { CliError, defaultDeps, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliDeps, type TextSink } from './commands/common.js';
import { applyServiceUnit, unitCredentialHint } from './unit-mode.js';

type Register = (program: Command, deps: CliDeps) => void;

/**
 * Each top-level command's module, in the order `kisd --help` lists them, loaded when needed: importing every
 * command (the daemon, the simulator, Redis, SQLite…) took ~0.65 s before any work, so `kisd config check`
 * or `kisd status` paid for `kisd run`. A command line naming one command loads that one.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  run: async () => (await import('./commands/run.js')).registerRunCommand,
  sim: async () => (await import('./commands/sim.js')).registerSimCommand,
  status: async () => (await import('./commands/status.js')).registerStatusCommand,
  probe: async () => (await import('./commands/probe.js')).registerProbeCommand,
  collect: async () => (await import('./commands/collect.js')).registerCollectCommand,
  token: async () => (await import('./commands/token.js')).registerTokenCommands,
  keys: async () => (await import('./commands/keys-verify.js')).registerKeysCommands,
  queue: async () => (await import('./commands/queue.js')).registerQueueCommands,
  risk: async () => (await import('./commands/risk.js')).registerRiskCommands,
  export: async () => (await import('./commands/export-csv.js')).registerExportCommands,
  config: async () => (await import('./commands/config-check.js')).registerConfigCommands,
};

/** Global options that take a value (their value is not the command's name). */
const VALUE_OPTIONS = new Set(['-c', '--config', '--unit']);

/** The top-level command an argv (process.argv: node, script, args…) names, if it names a known one. */
export function commandNameOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return Object.hasOwn(COMMANDS, a) ? a : undefined;
  }
  return undefined;
}

/**
 * Builds the command tree. `deps` replaces the clock and output streams (in-process tests). With `argv`, only
 * the command it names is loaded (every command for `kisd --help`, `kisd help …` or an unknown name, so help
 * and "unknown command" read as always).
 */
export async function buildProgram(over: Partial<CliDeps> = {}, argv?: readonly string[]): Promise<Command> {
  const deps = defaultDeps(over);
  const program = new Command('kisd')
    .description('Always-on trading daemon for the Korea Investment & Securities (KIS) Open API')
    .option('-c, --config <file>', 'config file (default: $KISD_CONFIG or the packaged config/default.yaml)')
    .option('--unit <file>', "act as the systemd service does: its --config, EnvironmentFile= and WorkingDirectory=; as root, switch to its User= first (the installed `kisd` command passes this)")
    .showHelpAfterError('(run "kisd --help" for the commands)')
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) })
    .exitOverride(); // set before the sub-commands are added: commander copies it (and the output) to each
  program.hook('preAction', () => applyServiceUnit(program, deps));
  const only = argv ? commandNameOf(argv) : undefined;
  const load = only ? [COMMANDS[only]!] : Object.values(COMMANDS);
  for (const register of await Promise.all(load.map((l) => l()))) register(program, deps);
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
