// Everything `kisd run` checks before it starts anything, in one place: `kisd config check` calls exactly
// this, so the two agree on every config (the schema and its cross-field checks in loadConfig, then the
// credentials, a non-loopback status page without its token, the day's schedule, the strategies and the alert
// sinks). Errors name the user's settings.
import pino from 'pino';
import type { KisdConfig } from '../config/load.js';
import { loadCredentials } from '../config/credentials.js';
import { ConfigError, KisdError } from '../core/errors.js';
import { configuredPhaseTimes } from '../core/phases.js';
import type { KisCredentials } from '../core/credentials.js';
import { compileSchedulePlan, type SchedulePlanOptions } from '../scheduler/phase-plan.js';
import { defaultStrategyRegistry } from '../trade/strategy/index.js';
import { healthAuthFor } from '../health/health-auth.js';
import { resolveRedis } from '../coord/index.js';
import { alertSinksFromEnv } from './alerts-from-env.js';
import { dartApiKeyFor } from './dart-endpoint.js';

export interface PreflightResult {
  config: KisdConfig;
  credentials: KisCredentials;
  schedule: SchedulePlanOptions;
}

/**
 * The scheduler's phases from the config. Screening and selection may still start late until the trading
 * session ends, the KR feed until the US feed takes over.
 */
export function scheduleOptionsFor(config: KisdConfig): SchedulePlanOptions {
  const s = config.scheduler;
  return {
    // Every phase's times from the settings the phase table (src/core/phases.ts) names.
    phases: configuredPhaseTimes({ scheduler: s, feed: config.feed }),
    tokenCheckEveryMin: config.kis.token.check_interval_min,
    brokerReinitEveryHours: config.kis.token.broker_reinit_hours,
    holidayCheckAt: s.holiday_check_at,
  };
}

function inSetting<T>(config: KisdConfig, setting: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KisdError && err.code === 'KISD_CONFIG' && !err.message.startsWith(config.source)) {
      throw new ConfigError(`${config.source}: ${setting}: ${err.message}`, { ...err.details, file: config.source });
    }
    throw err;
  }
}

/** Throws the ConfigError `kisd run` would refuse to start with; returns what run needs when there is none. */
export function preflight(config: KisdConfig, env: NodeJS.ProcessEnv = process.env): PreflightResult {
  const credentials = loadCredentials(config, env);
  // A status page open to the network without a token is refused before anything starts.
  healthAuthFor(config.health.host, env, `${config.source}: health.host`);
  const schedule = scheduleOptionsFor(config);
  inSetting(config, 'scheduler', () => compileSchedulePlan(schedule));
  if (config.trading.enabled) {
    const registry = defaultStrategyRegistry();
    config.trading.strategies.forEach((s, i) => inSetting(config, `trading.strategies.${i}`, () => registry.create({ kind: s.kind, ...(s.name ? { name: s.name } : {}), params: s.params })));
    inSetting(config, 'trading.strategies', () => registry.createAll(config.trading.strategies.map((s) => ({ kind: s.kind, ...(s.name ? { name: s.name } : {}), params: s.params }))));
  }
  alertSinksFromEnv(config, env, pino({ level: 'silent' }));
  // OpenDART on a paper or real account needs KISD_DART_API_KEY (sim mode uses the simulator's key).
  inSetting(config, 'dart.enabled', () => dartApiKeyFor(config, env));
  // A Redis that would hold the token without a password is refused here, not after the first connection.
  if (config.coordination.backend === 'redis') inSetting(config, 'coordination', () => resolveRedis(config.coordination, env));
  return { config, credentials, schedule };
}
