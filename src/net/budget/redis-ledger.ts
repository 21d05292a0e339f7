// The several-hosts budget ledger: the app key's grants, pauses, priority claims and members in Redis, each
// attempt one Lua script (atomic on the server), stamped with Redis's own TIME so every host shares one time
// base whatever its clock says. Same semantics as the SQLite ledger; keys are `kisd:<fingerprint>:budget:*`,
// never the app key. Grants live in a sorted set (score = grant instant, ms), so "the k-th newest grant" is one
// ZREVRANGE, whatever k (the hour window keeps up to its limit). Every key carries a TTL: an abandoned budget
// disappears by itself.
import type { Redis } from 'ioredis';
import type { WindowSpec } from '../rate-windows.js';
import type { BudgetReport } from './budget-report.js';
import { CLAIM_TTL_MS, MEMBER_TTL_MS, type BudgetLedger, type BudgetMember, type GrantAnswer, type LedgerUsage, type PauseScope } from './ledger.js';

export interface RedisLedgerOptions {
  client: Redis;
  keyFingerprint: string;
  windows: readonly WindowSpec[];
  safetyMs: number;
  spacingMs: number;
}

// Shared prologue: Redis TIME in ms (microsecond fraction kept), and the pause reading.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local function num(v) if v then return tonumber(v) end return nil end`;

// KEYS: grants (zset), seq, pause:all, pause:reads, claims (hash member -> "rank:seen")
// ARGV: member, rank, safetyMs, spacingMs, claimTtlMs, keepMs, leadMs, then span/limit pairs.
// A slot free within leadMs is reserved: the grant is stamped at the instant it frees and the caller told to
// wait until then (a round trip to Redis would otherwise make every grant late by its own length).
const GRANT = `${NOW}
local member, rank = ARGV[1], tonumber(ARGV[2])
local safety, spacing, claimTtl, keepMs, lead = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('HSET', KEYS[5], member, rank .. ':' .. now)
redis.call('PEXPIRE', KEYS[5], keepMs)
local paused = num(redis.call('GET', KEYS[3])) or -1
if rank > 0 then paused = math.max(paused, num(redis.call('GET', KEYS[4])) or -1) end
local function newest(k)
  local r = redis.call('ZREVRANGE', KEYS[1], k - 1, k - 1, 'WITHSCORES')
  if #r == 0 then return nil end
  return tonumber(r[2])
end
local at = paused
local last = newest(1)
if spacing > 0 and last then at = math.max(at, last + spacing) end
for i = 8, #ARGV, 2 do
  local nth = newest(tonumber(ARGV[i + 1]))
  if nth then at = math.max(at, nth + tonumber(ARGV[i]) + safety) end
end
local better = nil
local claims = redis.call('HGETALL', KEYS[5])
for i = 1, #claims, 2 do
  if claims[i] ~= member then
    local sep = string.find(claims[i + 1], ':', 1, true)
    local r, seen = tonumber(string.sub(claims[i + 1], 1, sep - 1)), tonumber(string.sub(claims[i + 1], sep + 1))
    if seen > now - claimTtl then
      if better == nil or r < better then better = r end
    else
      redis.call('HDEL', KEYS[5], claims[i])
    end
  end
end
if better ~= nil and better < rank then return {0, tostring(math.max(5, at - now)), 'priority'} end
if at > now + lead then
  local why = 'window'
  if paused >= at then why = 'pause' end
  return {0, tostring(at - now - lead / 2), why}
end
local stamp = math.max(at, now)
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], stamp, n)
if n % 256 == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - keepMs) end
redis.call('PEXPIRE', KEYS[1], keepMs)
redis.call('PEXPIRE', KEYS[2], keepMs)
return {1, tostring(stamp - now), ''}`;

// KEYS: the scope's pause key. ARGV: ms. Extends the pause, never shortens it.
const PAUSE = `${NOW}
local ms = tonumber(ARGV[1])
local untilMs = now + ms
local cur = num(redis.call('GET', KEYS[1]))
if cur == nil or cur < untilMs then redis.call('SET', KEYS[1], tostring(untilMs), 'PX', math.max(1, math.ceil(ms))) end
return 1`;

// KEYS: members (hash member -> "seen|pid|host|label"). ARGV: member, pid, host, label, keepMs.
const HEARTBEAT = `${NOW}
redis.call('HSET', KEYS[1], ARGV[1], now .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1`;

// KEYS: grants, pause:all, pause:reads, members. ARGV: memberTtlMs, then spans.
// Returns {now, pausedUntil, count per span..., then member fields "id", "seen|pid|host|label" ...}.
const USAGE = `${NOW}
local out = {tostring(now)}
local paused = math.max(num(redis.call('GET', KEYS[2])) or -1, num(redis.call('GET', KEYS[3])) or -1)
table.insert(out, tostring(paused))
for i = 2, #ARGV do table.insert(out, tostring(redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[i])), '+inf'))) end
local members = redis.call('HGETALL', KEYS[4])
for i = 1, #members, 2 do
  local seen = tonumber(string.sub(members[i + 1], 1, string.find(members[i + 1], '|', 1, true) - 1))
  if seen > now - tonumber(ARGV[1]) then
    table.insert(out, members[i])
    table.insert(out, members[i + 1])
  else
    redis.call('HDEL', KEYS[4], members[i])
  end
end
return out`;

/** A slot that frees within this many ms is reserved rather than refused (see GRANT). */
const RESERVE_LEAD_MS = 20;

