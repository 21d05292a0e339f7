// The cross-process budget at exact instants of a fake clock: two "processes" are two SQLite connections
// to one budget.db, each with its own shared limiter, so they meet only through the ledger file.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { compileWindows, type RateWindows } from '../../../src/net/rate-windows.js';
import type { RateLimiter, RatePriority } from '../../../src/net/rate-limiter.js';
import { appKeyFingerprint, CLAIM_TTL_MS, type BudgetLedger } from '../../../src/net/budget/ledger.js';
import { openSqliteLedger } from '../../../src/net/budget/sqlite-ledger.js';
import { createSharedLimiter } from '../../../src/net/budget/shared-limiter.js';

const APP_KEY = 'PSabcdefghijklmnopqrstuvwxyz0123456789';
const open: { close?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close?.();
});

function ledgerAt(clock: FakeClock, path: string, windows: RateWindows, spacingMs = 0, onQuarantine?: (to: string) => void): BudgetLedger {
  const l = openSqliteLedger({ path, keyFingerprint: appKeyFingerprint(APP_KEY), windows: compileWindows(windows), safetyMs: 25, spacingMs, timeMs: () => clock.monotonicMs(), onQuarantine });
  return l;
}

function processOn(clock: FakeClock, path: string, name: string, windows: RateWindows, spacingMs = 0): RateLimiter {
  const limiter = createSharedLimiter({ clock, ledger: ledgerAt(clock, path, windows, spacingMs), member: { id: name, pid: 1, host: 'h', label: name }, backend: 'local' });
  open.push(limiter);
  return limiter;
}

function track(clock: FakeClock, l: RateLimiter, label: string, out: { label: string; at: number }[], priority?: RatePriority): void {
  const t0 = clock.monotonicMs();
  void l.acquire({ priority }).then(() => out.push({ label, at: clock.monotonicMs() - t0 }));
}

const dbPath = (): string => join(mkdtempSync(join(tmpdir(), 'kisd-budget-')), 'budget.db');

