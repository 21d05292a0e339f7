// `kisd status`: finds the running daemon through `<var_dir>/state/daemon.json`, reads its /healthz and prints
// it for a person. Exit 0 when the daemon reports ready, 1 when it is not running, not answering or not ready.
import type { Command } from 'commander';
import { join } from 'node:path';
import { currentLogPath, loadConfig, type KisdConfig } from '../../config/load.js';
import { BUDGET_FILE, compileWindows, readBudgetReports, readRedisBudgetReports, type BudgetReport } from '../../net/budget/index.js';
import { openRedisConnection } from '../../coord/index.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { formatStatus } from '../../health/index.js';
import { CliError, println, secondsOption, withTimeout, type CliDeps } from './common.js';
import { readDaemonState } from './daemon-state.js';

/** daemon.json keeps an ISO instant; people read KST, like every other time kisd prints. */
function startedText(startedAt: string | number): string {
  const ms = typeof startedAt === 'number' ? startedAt : Date.parse(startedAt);
  return Number.isFinite(ms) ? `${formatKstTimestamp(ms)} KST` : String(startedAt);
}

/**
 * The key's rate budget as `<state_dir>/budget.db` has it: use per window across every process, and the
 * processes sharing it (the daemon, a `kisd collect` beside it). Read directly, not through the daemon.
 */
function budgetLines(config: KisdConfig, deps: CliDeps): string[] {
  const nowMs = deps.clock.hostMonotonicMs?.();
  if (nowMs === undefined) return [];
  const path = join(config.resolved.paths.stateDir, BUDGET_FILE);
  let reports;
  try {
    reports = readBudgetReports(path, compileWindows(config.resolved.rateLimit.windows), nowMs);
  } catch (err) {
    return [`REST budget: cannot read ${path}: ${(err as Error).message}`];
  }
  if (!reports || reports.length === 0) return [`REST budget: no process has drawn on it recently (${path})`];
  return reports.flatMap((r) => reportLines(r, path));
}

/** coordination.backend redis: the budget as Redis has it (every host), read with a short timeout. */
async function redisBudgetLines(config: KisdConfig, deps: CliDeps): Promise<string[]> {
  let conn;
  try {
    conn = openRedisConnection({ settings: config.coordination, env: deps.env });
  } catch (err) {
    return [`REST budget: ${(err as Error).message}`];
  }
  try {
    if ((await conn.settled()) === 'down') {
      return [`REST budget: Redis ${conn.displayUrl} unreachable (${conn.lastError() ?? 'no answer'}): every kisd host uses its fallback share (${config.coordination.fallback_share}) of the budget alone`];
    }
    const reports = await readRedisBudgetReports(conn.client, compileWindows(config.resolved.rateLimit.windows));
    if (reports.length === 0) return [`REST budget: no process has drawn on it recently (Redis ${conn.displayUrl})`];
    return reports.flatMap((r) => reportLines(r, `Redis ${conn.displayUrl}`));
  } catch (err) {
    return [`REST budget: cannot read Redis ${conn.displayUrl}: ${(err as Error).message}`];
  } finally {
    await conn.close();
  }
}

function reportLines(r: BudgetReport, where: string): string[] {
  const win = (ms: number): string => (ms >= 3_600_000 ? '1 h' : ms >= 60_000 ? '1 min' : '1 s');
  return [
    `REST budget (app key ${r.key.slice(0, 8)}…, ${where}): ${r.windows.map((w) => `${win(w.windowMs)} ${w.used}/${w.limit}`).join(' · ')}`,
    `  shared by ${r.members.length} process${r.members.length === 1 ? '' : 'es'}${r.members.length ? ':' : ''}`,
    ...r.members.map((m) => `    pid ${m.pid} on ${m.host}: ${m.label} (seen ${Math.round(m.seenAgoMs / 1000)} s ago)`),
  ];
}

async function allBudgetLines(config: KisdConfig, deps: CliDeps): Promise<string[]> {
  return config.coordination.backend === 'redis' ? redisBudgetLines(config, deps) : budgetLines(config, deps);
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
      if (lookup.state.healthUrl === null) {
        println(deps.stdout, `pid ${lookup.state.pid}, no health endpoint (health.enabled is false)`);
        for (const line of await allBudgetLines(config, deps)) println(deps.stdout, line);
        throw new CliError(`kisd (pid ${lookup.state.pid}) is running with health.enabled: false, so it has no status to ask`, {
          hint: `set health.enabled: true in ${config.source} and restart kisd (sudo systemctl restart kisd); the log (${logPath}) shows what it does meanwhile`,
        });
      }
      const healthUrl = lookup.state.healthUrl;
      const url = `${healthUrl.replace(/\/+$/, '')}/healthz`;
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
          hint: `it may still be starting; check the log (${logPath})`,
        });
      }
      if (body === undefined) {
        throw new CliError(`${url} answered HTTP ${status} without health JSON`, { hint: `is ${healthUrl} really kisd's health endpoint? check health.host/port` });
      }
      println(deps.stdout, `pid ${lookup.state.pid}, health ${healthUrl}`);
      println(deps.stdout, formatStatus(body));
      for (const line of await allBudgetLines(config, deps)) println(deps.stdout, line);
      if (status !== 200) {
        throw new CliError(`the daemon reports not ready (HTTP ${status})`, { hint: `see the lines above and the log (${logPath})` });
      }
    });
}
