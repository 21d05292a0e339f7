// `kisd risk status|reset`: the daily-loss kill switch from the operator's side. A reset written here is
// picked up by a running daemon at once (it watches the state directory) and is recorded with who reset it.
import type { Command } from 'commander';
import { openRedisConnection } from '../../coord/index.js';
import { openSharedState } from '../../daemon/shared-state.js';
import { KillSwitch } from '../../trade/risk/index.js';
import { openCliContext } from '../context.js';
import { CliError, EXIT_USAGE, println, type CliDeps } from './common.js';

export function registerRiskCommands(program: Command, deps: CliDeps): void {
  const risk = program.command('risk').description('the daily-loss kill switch');

  const open = async (): Promise<{ ks: KillSwitch; close: () => Promise<void> }> => {
    const ctx = await openCliContext(program);
    const stateDir = ctx.config.resolved.paths.stateDir;
    // coordination.backend redis: the switch every host reads lives in Redis, so status and reset go there.
    const coord = ctx.config.coordination;
    const coordination = coord.backend === 'redis' ? openRedisConnection({ settings: coord, log: ctx.logger.child({ component: 'coordination' }) }) : undefined;
    const shared = openSharedState({ stateDir, appKey: () => ctx.credentials.appKey, clock: deps.clock, logger: ctx.logger, coordination });
    const ks = new KillSwitch({ stateDir, clock: deps.clock, logger: ctx.logger, store: shared.killSwitch });
    const close = async (): Promise<void> => {
      await coordination?.close();
      await ctx.logs.close();
    };
    try {
      await ks.load();
    } catch (err) {
      await close();
      throw err;
    }
    return { ks, close };
  };

  risk
    .command('status')
    .description('is the kill switch tripped, since when and why')
    .action(async () => {
      const { ks, close } = await open();
      try {
        const s = ks.snapshot();
        if (!ks.isTripped()) {
          println(deps.stdout, `kill switch: not tripped${s?.resetBy ? ` (last reset by ${s.resetBy} at ${s.resetAt})` : ''}; new entries allowed`);
          return;
        }
        println(deps.stdout, `kill switch: TRIPPED since ${s?.trippedAt} (KST day ${s?.ymd}): ${s?.reason}`);
        println(deps.stdout, '  no new entries until the next KST day; exits are still allowed');
        println(deps.stdout, '  to trade again today, find the cause first, then: kisd risk reset --by <your name>');
        process.exitCode = 1;
      } finally {
        await close();
      }
    });

  risk
    .command('reset')
    .description('re-allow new entries today (recorded with who reset it)')
    .requiredOption('--by <name>', 'who is resetting it (kept in the state file and the log)')
    .action(async (flags: { by: string }) => {
      if (!flags.by.trim()) throw new CliError('--by needs a name', { exitCode: EXIT_USAGE });
      const { ks, close } = await open();
      try {
        if (!ks.isTripped()) {
          println(deps.stdout, 'kill switch: not tripped; nothing to reset');
          return;
        }
        await ks.reset(flags.by.trim());
        println(deps.stdout, `kill switch reset by ${flags.by.trim()}; a running daemon allows new entries again within a second`);
      } finally {
        await close();
      }
    });
}
