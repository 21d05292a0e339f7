// Lifecycle: ordered start, reverse stop, the stop deadline (a component that hangs is reported, later ones still
// get their stop call), failed start-up rolls back.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Lifecycle, type LifecycleComponent } from '../../../src/core/lifecycle.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

const logger = pino({ level: 'silent' });

function component(name: string, events: string[], clock: FakeClock, stopMs = 0, hang = false): LifecycleComponent {
  return {
    name,
    start: () => void events.push(`start ${name}`),
    stop: async (deadline) => {
      events.push(`stop ${name}`);
      if (hang) await new Promise(() => undefined);
      if (stopMs > 0) await clock.sleep(stopMs);
      events.push(`stopped ${name}${deadline.aborted ? ' (late)' : ''}`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts in order and stops in reverse order within the deadline', async () => {
    const clock = createFakeClock();
    const events: string[] = [];
    const lc = new Lifecycle(clock, logger);
    lc.register(component('store', events, clock)).register(component('feed', events, clock, 2_000)).register(component('scheduler', events, clock, 5_000));
    await lc.startAll();
    const stopping = lc.stopAll(20_000);
    await clock.tickAsync(7_000);
    const report = await stopping;
    expect(events).toEqual(['start store', 'start feed', 'start scheduler', 'stop scheduler', 'stopped scheduler', 'stop feed', 'stopped feed', 'stop store', 'stopped store']);
    expect(report).toMatchObject({ inTime: true, timedOut: [], failed: [], elapsedMs: 7_000 });
    expect(await lc.stopAll()).toBe(report); // idempotent (second signal)
  });

  it('reports a component that misses the deadline and still calls stop on the rest', async () => {
    const clock = createFakeClock();
    const events: string[] = [];
    const lc = new Lifecycle(clock, logger);
    lc.register(component('store', events, clock)).register(component('scheduler', events, clock, 0, true));
    await lc.startAll();
    const stopping = lc.stopAll(20_000);
    await clock.tickAsync(19_999);
    let settled = false;
    void stopping.then(() => (settled = true));
    await clock.tickAsync(0);
    expect(settled).toBe(false);
    await clock.tickAsync(1);
    const report = await stopping;
    expect(report.inTime).toBe(false);
    expect(report.timedOut).toEqual(['scheduler', 'store']);
    expect(report.elapsedMs).toBe(20_000);
    expect(events).toContain('stop store');
  });

  it('rolls back started components when one fails to start', async () => {
    const clock = createFakeClock();
    const events: string[] = [];
    const lc = new Lifecycle(clock, logger);
    lc.register(component('store', events, clock)).register({ name: 'feed', start: () => { throw new Error('no socket'); } });
    await expect(lc.startAll()).rejects.toThrow('no socket');
    expect(events).toEqual(['start store', 'stop store', 'stopped store']);
  });
});
