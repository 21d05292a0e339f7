// The switch between the Redis budget and the local fallback share, at exact instants of a fake clock: the
// link and the shared ledger are test doubles, the fallback is the real SQLite ledger.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { compileConfig } from '../../../src/config/load.js';
import { compileWindows } from '../../../src/net/rate-windows.js';
import type { BudgetLedger, GrantAnswer } from '../../../src/net/budget/ledger.js';
import { createFailoverLedger, type CoordinationMode, type LinkState } from '../../../src/net/budget/failover-ledger.js';
import { shareOfWindows } from '../../../src/net/budget/open-budget.js';
import { openSqliteLedger } from '../../../src/net/budget/sqlite-ledger.js';

class FakeLink implements LinkState {
  current: 'connecting' | 'up' | 'down' = 'up';
  private fns = new Set<(s: 'up' | 'down', r: string | undefined) => void>();
  state() {
    return this.current;
  }
  lastError() {
    return this.current === 'down' ? 'connect ECONNREFUSED' : undefined;
  }
  settled() {
    return Promise.resolve(this.current === 'down' ? ('down' as const) : ('up' as const));
  }
  onChange(fn: (s: 'up' | 'down', r: string | undefined) => void) {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  set(s: 'up' | 'down') {
    this.current = s;
    for (const f of this.fns) f(s, this.lastError());
  }
}

/** A shared ledger that grants everything (counting) or fails like a dead socket. */
class FakeShared implements BudgetLedger {
  grants = 0;
  failing = false;
  async tryGrant(): Promise<GrantAnswer> {
    if (this.failing) throw new Error('Connection is closed.');
    this.grants++;
    return { granted: true };
  }
  release = async () => undefined;
  pause = async () => undefined;
  heartbeat = async () => undefined;
  leave = async () => undefined;
  usage = async () => ({ windows: [], members: [], pausedForMs: 0 });
  close = async () => undefined;
}

function setup(clock: FakeClock, link: FakeLink) {
  const windows = compileWindows({ perSecond: 18 });
  const share = shareOfWindows(windows, 55, 0.25);
  const fallback = openSqliteLedger({ path: join(mkdtempSync(join(tmpdir(), 'kisd-failover-')), 'budget.db'), keyFingerprint: 'k', windows: share.windows, safetyMs: 25, spacingMs: share.spacingMs, timeMs: () => clock.monotonicMs() });
  const shared = new FakeShared();
  const switches: [CoordinationMode, string | undefined][] = [];
  const ledger = createFailoverLedger({ clock, primary: shared, fallback, link, quietMs: 1_025, onSwitch: (m, r) => switches.push([m, r]) });
  return { ledger, shared, switches, share };
}

/** Grants taken by attempting every 5 ms for `ms`. */
async function drain(clock: FakeClock, ledger: BudgetLedger, ms: number): Promise<number[]> {
  const at: number[] = [];
  const t0 = clock.monotonicMs();
  for (let t = 0; t < ms; t += 5) {
    if ((await ledger.tryGrant('me', 1)).granted) at.push(clock.monotonicMs() - t0);
    await clock.tickAsync(5);
  }
  return at;
}

describe('failover between the Redis budget and the local fallback share', () => {
  it('the fallback share is a floor of share × limit per window, spacing stretched to match', () => {
    expect(shareOfWindows(compileWindows({ perSecond: 18, perMinute: 1_100 }), 55, 0.25)).toEqual({
      windows: [
        { spanMs: 1_000, limit: 4 },
        { spanMs: 60_000, limit: 275 },
      ],
      spacingMs: 220,
    });
    expect(shareOfWindows(compileWindows({ perSecond: 2 }), 500, 0.25).windows[0]!.limit).toBe(1);
  });

  it('the default share keeps the key under KIS\'s 20/s when one host is cut off alone and the others keep the shared budget', () => {
    // A partial outage: one host falls back to its share while the rest still spend the full shared 1 s window.
    const c = compileConfig({}, 'k.yaml');
    const real = c.kis.rate_limits.real;
    const alone = shareOfWindows(compileWindows({ perSecond: real.per_second, perMinute: real.per_minute }), 1000 / real.per_second, c.coordination.fallback_share);
    expect(real.per_second + alone.windows[0]!.limit).toBeLessThanOrEqual(20); // 0.25 (the old default) made it 18 + 4
  });

  it('Redis lost: no grant for one window (1 s + safety), then at most the share per second; reported once', async () => {
    const clock = createFakeClock();
    const link = new FakeLink();
    const { ledger, shared, switches } = setup(clock, link);
    expect((await drain(clock, ledger, 500)).length).toBe(100); // the fake shared ledger grants every attempt
    shared.failing = true;
    link.set('down');
    link.set('down');
    const after = await drain(clock, ledger, 3_025);
    expect(after[0]).toBeGreaterThanOrEqual(1_025);
    // 2 s after the quiet time: at most 4 per second (+ the first of the next second).
    expect(after.length).toBeLessThanOrEqual(9);
    expect(after.length).toBeGreaterThanOrEqual(8);
    for (let i = 4; i < after.length; i++) expect(after[i]! - after[i - 4]!).toBeGreaterThanOrEqual(1_000);
    expect(switches).toEqual([['fallback', 'connect ECONNREFUSED']]);
    expect(ledger.mode()).toBe('fallback');
  });

  it('a failing call switches at once even before the link notices, and the grant counts as not given', async () => {
    const clock = createFakeClock();
    const link = new FakeLink();
    const { ledger, shared, switches } = setup(clock, link);
    shared.failing = true;
    expect(await ledger.tryGrant('me', 0)).toMatchObject({ granted: false, reason: 'pause', retryInMs: 1_025 });
    expect(switches.map((s) => s[0])).toEqual(['fallback']);
  });

  it('a command that failed while the connection stayed up: fallback, then Redis again after 5 s', async () => {
    const clock = createFakeClock();
    const link = new FakeLink();
    const { ledger, shared, switches } = setup(clock, link);
    shared.failing = true;
    await ledger.tryGrant('me', 1);
    shared.failing = false;
    await drain(clock, ledger, 4_900);
    expect(ledger.mode()).toBe('fallback');
    await drain(clock, ledger, 200);
    expect(ledger.mode()).toBe('shared');
    expect(switches.map((s) => s[0])).toEqual(['fallback', 'shared']);
  });

  it('Redis back: one quiet window, then the shared budget again', async () => {
    const clock = createFakeClock();
    const link = new FakeLink();
    const { ledger, shared, switches } = setup(clock, link);
    shared.failing = true;
    link.set('down');
    await drain(clock, ledger, 2_000);
    shared.failing = false;
    const before = shared.grants;
    link.set('up');
    const at = await drain(clock, ledger, 1_500);
    expect(at[0]).toBeGreaterThanOrEqual(1_025);
    expect(shared.grants - before).toBe(at.length);
    expect(switches.map((s) => s[0])).toEqual(['fallback', 'shared']);
  });

  it('starting while Redis is down: fallback from the first grant, reported once', async () => {
    const clock = createFakeClock();
    const link = new FakeLink();
    link.current = 'down';
    const { ledger, switches } = setup(clock, link);
    expect(ledger.mode()).toBe('fallback');
    expect((await drain(clock, ledger, 1_000)).length).toBe(4);
    expect(switches).toEqual([['fallback', 'connect ECONNREFUSED']]);
  });
});