describe('shared budget (SQLite ledger) across two processes', () => {
  it('both draw on one 1 s window: the 5th grant of either waits for the 1st + 1025 ms', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const a = processOn(clock, path, 'a', { perSecond: 4 });
    const b = processOn(clock, path, 'b', { perSecond: 4 });
    const got: { label: string; at: number }[] = [];
    for (let i = 0; i < 3; i++) track(clock, a, `a${i}`, got);
    for (let i = 0; i < 3; i++) track(clock, b, `b${i}`, got);
    await clock.tickAsync(0);
    expect(got).toHaveLength(4);
    await clock.tickAsync(1_020);
    expect(got).toHaveLength(4);
    await clock.tickAsync(300);
    expect(got).toHaveLength(6);
    expect(got.slice(4).every((g) => g.at >= 1_025)).toBe(true);
  });

  it('even spreading holds across processes: grants of a and b alternate 250 ms apart', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const a = processOn(clock, path, 'a', { perSecond: 4 }, 250);
    const b = processOn(clock, path, 'b', { perSecond: 4 }, 250);
    const got: { label: string; at: number }[] = [];
    track(clock, a, 'a0', got);
    track(clock, b, 'b0', got);
    track(clock, a, 'a1', got);
    track(clock, b, 'b1', got);
    await clock.tickAsync(1_000);
    const at = got.map((g) => g.at).sort((x, y) => x - y);
    expect(at).toHaveLength(4);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(250);
  });

  it("an order waiting in one process goes before the other process's queued reads", async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const reader = processOn(clock, path, 'reader', { perSecond: 2 });
    const trader = processOn(clock, path, 'trader', { perSecond: 2 });
    const got: { label: string; at: number }[] = [];
    for (let i = 0; i < 6; i++) track(clock, reader, `read${i}`, got, 'bulk');
    await clock.tickAsync(10);
    expect(got.map((g) => g.label)).toEqual(['read0', 'read1']);
    track(clock, trader, 'order', got, 'order');
    await clock.tickAsync(1_100);
    // One slot frees at 1025 (read0 + 1000 + 25): the order's, though four reads queued before it.
    expect(got[2]?.label).toBe('order');
  });

  it('a claimer that stops refreshing (SIGKILLed) holds the others back at most CLAIM_TTL_MS', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const ghost = ledgerAt(clock, path, { perSecond: 100 });
    open.push(ghost);
    expect(await ghost.tryGrant('ghost', 0)).toEqual({ granted: true }); // the claim stays: it never releases
    const reader = processOn(clock, path, 'reader', { perSecond: 100 });
    const got: { label: string; at: number }[] = [];
    track(clock, reader, 'read', got);
    await clock.tickAsync(CLAIM_TTL_MS - 50);
    expect(got).toHaveLength(0);
    await clock.tickAsync(300);
    expect(got).toHaveLength(1);
    expect(got[0]!.at).toBeLessThanOrEqual(CLAIM_TTL_MS + 250);
  });

  it('pauseFor (EGW00201) in one process holds grants in the other', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const a = processOn(clock, path, 'a', { perSecond: 10 });
    const b = processOn(clock, path, 'b', { perSecond: 10 });
    a.pauseFor(1_000);
    await clock.tickAsync(0);
    const got: { label: string; at: number }[] = [];
    track(clock, b, 'b', got);
    await clock.tickAsync(990);
    expect(got).toHaveLength(0);
    await clock.tickAsync(20);
    expect(got).toHaveLength(1);
  });

  it("pauseReadsFor (the client's cooldown) holds the other process's reads but not its orders", async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const a = processOn(clock, path, 'a', { perSecond: 10 });
    const b = processOn(clock, path, 'b', { perSecond: 10 });
    a.pauseReadsFor!(5_000);
    await clock.tickAsync(0);
    const got: { label: string; at: number }[] = [];
    track(clock, b, 'read', got, 'normal');
    track(clock, b, 'order', got, 'order');
    await clock.tickAsync(100);
    expect(got.map((g) => g.label)).toEqual(['order']);
    await clock.tickAsync(5_000);
    expect(got.map((g) => g.label)).toEqual(['order', 'read']);
  });

  it('usage and sharing list both members and the grants in each window', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const a = processOn(clock, path, 'a', { perSecond: 10, perMinute: 100 });
    processOn(clock, path, 'b', { perSecond: 10, perMinute: 100 });
    await Promise.all([a.acquire(), a.acquire(), a.acquire()]);
    a.usage!();
    await clock.tickAsync(0);
    expect(a.usage!().map((w) => [w.windowMs, w.used, w.limit])).toEqual([
      [1_000, 3, 10],
      [60_000, 3, 100],
    ]);
    const shared = await a.sharedUsage!();
    expect(shared.members.map((m) => m.label).sort()).toEqual(['a', 'b']);
    expect(shared.windows.map((w) => w.used)).toEqual([3, 3]);
  });
});

describe('budget.db on disk', () => {
  it('holds the key fingerprint, never the key', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const a = processOn(clock, path, 'a', { perSecond: 10 });
    await a.acquire();
    await a.close!();
    open.length = 0;
    const bytes = readdirSync(join(path, '..'))
      .map((f) => readFileSync(join(path, '..', f)).toString('latin1'))
      .join('');
    expect(bytes).toContain(appKeyFingerprint(APP_KEY));
    expect(bytes).not.toContain(APP_KEY);
  });

  it('a corrupt ledger is renamed aside and rebuilt', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    writeFileSync(path, 'this is not a SQLite database, it is garbage from a broken disk'.repeat(100));
    const quarantined: string[] = [];
    const l = ledgerAt(clock, path, { perSecond: 2 }, 0, (to) => quarantined.push(to));
    open.push(l);
    expect(quarantined).toHaveLength(1);
    expect(readFileSync(quarantined[0]!, 'utf8')).toContain('garbage');
    expect(await l.tryGrant('m', 1)).toEqual({ granted: true });
  });

  it('rows stamped after "now" (a previous boot of the host) are dropped on open', async () => {
    const clock = createFakeClock();
    const path = dbPath();
    const before = openSqliteLedger({ path, keyFingerprint: 'k', windows: compileWindows({ perSecond: 1 }), safetyMs: 0, spacingMs: 0, timeMs: () => 5_000_000 });
    expect(await before.tryGrant('old', 1)).toEqual({ granted: true });
    await before.close();
    const after = openSqliteLedger({ path, keyFingerprint: 'k', windows: compileWindows({ perSecond: 1 }), safetyMs: 0, spacingMs: 0, timeMs: () => clock.monotonicMs() });
    open.push(after);
    expect(await after.tryGrant('new', 1)).toEqual({ granted: true });
  });
});
