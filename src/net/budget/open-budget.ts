// The app key's one rate budget for this process. coordination.backend local: shared through
// `<state_dir>/budget.db` with every kisd process on the host using that state directory. redis: shared
// through Redis with every host, falling back to fallback_share of the budget (in budget.db) while Redis is
// unreachable. When the clock is virtual (tests, time travel) and cannot agree with another process: an
// in-process limiter as before.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { AlertPort } from '../../core/alert.js';
import type { Clock } from '../../core/clock.js';
import { createRateLimiter, type RateLimiter, type RateLimitSettings } from '../rate-limiter.js';
import { compileWindows, type WindowSpec } from '../rate-windows.js';
import { createFailoverLedger, type CoordinationMode, type LinkState } from './failover-ledger.js';
import { appKeyFingerprint, type BudgetLedger, type BudgetMember } from './ledger.js';
import { openRedisLedger } from './redis-ledger.js';
import { createSharedLimiter } from './shared-limiter.js';
import { openSqliteLedger } from './sqlite-ledger.js';

export const BUDGET_FILE = 'budget.db';

/** coordination.backend redis: the connection (the caller owns it) and the share used while it is down. */
export interface RedisBudgetLink {
  link: LinkState & { readonly client: Redis; readonly displayUrl: string };
  /** (0, 1]: the share of every window this host uses alone while Redis is unreachable. */
  fallbackShare: number;
}

export interface OpenBudgetOptions {
  clock: Clock;
  settings: RateLimitSettings;
  appKey: string;
  stateDir: string;
  /** What this process is, for `kisd status` ("kisd run", "kisd collect quotes"). */
  label: string;
  /** Warnings: a ledger that failed (retried), a corrupt ledger rebuilt, Redis lost. */
  warn: (fields: Record<string, unknown>, msg: string) => void;
  /** Redis back. */
  info?: (fields: Record<string, unknown>, msg: string) => void;
  /** Set for coordination.backend redis. */
  redis?: RedisBudgetLink;
  /** Where the "Redis unreachable" alert goes (the log only when absent). */
  alerts?: AlertPort;
}

/** This process as a budget member. */
export function thisProcess(label: string): BudgetMember {
  return { id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, pid: process.pid, host: hostname(), label };
}

/** `share` of each window (at least one grant), the spacing stretched to match. */
export function shareOfWindows(windows: readonly WindowSpec[], spacingMs: number, share: number): { windows: WindowSpec[]; spacingMs: number } {
  const scaled = windows.map((w) => ({ spanMs: w.spanMs, limit: Math.max(1, Math.floor(w.limit * share)) }));
  return { windows: scaled, spacingMs: spacingMs > 0 ? Math.ceil(spacingMs / share) : 0 };
}

export function openKeyBudget(o: OpenBudgetOptions): RateLimiter {
  const hostMs = o.clock.hostMonotonicMs?.bind(o.clock);
  if (!hostMs) return createRateLimiter({ clock: o.clock, ...o.settings });
  const path = join(o.stateDir, BUDGET_FILE);
  const windows = compileWindows(o.settings.windows);
  const safetyMs = o.settings.windowSafetyMs ?? 25;
  const spacingMs = Math.max(0, o.settings.minSpacingMs ?? 0);
  const keyFingerprint = appKeyFingerprint(o.appKey);
  const local = (w: { windows: WindowSpec[]; spacingMs: number }): BudgetLedger =>
    openSqliteLedger({
      path,
      keyFingerprint,
      windows: w.windows,
      safetyMs,
      spacingMs: w.spacingMs,
      timeMs: hostMs,
      onQuarantine: (renamedTo, reason) => o.warn({ path, renamedTo, reason }, 'rate budget ledger was corrupt: renamed aside and rebuilt'),
    });
  const member = thisProcess(o.label);
  if (!o.redis) {
    return createSharedLimiter({
      clock: o.clock,
      ledger: local({ windows, spacingMs }),
      member,
      backend: 'local',
      onLedgerError: (err) => o.warn({ path, err: (err as Error).message }, 'rate budget ledger failed; retrying'),
    });
  }
  const { link, fallbackShare } = o.redis;
  const share = shareOfWindows(windows, spacingMs, fallbackShare);
  const redisUrl = link.displayUrl;
  const ledger = createFailoverLedger({
    clock: o.clock,
    primary: openRedisLedger({ client: link.client, keyFingerprint, windows, safetyMs, spacingMs }),
    fallback: local(share),
    link,
    quietMs: Math.min(...windows.map((w) => w.spanMs)) + safetyMs,
    onSwitch: (mode, reason) => reportSwitch(o, mode, reason, { redisUrl, perSecond: share.windows[0]!.limit, fallbackShare }),
  });
  return createSharedLimiter({
    clock: o.clock,
    ledger,
    member,
    backend: 'redis',
    coordination: () => ({ mode: ledger.mode(), redis: redisUrl, ...(link.lastError() && ledger.mode() === 'fallback' ? { lastError: link.lastError()! } : {}) }),
    onLedgerError: (err) => o.warn({ path, redis: redisUrl, err: (err as Error).message }, 'rate budget ledger failed; retrying'),
  });
}

/**
 * One log line per switch; one alert per outage (the dispatcher also de-duplicates by key). Kept apart from the
 * token / kill-switch fallback alert (coord/redis/credential-fallback.ts) on purpose; each names the other.
 */
function reportSwitch(o: OpenBudgetOptions, mode: CoordinationMode, reason: string | undefined, f: { redisUrl: string; perSecond: number; fallbackShare: number }): void {
  if (mode === 'shared') {
    (o.info ?? o.warn)({ redis: f.redisUrl }, 'Redis is back: the rate budget is shared with every host again');
    return;
  }
  o.warn({ redis: f.redisUrl, err: reason, perSecond: f.perSecond }, 'Redis unreachable: using this host\'s fallback share of the rate budget');
  o.alerts
    ?.send({
      key: 'coordination:redis-unreachable',
      level: 'ERROR',
      title: `Redis unreachable: this host uses ${Math.round(f.fallbackShare * 100)}% of the KIS rate budget`,
      what: `kisd cannot reach the coordination Redis at ${f.redisUrl} (${reason ?? 'connection lost'}). Until it answers, this host spends at most ${f.perSecond} requests/s of the app key's budget on its own, so the hosts together stay under KIS's limit; collection is slower. (The token and kill switch fall back to this host's files too: that is the separate WARNING alert "Redis unreachable: token and kill switch …".)`,
      tried: 'kisd reconnects every 2 s and returns to the shared budget by itself when Redis answers.',
      nextSteps: 'Check that Redis is running and reachable from this host (redis-cli -u <url> ping), its password (KISD_REDIS_PASSWORD) and TLS settings.',
      details: { fallbackShare: f.fallbackShare },
    })
    .catch(() => undefined);
}