type Reply = (string | number)[];
interface LedgerCommands {
  kisdBudgetGrant(...args: (string | number)[]): Promise<Reply>;
  kisdBudgetPause(...args: (string | number)[]): Promise<number>;
  kisdBudgetHeartbeat(...args: (string | number)[]): Promise<number>;
  kisdBudgetUsage(...args: (string | number)[]): Promise<string[]>;
}

/** Defines the scripts on `client` once (ioredis loads them with EVALSHA, falling back to EVAL after a Redis restart). */
function withScripts(client: Redis): Redis & LedgerCommands {
  const c = client as Redis & Partial<LedgerCommands>;
  if (!c.kisdBudgetGrant) {
    client.defineCommand('kisdBudgetGrant', { numberOfKeys: 5, lua: GRANT });
    client.defineCommand('kisdBudgetPause', { numberOfKeys: 1, lua: PAUSE });
    client.defineCommand('kisdBudgetHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
    client.defineCommand('kisdBudgetUsage', { numberOfKeys: 4, lua: USAGE });
  }
  return c as Redis & LedgerCommands;
}

/** The key prefix for one app key's budget. */
export function budgetKeyPrefix(keyFingerprint: string): string {
  return `kisd:${keyFingerprint}:budget:`;
}

/**
 * A BudgetLedger on `client` (whose connection the caller owns: close() does not quit it). Every method
 * rejects when Redis cannot answer; the caller decides what to do meanwhile (open-budget.ts falls back).
 */
export function openRedisLedger(o: RedisLedgerOptions): BudgetLedger {
  const r = withScripts(o.client);
  const p = budgetKeyPrefix(o.keyFingerprint);
  const k = { grants: `${p}grants`, seq: `${p}seq`, pauseAll: `${p}pause:all`, pauseReads: `${p}pause:reads`, claims: `${p}claims`, members: `${p}members` };
  const widestMs = Math.max(...o.windows.map((w) => w.spanMs));
  // Grants older than every window (plus a minute) no longer count; keys idle that long expire.
  const keepMs = widestMs + o.safetyMs + 60_000;
  const windowArgs = o.windows.flatMap((w) => [w.spanMs, w.limit]);

  return {
    async tryGrant(member: string, rank: number): Promise<GrantAnswer> {
      const [ok, retry, reason] = await r.kisdBudgetGrant(k.grants, k.seq, k.pauseAll, k.pauseReads, k.claims, member, rank, o.safetyMs, o.spacingMs, CLAIM_TTL_MS, keepMs, RESERVE_LEAD_MS, ...windowArgs);
      if (Number(ok) === 1) {
        const inMs = Number(retry);
        return inMs > 0 ? { granted: true, inMs } : { granted: true };
      }
      return { granted: false, retryInMs: Math.max(0, Number(retry)), reason: reason as 'window' | 'pause' | 'priority' };
    },
    async release(member: string): Promise<void> {
      await r.hdel(k.claims, member);
    },
    async pause(ms: number, scope: PauseScope): Promise<void> {
      await r.kisdBudgetPause(scope === 'all' ? k.pauseAll : k.pauseReads, ms);
    },
    async heartbeat(m: BudgetMember): Promise<void> {
      // "|" separates the fields; a label never needs one.
      await r.kisdBudgetHeartbeat(k.members, m.id, m.pid, m.host.replaceAll('|', '_'), m.label.replaceAll('|', '/'), MEMBER_TTL_MS * 4);
    },
    async leave(member: string): Promise<void> {
      await r.multi().hdel(k.members, member).hdel(k.claims, member).exec();
    },
    async usage(): Promise<LedgerUsage> {
      const out = await r.kisdBudgetUsage(k.grants, k.pauseAll, k.pauseReads, k.members, MEMBER_TTL_MS, ...o.windows.map((w) => w.spanMs));
      const now = Number(out[0]);
      const pausedUntil = Number(out[1]);
      const counts = out.slice(2, 2 + o.windows.length).map(Number);
      const members: LedgerUsage['members'] = [];
      for (let i = 2 + o.windows.length; i + 1 < out.length; i += 2) {
        const [seen, pid, host, label] = out[i + 1]!.split('|');
        members.push({ id: out[i]!, pid: Number(pid), host: host ?? '', label: label ?? '', seenAgoMs: Math.max(0, now - Number(seen)) });
      }
      members.sort((a, b) => a.seenAgoMs - b.seenAgoMs);
      return {
        windows: o.windows.map((w, i) => ({ windowMs: w.spanMs, limit: w.limit, used: counts[i] ?? 0 })),
        members,
        pausedForMs: Math.max(0, pausedUntil - now),
      };
    },
    // The connection belongs to the caller (shared with the token store).
    close: async () => undefined,
  };
}

/**
 * `kisd status` for coordination.backend redis: one report per app key that has a budget in Redis (found by
 * its key names, so no credentials are needed), as every host sees it.
 */
export async function readRedisBudgetReports(client: Redis, windows: readonly WindowSpec[]): Promise<BudgetReport[]> {
  const fingerprints = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', 'kisd:*:budget:*', 'COUNT', 500);
    cursor = next;
    for (const k of keys) {
      const m = /^kisd:([0-9a-f]+):budget:(grants|members)$/.exec(k);
      if (m) fingerprints.add(m[1]!);
    }
  } while (cursor !== '0');
  const reports: BudgetReport[] = [];
  for (const key of [...fingerprints].sort()) {
    const u = await openRedisLedger({ client, keyFingerprint: key, windows, safetyMs: 0, spacingMs: 0 }).usage();
    reports.push({ key, windows: u.windows, members: u.members.map((m) => ({ pid: m.pid, host: m.host, label: m.label, seenAgoMs: m.seenAgoMs })) });
  }
  return reports;
}
