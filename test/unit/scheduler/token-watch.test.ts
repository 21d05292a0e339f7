// Token watch (seed 003): log lines, re-init on a changed token, periodic re-init without issuing, and the
// TokenProvider adapter's change detection.
import { describe, expect, it } from 'vitest';
import type { AccessToken, TokenProvider } from '../../../src/kis/auth/types.js';
import { tokenCheckFromProvider, TokenWatch } from '../../../src/scheduler/token-watch.js';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { FakeBrokerReinit, memoryLogger } from './fake-world.js';

class FakeTokenProvider implements TokenProvider {
  current: AccessToken;
  issued = 0;
  constructor(private readonly clock: { nowMs(): number }) {
    this.current = { value: 'tok-1', expiresAtEpochMs: clock.nowMs() + 19.5 * 3_600_000, issuedAtEpochMs: clock.nowMs() - 4.5 * 3_600_000 };
  }
  async getAccessToken(): Promise<AccessToken> {
    return this.current;
  }
  async invalidateAccessToken(): Promise<void> {}
  issue(): void {
    this.issued++;
    this.current = { value: `tok-${this.issued + 1}`, expiresAtEpochMs: this.clock.nowMs() + 86_400_000, issuedAtEpochMs: this.clock.nowMs() };
  }
}

describe('TokenWatch', () => {
  it('logs remaining validity, re-inits when the token changed elsewhere, and periodically without issuing', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const provider = new FakeTokenProvider(clock);
    const broker = new FakeBrokerReinit();
    const { logger, lines } = memoryLogger();
    const watch = new TokenWatch(tokenCheckFromProvider(provider, clock), broker, clock, logger);
    watch.setNextReinitProvider(() => clock.nowMs() + 5.5 * 3_600_000);
    const first = await watch.check();
    expect(first).toMatchObject({ changed: false, refreshed: false, reinitialised: false, remainingMs: 19.5 * 3_600_000 });
    expect(lines.map((l) => l.msg)).toEqual([
      '[TOKEN_CHECK] existing token in use (remaining 19h 30m)',
      '[TOKEN_CHECK] token valid, broker ok (next periodic re-init in 5.5 h)',
    ]);
    // Another process refreshed the token file an hour ago.
    provider.issue();
    await clock.tickAsync(30 * 60_000);
    const second = await watch.check();
    expect(second).toMatchObject({ changed: true, refreshed: false, reinitialised: true });
    expect(broker.calls.map((c) => c.reason)).toEqual(['token-changed']);
    expect(watch.lastStatus()?.lastReinitReason).toBe('token-changed');
    await watch.periodicReinit();
    expect(broker.calls.map((c) => c.reason)).toEqual(['token-changed', 'periodic']);
    expect(provider.issued).toBe(1); // the periodic re-init issued nothing
  });

  it('marks a token issued during the check as refreshed', async () => {
    const clock = createFakeClock('2026-11-23 10:00:00');
    const provider = new FakeTokenProvider(clock);
    const check = tokenCheckFromProvider(provider, clock);
    await check.check();
    const original = provider.getAccessToken.bind(provider);
    provider.getAccessToken = async () => {
      provider.issue(); // under the margin: the token manager issues now
      return original();
    };
    expect(await check.check()).toMatchObject({ changed: true, refreshed: true, remainingMs: 86_400_000 });
  });

  it('propagates a failed check (the job runner retries and alerts)', async () => {
    const clock = createFakeClock();
    const watch = new TokenWatch({ check: async () => { throw new Error('EGW00133'); } }, new FakeBrokerReinit(), clock, memoryLogger().logger);
    await expect(watch.check()).rejects.toThrow('EGW00133');
  });
});
