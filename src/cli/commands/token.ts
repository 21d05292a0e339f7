// `kisd token status` (reads token.json, never issues) and `kisd token refresh` (forces a new token through the
// shared token manager: same lock and file as the daemon, so the daemon adopts it; KIS allows one issue per
// minute, and the command says when it has to wait for that).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatKstTimestamp } from '../../core/kst.js';
import { createTokenManager, formatRemaining, type StoredAccessToken, type TokenManager, type TokenStatus } from '../../kis/auth/index.js';
import { maskSecret } from '../../log/secrets.js';
import { openCliContext, type CliContext } from '../context.js';
import { CliError, describeFailure, formatSeconds, interruptSignal, println, type CliDeps } from './common.js';
import { readDaemonState } from './daemon-state.js';
import { EMBEDDED_SIM_SERVER_ID } from '../../daemon/embedded-sim.js';
import { openSharedState } from '../../daemon/shared-state.js';
import { openRedisConnection } from '../../coord/index.js';

/**
 * The server whose token the commands manage: the configured one, or the running daemon's embedded simulator
 * (whose tokens are filed under a fixed server id, since its port changes at every start).
 */
export function tokenServer(ctx: CliContext): { url: string; serverId?: string } {
  if (ctx.config.resolved.restBaseUrl) return { url: ctx.config.resolved.restBaseUrl };
  const daemon = readDaemonState(ctx.config.resolved.paths.stateDir);
  if (daemon.kind === 'running' && daemon.state.restUrl) return { url: daemon.state.restUrl, serverId: EMBEDDED_SIM_SERVER_ID };
  throw new CliError('sim mode without kis.rest_base_url: the simulator, and the token it issues, exist only while `kisd run` runs', {
    hint: 'start the daemon (`kisd run`) and try again, or point kis.rest_base_url at a running simulator (`kisd sim`)',
  });
}

function openTokenManager(ctx: CliContext, server: { url: string; serverId?: string }): TokenManager {
  // coordination.backend redis: the token every host shares lives in Redis (the state dir keeps a mirror).
  const coord = ctx.config.coordination;
  const coordination = coord.backend === 'redis' ? openRedisConnection({ settings: coord, log: ctx.logger.child({ component: 'coordination' }) }) : undefined;
  const shared = openSharedState({ stateDir: ctx.config.resolved.paths.stateDir, appKey: () => ctx.credentials.appKey, clock: ctx.clock, logger: ctx.logger, coordination });
  const tokens = createTokenManager({
    clock: ctx.clock,
    log: ctx.logger.child({ component: 'token' }),
    baseUrl: server.url,
    ...(server.serverId ? { serverId: server.serverId } : {}),
    credentials: ctx.credentials,
    stateDir: ctx.config.resolved.paths.stateDir,
    stores: shared.credentials,
    refreshMarginSec: ctx.config.kis.token.refresh_margin_sec,
    minIssueIntervalSec: ctx.config.kis.token.min_issue_interval_sec,
  });
  return {
    ...tokens,
    close: async () => {
      await tokens.close();
      await coordination?.close();
    },
  };
}

const STATE_TEXT: Record<TokenStatus['state'], string> = {
  valid: 'valid',
  'refresh-due': 'valid, inside the refresh margin (the daemon refreshes it at its next token check)',
  expired: 'EXPIRED (or too close to expiry to use)',
  absent: 'none yet',
  invalid: 'UNREADABLE (corrupt file; it is set aside and replaced on next use)',
  'other-app': 'belongs to another app key or server (not used with this config)',
};

export function formatTokenStatus(s: TokenStatus, server: string): string[] {
  const lines = [`token      ${STATE_TEXT[s.state]}`, `  ${s.path.includes('://') ? 'stored' : 'file  '}   ${s.path}`, `  server   ${server}`];
  if (s.maskedValue) lines.push(`  value    ${s.maskedValue}${s.tokenType ? ` (${s.tokenType})` : ''}`);
  if (s.issuedAtKst) lines.push(`  issued   ${s.issuedAtKst} KST`);
  if (s.expiresAtKst) lines.push(`  expires  ${s.expiresAtKst} KST`);
  if (s.remainingMs !== undefined) lines.push(`  left     ${formatRemaining(s.remainingMs)}`);
  return lines;
}

