// `kisd probe`: seed 000 §1.1's recovery probe. Calls domestic current price (inquire-price) every interval
// and exits 0 after N consecutive successes, 1 when the attempts run out — run it after a burst of 500s and
// resume bulk collection only once it passes. One line per attempt: KST time, result, price or error code.
import type { Command } from 'commander';
import { formatKstTimestamp } from '../../core/kst.js';
import { parseDomesticCode } from '../../kis/symbols/index.js';
import { openCliContext } from '../context.js';
import { describeServer, withBroker, withHttpOverrides } from './broker-session.js';
import { CliError, EXIT_USAGE, formatSeconds, interruptSignal, parseIntIn, println, secondsOption, type CliDeps } from './common.js';
import { runProbeLoop, type ProbeAttempt } from './probe-loop.js';

interface ProbeFlags {
  interval: number;
  successes: number;
  symbol: string;
  maxAttempts: number;
  timeout: number;
}

export function registerProbeCommand(program: Command, deps: CliDeps): void {
  program
    .command('probe')
    .description('call domestic current price every interval until N calls in a row succeed (is KIS answering again?)')
    .addOption(secondsOption('--interval <sec>', 'seconds between attempts (fractions allowed)', 3600, 20))
    .option('--successes <n>', 'consecutive successes needed', parseIntIn(1, 100), 3)
    .option('--symbol <code>', 'domestic code to quote', '005930')
    .option('--max-attempts <n>', 'give up after this many attempts (90 = 30 minutes at 20 s)', parseIntIn(1, 100_000), 90)
    .addOption(secondsOption('--timeout <sec>', 'deadline of one attempt', 600, 15))
    .addHelpText('after', '\nExit status: 0 after the successes, 1 when the attempts run out, 2 on bad options or config.')
    .action(async (flags: ProbeFlags) => {
      try {
        parseDomesticCode(flags.symbol);
      } catch (err) {
        throw new CliError(`--symbol: ${(err as Error).message}`, { exitCode: EXIT_USAGE });
      }
      const base = await openCliContext(program, { callsKis: true, label: 'kisd probe' });
      // The probe is the retry loop: each attempt is one HTTP call, and the client's cool-down after
      // consecutive errors must not swallow probe attempts.
      const ctx = { ...base, config: withHttpOverrides(base.config, { max_retries: 0, cooldown_after_consecutive_errors: 1000 }) };
      const interrupt = interruptSignal();
      try {
        const result = await withBroker(ctx, async (broker, session) => {
          println(
            deps.stdout,
            `probing ${flags.symbol} current price on ${describeServer(ctx, session)} every ${formatSeconds(flags.interval)}: ` +
              `need ${flags.successes} successes in a row, at most ${flags.maxAttempts} attempts`,
          );
          return runProbeLoop({
            clock: ctx.clock,
            intervalMs: flags.interval,
            successesNeeded: flags.successes,
            maxAttempts: flags.maxAttempts,
            attemptTimeoutMs: flags.timeout,
            signal: interrupt.signal,
            check: async (signal) => {
              const q = await broker.api.inquirePrice(flags.symbol, { signal });
              return `price ${q.price.toLocaleString('en-US')}`;
            },
            onAttempt: (a) => println(deps.stdout, formatAttempt(a)),
          });
        });
        if (result.ok) {
          println(deps.stdout, `OK: ${result.streak} consecutive successes after ${result.attempts} attempt(s); KIS is answering normally`);
          return;
        }
        if (result.aborted) throw new CliError(`probe interrupted after ${result.attempts} attempt(s)`);
        throw new CliError(`probe gave up: ${result.attempts} attempt(s) without ${flags.successes} successes in a row`, {
          hint:
            'KIS may be down, under maintenance, or the network is failing: wait longer (more --max-attempts or a larger --interval) ' +
            'before resuming collection; check `kisd token status` and the log if every attempt shows an auth error',
        });
      } finally {
        interrupt.dispose();
        await ctx.logs.close();
      }
    });
}

/** "2026-11-23 17:05:00  attempt  3/90  OK    price 71,200  (2/3 in a row, 35 ms)" */
export function formatAttempt(a: ProbeAttempt): string {
  const width = String(a.maxAttempts).length;
  const n = `attempt ${String(a.attempt).padStart(width)}/${a.maxAttempts}`;
  return `${formatKstTimestamp(a.startedAtMs)}  ${n}  ${a.ok ? 'OK  ' : 'FAIL'}  ${a.detail}  (${a.streak}/${a.successesNeeded} in a row, ${Math.round(a.durationMs)} ms)`;
}
