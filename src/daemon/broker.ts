// The broker adapter as the daemon uses it: token manager, approval-key manager, the shared rate limiter,
// the REST client and its typed endpoints — built once from the compiled config.
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { openRedisConnection, type RedisConnection } from '../coord/index.js';
import type { KisdConfig } from '../config/load.js';
import type { KisCredentials, KisMode } from '../kis/auth/types.js';
import { createTokenManager, createApprovalKeyManager, type TokenManager, type ApprovalKeyManager } from '../kis/auth/index.js';
import { createKisRestClient, KisRestApi, type KisRestClient, type RateLimiter } from '../kis/rest/index.js';
import { openKeyBudget } from '../net/budget/index.js';
import { openSharedState, type SharedState } from './shared-state.js';

export interface Broker {
  readonly mode: KisMode;
  readonly restBaseUrl: string;
  readonly tokens: TokenManager;
  readonly approvalKeys: ApprovalKeyManager;
  readonly limiter: RateLimiter;
  readonly rest: KisRestClient;
  readonly api: KisRestApi;
  /** coordination.backend redis: the one Redis connection of this process (rate budget, token, kill switch). */
  readonly coordination?: RedisConnection;
  /** Token, approval key and kill switch: the state dir's files, or Redis over them (shared-state.ts). */
  readonly shared: SharedState;
  /** New HTTP pool; the next call re-reads the token (seed 003: periodic re-initialisation). */
  reinitRest(): void;
  close(): Promise<void>;
}

/**
 * serverId: see TokenManagerOptions.serverId (set for the daemon's embedded simulator). label: what this
 * process is, as `kisd status` lists the processes sharing the key's budget (default "kisd").
 */
export function createBroker(o: { config: KisdConfig; credentials: KisCredentials; clock: Clock; logger: Logger; restBaseUrl: string; serverId?: string; label?: string; alerts?: AlertPort }): Broker {
  const { config, credentials, clock } = o;
  const coord = config.coordination;
  // Throws ConfigError for a Redis without authentication (unless allowed); never because Redis is down.
  const coordination =
    coord.backend === 'redis' ? openRedisConnection({ settings: coord, log: o.logger.child({ component: 'coordination' }) }) : undefined;
  const mode = config.resolved.serverFlavor;
  const stateDir = config.resolved.paths.stateDir;
  const shared = openSharedState({ stateDir, appKey: () => credentials.appKey, clock, logger: o.logger, coordination, alerts: o.alerts });
  const tokens = createTokenManager({
    clock,
    log: o.logger.child({ component: 'token' }),
    baseUrl: o.restBaseUrl,
    ...(o.serverId ? { serverId: o.serverId } : {}),
    credentials,
    stateDir,
    stores: shared.credentials,
    refreshMarginSec: config.kis.token.refresh_margin_sec,
    minIssueIntervalSec: config.kis.token.min_issue_interval_sec,
  });
  const approvalKeys = createApprovalKeyManager({
    clock,
    log: o.logger.child({ component: 'approval-key' }),
    baseUrl: o.restBaseUrl,
    ...(o.serverId ? { serverId: o.serverId } : {}),
    credentials,
    stateDir,
    stores: shared.credentials,
    minIssueIntervalSec: config.kis.token.min_issue_interval_sec,
  });
  // The key's one budget, straight from the compiled config: shared with every kisd process using this state
  // directory (budget.db), or with every host through Redis; every client in this process is handed this one limiter.
  const budgetLog = o.logger.child({ component: 'rate-budget' });
  const limiter = openKeyBudget({
    clock,
    settings: config.resolved.rateLimit,
    appKey: credentials.appKey,
    stateDir,
    label: o.label ?? 'kisd',
    warn: (fields, msg) => budgetLog.warn(fields, msg),
    info: (fields, msg) => budgetLog.info(fields, msg),
    ...(coordination ? { redis: { link: coordination, fallbackShare: coord.fallback_share } } : {}),
    ...(o.alerts ? { alerts: o.alerts } : {}),
  });
  const http = config.kis.http;
  const rest = createKisRestClient({
    baseUrl: o.restBaseUrl,
    mode,
    credentials,
    tokens,
    clock,
    log: o.logger.child({ component: 'rest' }),
    limiter,
    connectTimeoutMs: http.connect_timeout_ms,
    readTimeoutMs: http.read_timeout_ms,
    maxRetries: http.max_retries,
    backoffBaseMs: http.backoff_base_ms,
    backoffCapMs: http.backoff_cap_ms,
    backoffJitterMs: http.backoff_jitter_ms,
    sessionResetAtAttempt: http.session_reset_at_attempt,
    cooldownAfterConsecutiveErrors: http.cooldown_after_consecutive_errors,
    cooldownSec: http.cooldown_sec,
    rateLimitedWaitMs: http.rate_limited_wait_ms,
    custtype: config.kis.custtype,
  });
  const api = new KisRestApi(rest, { credentials, log: o.logger.child({ component: 'kis-api' }) });
  return {
    mode,
    restBaseUrl: o.restBaseUrl,
    tokens,
    approvalKeys,
    limiter,
    rest,
    api,
    ...(coordination ? { coordination } : {}),
    shared,
    reinitRest: () => rest.resetSession(),
    close: async () => {
      await rest.close();
      await tokens.close();
      await approvalKeys.close();
      await limiter.close?.();
      await coordination?.close();
    },
  };
}
