// The app key's one rate budget for this process: shared through `<state_dir>/budget.db` with every kisd
// process on the host using that state directory, or — when the clock is virtual (tests, time travel) and
// cannot agree with another process — an in-process limiter as before.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { createRateLimiter, type RateLimiter, type RateLimitSettings } from '../rate-limiter.js';
import { compileWindows } from '../rate-windows.js';
import { appKeyFingerprint, type BudgetMember } from './ledger.js';
import { createSharedLimiter } from './shared-limiter.js';
import { openSqliteLedger } from './sqlite-ledger.js';

export const BUDGET_FILE = 'budget.db';

export interface OpenBudgetOptions {
  clock: Clock;
  settings: RateLimitSettings;
  appKey: string;
  stateDir: string;
  /** What this process is, for `kisd status` ("kisd run", "kisd collect quotes"). */
  label: string;
  /** Warnings: a ledger that failed (retried), a corrupt ledger rebuilt. */
  warn: (fields: Record<string, unknown>, msg: string) => void;
}

/** This process as a budget member. */
export function thisProcess(label: string): BudgetMember {
  return { id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, pid: process.pid, host: hostname(), label };
}

export function openKeyBudget(o: OpenBudgetOptions): RateLimiter {
  const hostMs = o.clock.hostMonotonicMs?.bind(o.clock);
  if (!hostMs) return createRateLimiter({ clock: o.clock, ...o.settings });
  const path = join(o.stateDir, BUDGET_FILE);
  const ledger = openSqliteLedger({
    path,
    keyFingerprint: appKeyFingerprint(o.appKey),
    windows: compileWindows(o.settings.windows),
    safetyMs: o.settings.windowSafetyMs ?? 25,
    spacingMs: Math.max(0, o.settings.minSpacingMs ?? 0),
    timeMs: hostMs,
    onQuarantine: (renamedTo, reason) => o.warn({ path, renamedTo, reason }, 'rate budget ledger was corrupt: renamed aside and rebuilt'),
  });
  return createSharedLimiter({
    clock: o.clock,
    ledger,
    member: thisProcess(o.label),
    backend: 'local',
    onLedgerError: (err) => o.warn({ path, err: (err as Error).message }, 'rate budget ledger failed; retrying'),
  });
}
