// `kisd keys verify [--force]`: proves the configured credentials work — an access token and a WebSocket
// approval key from the configured server (through the shared managers: same lock, file and one-per-minute
// pacing as the daemon) and one cheap call (inquire-price). Seed 001 §5.1: real keys are checked only in the
// off-market gaps 06:00–08:00 and 17:00–22:00 KST; outside them the command refuses unless --force.
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { describeCredentials } from '../../config/credentials.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { formatRemaining } from '../../kis/auth/index.js';
import { maskSecret } from '../../log/secrets.js';
import { openCliContext } from '../context.js';
import { describeServer, withBroker } from './broker-session.js';
import { CliError, describeFailure, interruptSignal, println, secondsOption, withTimeout, type CliDeps } from './common.js';
import { checkOffMarketGap, OFF_MARKET_GAPS } from './off-market-gap.js';

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const GAPS_TEXT = OFF_MARKET_GAPS.map((g) => `${hhmm(g.fromMinute)}–${hhmm(g.untilMinute)}`).join(' and ');

/** The refusal text outside the gaps, or undefined when verification may run now. */
export function gapRefusal(nowMs: number): string | undefined {
  const g = checkOffMarketGap(nowMs);
  if (g.inGap) return undefined;
  return (
    `not verifying: it is ${formatKstTimestamp(nowMs)} KST and a market may be open; real keys are verified only in the off-market gaps ${GAPS_TEXT} KST, so the check never competes with trading traffic. ` +
    `The next gap (${g.nextGap.name}) opens at ${formatKstTimestamp(g.opensAtMs)} KST, in ${formatRemaining(g.opensAtMs - nowMs)}.`
  );
}

export function registerKeysCommands(program: Command, deps: CliDeps): void {
  const keys = program.command('keys').description('check the KIS credentials');
  keys
    .command('verify')
    .description(`issue a token and approval key and make one cheap call; real/paper keys only in the off-market gaps (${GAPS_TEXT} KST)`)
    .option('--force', 'verify even outside the off-market gaps (adds traffic while a market may be open)', false)
    .addOption(secondsOption('--timeout <sec>', 'deadline of each step', 600, 30))
    .action(async (flags: { force: boolean; timeout: number }) => {
      // Decide before loading credentials or opening anything: a refusal touches nothing.
      const config = loadConfig({ file: program.opts<{ config?: string }>().config, env: deps.env });
      if (config.mode !== 'sim' && !flags.force) {
        const refusal = gapRefusal(deps.clock.nowMs());
        if (refusal) throw new CliError(refusal, { hint: 'run it again in a gap, or add --force if you accept the extra traffic now' });
      }
      const ctx = await openCliContext(program, { callsKis: true, label: 'kisd keys verify' });
      const interrupt = interruptSignal();
      const failures: string[] = [];
      try {
        await withBroker(ctx, async (broker, session) => {
          const creds = describeCredentials(ctx.credentials);
          println(deps.stdout, `verifying ${ctx.config.mode} credentials (app key ${creds['app_key']}, account ${creds['account_no']}) against ${describeServer(ctx, session)}`);
          const step = <T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> => withTimeout(ctx.clock, flags.timeout, interrupt.signal, fn);

          const before = await broker.tokens.status();
          let tokenOk = false;
          try {
            const t = await step((s) => broker.tokens.getAccessToken(s));
            const reused = before.issuedAtKst === t.issuedAtKst && (before.state === 'valid' || before.state === 'refresh-due');
            println(deps.stdout, `  token          OK  ${maskSecret(t.value)} issued ${t.issuedAtKst} KST (${reused ? 'from the state file' : 'new'}), ${formatRemaining(t.expiresAtEpochMs - ctx.clock.nowMs())} left`);
            tokenOk = true;
          } catch (err) {
            failures.push('token');
            println(deps.stdout, `  token          FAIL ${describeFailure(err)}`);
          }
          try {
            const k = await step((s) => broker.approvalKeys.getApprovalKeyRecord(s));
            println(deps.stdout, `  approval key   OK  ${maskSecret(k.value)} issued ${k.issuedAtKst} KST`);
          } catch (err) {
            failures.push('approval key');
            println(deps.stdout, `  approval key   FAIL ${describeFailure(err)}`);
          }
          if (!tokenOk) {
            println(deps.stdout, '  inquire-price  skipped (no token)');
            return;
          }
          try {
            const q = await step((s) => broker.api.inquirePrice('005930', { signal: s }));
            println(deps.stdout, `  inquire-price  OK  005930 price ${q.price.toLocaleString('en-US')}`);
          } catch (err) {
            failures.push('inquire-price');
            println(deps.stdout, `  inquire-price  FAIL ${describeFailure(err)}`);
          }
        });
      } finally {
        interrupt.dispose();
        await ctx.logs.close();
      }
      if (interrupt.signal.aborted) throw new CliError('verification cancelled');
      if (failures.length > 0) {
        throw new CliError(`credentials check failed: ${failures.join(', ')}`, {
          hint:
            'EGW00103/EGW00105: wrong app key/secret (paper keys only work on the paper server); EGW00133: issued too often, wait a minute; ' +
            'a network or HTTP 5xx failure: run `kisd probe` to see whether KIS answers',
        });
      }
      println(deps.stdout, 'OK: the credentials work');
    });
}
