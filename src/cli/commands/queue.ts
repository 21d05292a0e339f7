// `kisd queue list|retry|purge`: the recovery queue (seed 002 §6) from the operator's side. Works while the
// daemon runs (SQLite WAL + busy timeout); a retried task is picked up by the daemon's recovery worker.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { formatKstTimestamp } from '../../core/kst.js';
import { createRecoveryQueue, type RecoveryQueue, type RecoveryStatus, type RecoveryTask } from '../../recovery/index.js';
import { openStore, RECOVERY_STATUSES, resolveDatabasePath } from '../../store/index.js';
import { openCliContext, type CliContext } from '../context.js';
import { CliError, EXIT_USAGE, parseIntIn, println, type CliDeps } from './common.js';

function withQueue<T>(ctx: CliContext, fn: (queue: RecoveryQueue) => T): T {
  const store = openStore({ dataDir: ctx.config.resolved.paths.dataDir, nowMs: ctx.clock.nowMs() });
  try {
    return fn(createRecoveryQueue({ repo: store.recoveryQueue, clock: ctx.clock }));
  } finally {
    store.close();
  }
}

const when = (ms: number | null): string => (ms === null ? '-' : formatKstTimestamp(ms));

/** At most `max` characters, cut between words (a broker code such as OPSQ2001 is never cut in half) with "…". */
export function shortenAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max - 1);
  return `${text.slice(0, cut > max / 2 ? cut : max - 1).trimEnd()}…`;
}

/** A fixed-width table, one task per line, newest first. */
export function formatTaskTable(tasks: readonly RecoveryTask[]): string[] {
  const head = ['ID', 'STATUS', 'TASK', 'CODE', 'TRIES', 'NEXT TRY (KST)', 'UPDATED (KST)', 'LAST ERROR'];
  const rows = tasks.map((t) => [
    String(t.id),
    t.status,
    t.taskType,
    t.targetCode,
    `${t.retryCount}/${t.maxRetries}`,
    t.status === 'pending' ? when(t.nextRetryAtMs) : '-',
    when(t.updatedAtMs),
    shortenAtWord((t.errorMessage ?? '').replace(/\s+/g, ' '), 120),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

export function registerQueueCommands(program: Command, deps: CliDeps): void {
  const queue = program.command('queue').description('the recovery queue of failed collection tasks');

  queue
    .command('list')
    .description('list tasks, newest first')
    .option('--status <status>', `only tasks in this status: ${RECOVERY_STATUSES.join(' | ')}`)
    .option('--limit <n>', 'at most this many', parseIntIn(1, 100_000), 200)
    .action(async (flags: { status?: string; limit: number }) => {
      if (flags.status !== undefined && !(RECOVERY_STATUSES as readonly string[]).includes(flags.status)) {
        throw new CliError(`--status must be one of ${RECOVERY_STATUSES.join(', ')}; got "${flags.status}"`, { exitCode: EXIT_USAGE });
      }
      const ctx = await openCliContext(program);
      try {
        const db = resolveDatabasePath({ dataDir: ctx.config.resolved.paths.dataDir });
        if (!existsSync(db)) {
          println(deps.stdout, `the queue is empty (no database yet at ${db})`);
          return;
        }
        const { tasks, counts } = withQueue(ctx, (q) => ({ tasks: q.list({ status: flags.status as RecoveryStatus | undefined, limit: flags.limit }), counts: q.counts() }));
        println(deps.stdout, `queue: ${RECOVERY_STATUSES.map((s) => `${counts[s]} ${s}`).join(', ')}`);
        if (tasks.length === 0) {
          println(deps.stdout, flags.status ? `no ${flags.status} tasks` : 'no tasks');
          return;
        }
        for (const line of formatTaskTable(tasks)) println(deps.stdout, line);
      } finally {
        await ctx.logs.close();
      }
    });

  queue
    .command('retry <id>')
    .description('make a task pending and due now (a failed task gets one more try)')
    .action(async (idText: string) => {
      const id = Number(idText);
      if (!Number.isInteger(id) || id <= 0) throw new CliError(`task id must be a positive whole number, got "${idText}"`, { exitCode: EXIT_USAGE });
      const ctx = await openCliContext(program);
      try {
        const outcome = withQueue(ctx, (q) => {
          const before = q.get(id);
          if (!before) return { kind: 'missing' as const };
          if (before.status === 'processing') return { kind: 'busy' as const };
          return { kind: q.retry(id) ? ('ok' as const) : ('busy' as const), before };
        });
        if (outcome.kind === 'missing') throw new CliError(`no task ${id} in the recovery queue`, { hint: 'see `kisd queue list` for the ids' });
        if (outcome.kind === 'busy') throw new CliError(`task ${id} is being processed right now`, { hint: 'wait for this attempt to finish, then check `kisd queue list`' });
        const t = outcome.before;
        println(deps.stdout, `task ${id} (${t.taskType} ${t.targetCode}, was ${t.status}, ${t.retryCount}/${t.maxRetries} tries) is pending and due now`);
        println(deps.stdout, "the daemon's recovery worker picks it up on its next round");
      } finally {
        await ctx.logs.close();
      }
    });

  queue
    .command('purge')
    .description('delete finished tasks')
    .option('--completed', 'delete completed tasks', false)
    .option('--failed', 'delete tasks that ran out of retries', false)
    .option('--older-than <days>', 'only tasks last updated more than this many days ago', parseIntIn(0, 36_500))
    .action(async (flags: { completed: boolean; failed: boolean; olderThan?: number }) => {
      if (!flags.completed && !flags.failed) throw new CliError('say what to purge: --completed and/or --failed', { exitCode: EXIT_USAGE });
      const ctx = await openCliContext(program);
      try {
        const before = flags.olderThan === undefined ? undefined : ctx.clock.nowMs() - flags.olderThan * 86_400_000;
        const n = withQueue(ctx, (q) => q.purge({ completed: flags.completed, failed: flags.failed, updatedBeforeMs: before }));
        const what = [flags.completed && 'completed', flags.failed && 'failed'].filter(Boolean).join(' and ');
        println(deps.stdout, `deleted ${n} ${what} task(s)${before === undefined ? '' : ` last updated before ${formatKstTimestamp(before)} KST`}`);
      } finally {
        await ctx.logs.close();
      }
    });
}
