// Opening the broker for one command: optionally with HTTP settings overridden (the probe wants one HTTP
// attempt per probe attempt, not the client's retry ladder), always closed afterwards, and with a failure to
// start turned into a message that says what to check.
import { compileConfig, type KisdConfig } from '../../config/load.js';
import type { Broker } from '../../daemon/broker.js';
import { openBroker, stripCompiled, type BrokerSession, type CliContext } from '../context.js';
import { CliError } from './common.js';

/** The same config with some kis.http settings replaced (e.g. { max_retries: 0 }). */
export function withHttpOverrides(config: KisdConfig, http: Record<string, number>): KisdConfig {
  const raw = stripCompiled(config) as { kis: { http: Record<string, unknown> } } & Record<string, unknown>;
  return compileConfig({ ...raw, kis: { ...raw.kis, http: { ...raw.kis.http, ...http } } }, config.source);
}

/** Runs fn with a broker (and, in sim mode without a server URL, an in-process simulator), then closes both. */
export async function withBroker<T>(ctx: CliContext, fn: (broker: Broker, session: BrokerSession) => Promise<T>): Promise<T> {
  let session: BrokerSession;
  try {
    session = await openBroker(ctx);
  } catch (err) {
    throw new CliError(`cannot reach the KIS API: ${(err as Error).message}`, {
      hint: 'check kis.rest_base_url and mode in the config (kisd config check)',
      cause: err,
    });
  }
  try {
    return await fn(session.broker, session);
  } finally {
    await session.close();
  }
}

/** "the built-in simulator" / "https://openapi…:9443" — where a command's calls went, for its output. */
export function describeServer(ctx: CliContext, session: BrokerSession): string {
  if (session.sim) return `the built-in simulator (${session.sim.sim.restUrl})`;
  return `the ${ctx.config.mode} server ${session.broker.restBaseUrl}`;
}