/** The token value in the state file, if any (to tell a re-served token from a new one). */
function storedTokenValue(stateDir: string): string | undefined {
  try {
    const v = (JSON.parse(readFileSync(join(stateDir, 'token.json'), 'utf8')) as { value?: unknown }).value;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds until KIS's one-issue-per-minute rule allows the next issue, from the shared pacer file. */
export function pacerWaitMs(stateDir: string, minIntervalSec: number, nowMs: number): { waitMs: number; lastAttemptMs?: number } {
  try {
    const last = (JSON.parse(readFileSync(join(stateDir, 'token.last-issue.json'), 'utf8')) as { lastAttemptEpochMs?: unknown }).lastAttemptEpochMs;
    if (typeof last !== 'number') return { waitMs: 0 };
    return { waitMs: Math.min(minIntervalSec * 1000, Math.max(0, last + minIntervalSec * 1000 - nowMs)), lastAttemptMs: last };
  } catch {
    return { waitMs: 0 };
  }
}

export function registerTokenCommands(program: Command, deps: CliDeps): void {
  const token = program.command('token').description('inspect or refresh the KIS access token shared with the daemon');

  token
    .command('status')
    .description('show the stored token: state, masked value, issue and expiry (KST), time left; never issues')
    .action(async () => {
      const ctx = await openCliContext(program, { callsKis: true });
      const server = tokenServer(ctx);
      const tokens = openTokenManager(ctx, server);
      try {
        const s = await tokens.status();
        for (const line of formatTokenStatus(s, server.url)) println(deps.stdout, line);
        if (s.state === 'valid' || s.state === 'refresh-due') return;
        throw new CliError(`no usable token (${s.state})`, {
          hint: s.state === 'other-app' ? 'check the credentials and kis.rest_base_url; `kisd token refresh` issues one for this config' : 'run `kisd token refresh` (or let the daemon issue one on first use)',
        });
      } finally {
        await tokens.close();
        await ctx.logs.close();
      }
    });

  token
    .command('refresh')
    .description('issue a new token now (waits out KIS\'s one-issue-per-minute rule first)')
    .action(async () => {
      const ctx = await openCliContext(program, { callsKis: true });
      const server = tokenServer(ctx);
      const tokens = openTokenManager(ctx, server);
      const interrupt = interruptSignal();
      try {
        const minSec = ctx.config.kis.token.min_issue_interval_sec;
        const pace = pacerWaitMs(ctx.config.resolved.paths.stateDir, minSec, ctx.clock.nowMs());
        // With Redis the last attempt may be another host's: only the shared pacing knows.
        const sharedWaitMs = ctx.config.coordination.backend === 'redis' ? await tokens.nextIssueDelayMs() : 0;
        if (pace.waitMs > 0 && pace.lastAttemptMs !== undefined) {
          println(
            deps.stdout,
            `waiting ${formatSeconds(pace.waitMs)}: KIS allows one token issue per ${minSec} s and the last attempt was at ${formatKstTimestamp(pace.lastAttemptMs)} KST (Ctrl-C to cancel)`,
          );
        } else if (sharedWaitMs > 0) {
          println(deps.stdout, `waiting ${formatSeconds(sharedWaitMs)}: KIS allows one token issue per ${minSec} s and a kisd sharing this app key through Redis issued one recently (Ctrl-C to cancel)`);
        }
        println(deps.stdout, `asking ${server.url} for a new access token ...`);
        const before = storedTokenValue(ctx.config.resolved.paths.stateDir);
        let t: StoredAccessToken;
        try {
          t = await tokens.forceRefresh(interrupt.signal);
        } catch (err) {
          if (interrupt.signal.aborted) throw new CliError('token refresh cancelled; the stored token is unchanged');
          throw new CliError(`token refresh failed: ${describeFailure(err)}`, {
            hint: 'EGW00133 means issued too often (wait a minute); EGW00103/EGW00105 mean wrong app key/secret (check the credentials); otherwise run `kisd probe` to see whether KIS answers',
            cause: err,
          });
        }
        // KIS re-serves the current token when asked again within 6 h of issuing it: say which happened.
        const same = before !== undefined && before === t.value;
        println(
          deps.stdout,
          `OK: ${same ? 'KIS returned the current token again (it re-serves a token for 6 h after issuing it)' : 'new token'} ${maskSecret(t.value)}, issued ${t.issuedAtKst} KST, expires ${t.expiresAtKst} KST (${formatRemaining(t.expiresAtEpochMs - ctx.clock.nowMs())} left)`,
        );
        const local = join(ctx.config.resolved.paths.stateDir, 'token.json');
        println(
          deps.stdout,
          ctx.config.coordination.backend === 'redis'
            ? `stored in ${(await tokens.status()).path} (and ${local}); daemons on every host sharing that Redis pick it up at their next token check`
            : `stored in ${local}; a running daemon picks it up at its next token check`,
        );
      } finally {
        interrupt.dispose();
        await tokens.close();
        await ctx.logs.close();
      }
    });
}
