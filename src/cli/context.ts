// Shared set-up for CLI commands: config, credentials, logger, and (when a command talks to KIS) the
// broker — against the configured server, or in sim mode an in-process simulator when none is configured.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.js';
import { loadConfig, compileConfig, type KisdConfig } from '../config/load.js';
import { loadCredentials } from '../config/credentials.js';
import { createLogger, type ConsoleMode, type KisdLogger } from '../log/logger.js';
import type { KisCredentials } from '../kis/auth/types.js';
import { createBroker, type Broker } from '../daemon/broker.js';
import { startEmbeddedSimulator, type EmbeddedSimulator } from '../daemon/embedded-sim.js';

export interface CliContext {
  config: KisdConfig;
  /**
   * Loaded on first use: commands that never call KIS (status, queue, risk, export) run without credentials;
   * reading it throws the same ConfigError `kisd run` would when they are missing.
   */
  readonly credentials: KisCredentials;
  logger: Logger;
  logs: KisdLogger;
  clock: Clock;
  /** What this process is, as `kisd status` lists the processes sharing the key's rate budget. */
  label: string;
}

export interface OpenContextOptions {
  /** Console log mode for this command (default: warnings only, so command output stays readable). */
  console?: ConsoleMode;
  level?: string;
  /** Also write the daemon's log file (default false for short commands). */
  logFile?: boolean;
  /** The command calls KIS: load the credentials now, so a missing one stops it before anything opens. */
  callsKis?: boolean;
  /** What this process is, e.g. "kisd collect quotes" (default "kisd"). */
  label?: string;
}

/** Loads config (global --config), credentials and a logger for a command. */
export async function openCliContext(program: Command, opts: OpenContextOptions = {}): Promise<CliContext> {
  const config = loadConfig({ file: program.opts<{ config?: string }>().config });
  let credentials: KisCredentials | undefined = opts.callsKis ? loadCredentials(config) : undefined;
  const logs = await createLogger({
    level: opts.level ?? 'warn',
    file: opts.logFile ? config.resolved.paths.logFile : undefined,
    maxSizeMb: config.log.max_size_mb,
    maxFiles: config.log.max_files,
    console: opts.console ?? 'auto',
    consoleStream: process.stderr,
  });
  return {
    config,
    get credentials() {
      credentials ??= loadCredentials(config);
      return credentials;
    },
    logger: logs.logger,
    logs,
    clock: systemClock,
    label: opts.label ?? 'kisd',
  };
}

export interface BrokerSession {
  broker: Broker;
  /** Set when this command started its own simulator (sim mode without kis.rest_base_url). */
  sim?: EmbeddedSimulator;
  close(): Promise<void>;
}

/**
 * Opens the broker for a command. In sim mode without a configured rest_base_url an in-process simulator
 * is started, and its token lives in a throw-away state dir so the daemon's token file is never touched.
 */
export async function openBroker(ctx: CliContext): Promise<BrokerSession> {
  let sim: EmbeddedSimulator | undefined;
  let config = ctx.config;
  let restBaseUrl = config.resolved.restBaseUrl;
  if (config.mode === 'sim' && !restBaseUrl) {
    sim = await startEmbeddedSimulator({ config, credentials: ctx.credentials, clock: ctx.clock, logger: ctx.logger, port: 0 });
    restBaseUrl = sim.sim.restUrl;
    const scratch = mkdtempSync(join(tmpdir(), 'kisd-cli-'));
    config = compileConfig({ ...stripCompiled(config), paths: { var_dir: scratch } }, config.source);
  }
  if (!restBaseUrl) throw new Error('no KIS REST URL: set kis.rest_base_url or a mode with a default host');
  const broker = createBroker({ config, credentials: ctx.credentials, clock: ctx.clock, logger: ctx.logger, restBaseUrl, label: ctx.label });
  return {
    broker,
    sim,
    close: async () => {
      await broker.close();
      await sim?.close();
    },
  };
}

/** The raw (uncompiled) shape of a compiled config, to recompile it with changes. */
export function stripCompiled(config: KisdConfig): Record<string, unknown> {
  const { source: _source, resolved: _resolved, ...raw } = config;
  return JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
}
