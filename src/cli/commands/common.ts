// Shared pieces of the operator commands: the failure type that carries an exit code and a next step, the
// output sinks (injectable so commands can be tested in-process), option parsers, and the one-line
// description of a broker failure the commands print (codes and messages only, never a secret).
import { InvalidArgumentError, Option } from 'commander';
import { systemClock, type Clock } from '../../core/clock.js';
import { KisdError, errorMessage } from '../../core/errors.js';
import { scrubSecrets } from '../../log/secrets.js';
import { KisAuthError } from '../../kis/auth/index.js';
import { KisApiError, KisMalformedReplyError, KisNetworkError } from '../../kis/rest/index.js';

/** Exit codes of every command: 0 ok, 1 the work failed, 2 usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * A failure a person can act on. `hint` says what to do next; reportFailure prints both and exits with
 * `exitCode`.
 */
export class CliError extends KisdError {
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super('KISD_CLI', message, { disposition: 'fatal', cause: opts.cause });
    this.exitCode = opts.exitCode ?? EXIT_FAILURE;
    this.hint = opts.hint;
  }
}

export interface TextSink {
  write(text: string): unknown;
}

/** What a command needs from its surroundings; tests pass a fake clock and string sinks. */
export interface CliDeps {
  clock: Clock;
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
}

export function defaultDeps(over: Partial<CliDeps> = {}): CliDeps {
  return { clock: over.clock ?? systemClock, stdout: over.stdout ?? process.stdout, stderr: over.stderr ?? process.stderr, env: over.env ?? process.env };
}

/** Prints one line (secrets scrubbed: a line may echo a broker message). */
export function println(sink: TextSink, line = ''): void {
  sink.write(`${scrubSecrets(line)}\n`);
}

/** commander parser: a positive number of seconds (fractions allowed) → milliseconds. */
export function parseSeconds(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`expected seconds > 0 and <= ${max} (fractions allowed), got "${value}"`);
    return Math.max(1, Math.round(n * 1000));
  };
}

/** An option given in seconds on the command line and held in milliseconds; help shows the default in seconds. */
export function secondsOption(flags: string, description: string, maxSec: number, defaultSec: number): Option {
  return new Option(flags, description).argParser(parseSeconds(maxSec)).default(Math.round(defaultSec * 1000), String(defaultSec));
}

/** commander parser: an integer within [min, max]. */
export function parseIntIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/**
 * Short text for a failed broker call: "HTTP 500 EGW00001 일시적인 오류…", "NETWORK connect-refused",
 * "AUTH EGW00133 …". Good for one line of probe output.
 */
export function describeFailure(err: unknown): string {
  if (err instanceof KisApiError) {
    const status = err.httpStatus === undefined ? '' : `HTTP ${err.httpStatus} `;
    return `${status}${err.msgCd || 'no msg_cd'}${err.msg1.trim() ? ` ${err.msg1.trim()}` : ''}`;
  }
  if (err instanceof KisNetworkError) return `NETWORK ${err.kind}`;
  if (err instanceof KisMalformedReplyError) return `MALFORMED reply (${String(err.details['reason'] ?? 'not the KIS envelope')})`;
  if (err instanceof KisAuthError) return `AUTH ${err.kisCode ?? err.code}${err.httpStatus !== undefined ? ` HTTP ${err.httpStatus}` : ''}: ${err.message}`;
  if (err instanceof KisdError) return `${err.code}: ${err.message}`;
  return errorMessage(err);
}

/**
 * An AbortSignal that fires on SIGINT/SIGTERM, so a long command stops cleanly (closing the broker) rather
 * than dying mid-write. dispose() removes the handlers.
 */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => ac.abort(new KisdError('KISD_INTERRUPTED', `interrupted by ${name}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Runs `fn` with a signal that aborts after `timeoutMs` on `clock` or when `outer` aborts. */
export async function withTimeout<T>(clock: Clock, timeoutMs: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const timer = clock.setTimeout(() => ac.abort(new KisdError('KISD_TIMEOUT', `no answer within ${formatSeconds(timeoutMs)}`, { disposition: 'retryable' })), timeoutMs);
  const onOuter = (): void => ac.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  if (outer?.aborted) onOuter();
  try {
    return await fn(ac.signal);
  } catch (err) {
    // A call aborted by our timer may reject with its own AbortedError: report the timeout instead.
    if (ac.signal.aborted && !outer?.aborted) throw ac.signal.reason;
    throw err;
  } finally {
    clock.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** "20 s", "0.05 s", "2 min 5 s". */
export function formatSeconds(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}
