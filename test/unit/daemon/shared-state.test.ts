// The daemon's shared-state choices: a virtual clock keeps token and kill switch in the state directory even
// with coordination.backend redis, and the kill-switch poll (Redis: no file watch sees another host) never
// stacks reads behind a slow Redis and survives a failed read.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { RedisConnection } from '../../../src/coord/index.js';
import { openSharedState, pollSharedKillSwitch } from '../../../src/daemon/shared-state.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const logger = pino({ level: 'silent' });

describe('shared state', () => {
  it('a virtual clock keeps the token and kill switch in the state directory, Redis or not', () => {
    const clock = createFakeClock();
    const shared = openSharedState({ stateDir: '/tmp/kisd-unused', appKey: () => 'PSkey', clock, logger, coordination: {} as RedisConnection });
    expect(shared.backend).toBe('local');
    expect(shared.killSwitch.where).toBe('/tmp/kisd-unused/kill-switch.json');
  });

  it('the kill-switch poll reads every second, never two reads at once, and goes on after a failure', async () => {
    const clock = createFakeClock();
    let calls = 0;
    let release: (() => void) | undefined;
    let mode: 'ok' | 'slow' | 'fail' = 'ok';
    const poll = pollSharedKillSwitch({
      clock,
      logger,
      load: () => {
        calls++;
        if (mode === 'fail') return Promise.reject(new Error('Redis said no'));
        if (mode === 'slow') return new Promise<void>((r) => (release = r));
        return Promise.resolve();
      },
    });
    await clock.tickAsync(3000);
    expect(calls).toBe(3);
    mode = 'slow';
    await clock.tickAsync(5000);
    expect(calls).toBe(4); // one slow read in flight: the next four ticks skip
    mode = 'fail';
    release?.();
    await clock.tickAsync(2000);
    expect(calls).toBe(6); // failures do not stop it
    mode = 'ok';
    poll.close();
    await clock.tickAsync(5000);
    expect(calls).toBe(6);
  });
});
