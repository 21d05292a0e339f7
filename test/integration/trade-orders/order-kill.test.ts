// SIGKILL on the order path, at every crash point, then a restart: no order is ever sent twice, every fill
// the simulator made is in the journal exactly once, and positions equal the simulator's holdings without
// any correction from the balance. Child processes run the compiled code (dist/, built by pretest).
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM fixture without type declarations
import { runKillTrial } from '../../fixtures/trade/kill-harness.mjs';

interface TrialResult {
  killAt: string;
  killed: boolean;
  settled: boolean;
  requests: number;
  simOrders: number;
  resent: number;
  duplicates: number;
  lostOrders: number;
  lostFills: number;
  positionMismatches: number;
  positionDiffs: number;
  states: string[];
}

const trial = runKillTrial as (o: { killAt: string; killIndex?: number; partial?: boolean }) => Promise<TrialResult>;

describe('order path survives SIGKILL', () => {
  it.concurrent.each([
    // [crash point, plan index, what the journal must say for that order afterwards]
    ['after-new', 1, 'cancelled'], // committed `new`, never sent: closed as cancelled-before-send
    ['after-sent', 0, 'cancelled'], // `sent` committed, bytes never left: not at KIS, closed after the grace
    ['in-flight', 1, 'filled'], // booked by KIS, reply hanging: matched from daily executions
    ['after-reply', 0, 'filled'], // reply in hand, not committed: matched from daily executions
    ['after-ack', 1, 'filled'], // ack committed, fills missed: added from daily executions
    ['partial-fill', 0, 'filled'], // killed right after committing a partial fill: the rest is added once
  ] as const)('%s (order %i)', async (killAt, killIndex, finalState) => {
    const r = await trial({ killAt, killIndex });
    expect(r.killed).toBe(true);
    expect(r.settled).toBe(true);
    expect(r).toMatchObject({ resent: 0, duplicates: 0, lostOrders: 0, lostFills: 0, positionMismatches: 0, positionDiffs: 0 });
    expect(r.requests).toBe(r.simOrders); // every request was booked once, none twice
    expect(r.states[killIndex]).toBe(finalState);
    expect(r.states).toHaveLength(killIndex + 1); // the process died there: later intents were never made
  }, 60_000);
});
