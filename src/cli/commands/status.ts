// `kisd status`: finds the running daemon through `<var_dir>/state/daemon.json`, reads its /healthz and prints
// it for a person. Exit 0 when the daemon reports ready, 1 when it is not running, not answering or not ready.
import type { Command } from 'commander';
import { currentLogPath, loadConfig } from '../../config/load.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { formatStatus } from '../../health/index.js';
import { CliError, println, secondsOption, withTimeout, type CliDeps } from './common.js';
import { readDaemonState } from './daemon-state.js';

/** daemon.json keeps an ISO instant; people read KST, like every other time kisd prints. */
function startedText(startedAt: string | number): string {
  const ms = typeof startedAt === 'number' ? startedAt : Date.parse(startedAt);
  return Number.isFinite(ms) ? `${formatKstTimestamp(ms)} KST` : String(startedAt);
}

const START_HINT = 'start it with `kisd run` (or `systemctl start kisd` where it is installed as a service)';

export function registerStatusCommand(program: Command, deps: CliDeps): void {
  program
    .command('status')
    .description("show the running daemon's health (token, feed, last phase, queue)")
    .addOption(secondsOption('--timeout <sec>', 'how long to wait for the health endpoint', 120, 5))
    .action(async (flags: { timeout: number }) => {
      const config = loadConfig({ file: program.opts<{ config?: string }>().config, env: deps.env });
      const lookup = readDaemonState(config.resolved.paths.stateDir);
      const logPath = currentLogPath(config.resolved.paths.logFile);
      if (lookup.kind === 'absent') {
        throw new CliError(`kisd is not running (no ${lookup.path})`, { hint: START_HINT });
      }
      if (lookup.kind === 'unreadable') {
        throw new CliError(`cannot read ${lookup.path}: ${lookup.reason}`, {
          hint: lookup.reason === 'EACCES' ? 'the state directory is the service user\'s: run `sudo kisd status` (or as that user)' : `if no daemon runs, delete the file and ${START_HINT}`,
        });
      }
      if (lookup.kind === 'stale') {
        throw new CliError(`kisd is not running: pid ${lookup.state.pid} from ${lookup.path}${lookup.state.startedAt ? ` (started ${startedText(lookup.state.startedAt)})` : ''} no longer exists`, {
          hint: `${START_HINT}; the log (${logPath}) shows why it stopped`,
        });
      }
      const url = `${lookup.state.healthUrl.replace(/\/+$/, '')}/healthz`;
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = await withTimeout(deps.clock, flags.timeout, undefined, async (signal) => {
          const res = await fetch(url, { signal });
          const text = await res.text();
          try {
            return { status: res.status, body: JSON.parse(text) as unknown };
          } catch {
            return { status: res.status, body: undefined };
          }
        }));
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        throw new CliError(`kisd (pid ${lookup.state.pid}) is running but ${url} does not answer (${cause})`, {
          hint: `it may still be starting, or health.enabled is false; check the log (${logPath})`,
        });
      }
      if (body === undefined) {
        throw new CliError(`${url} answered HTTP ${status} without health JSON`, { hint: `is ${lookup.state.healthUrl} really kisd's health endpoint? check health.host/port` });
      }
      println(deps.stdout, `pid ${lookup.state.pid}, health ${lookup.state.healthUrl}`);
      println(deps.stdout, formatStatus(body));
      if (status !== 200) {
        throw new CliError(`the daemon reports not ready (HTTP ${status})`, { hint: `see the lines above and the log (${logPath})` });
      }
    });
}
