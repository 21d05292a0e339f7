// What a kill-switch state written during a Redis outage does to the state Redis holds when it answers again:
// a trip is never lost, and a reset never clears a later trip made on another host meanwhile.
import { describe, expect, it } from 'vitest';
import { outageStateWins } from '../../../src/coord/redis/kill-switch-store.js';

const trip = (atMs: number) => ({ tripped: true, trippedAtMs: atMs });
const reset = (ofTripAtMs: number) => ({ tripped: false, trippedAtMs: ofTripAtMs });

describe('kill switch state after a Redis outage', () => {
  it('publishes this host\'s state when Redis has none', () => {
    expect(outageStateWins(trip(100), undefined)).toBe(true);
    expect(outageStateWins(reset(100), undefined)).toBe(true);
  });
  it('a trip made during the outage wins over a reset or an older trip, not over a later trip', () => {
    expect(outageStateWins(trip(200), reset(100))).toBe(true);
    expect(outageStateWins(trip(200), reset(300))).toBe(true); // fail closed: nobody reset this trip
    expect(outageStateWins(trip(200), trip(100))).toBe(true);
    expect(outageStateWins(trip(200), trip(300))).toBe(false); // Redis is tripped already
  });
  it('a reset made during the outage clears the trip it saw, never a later trip from another host', () => {
    expect(outageStateWins(reset(200), trip(200))).toBe(true);
    expect(outageStateWins(reset(200), trip(100))).toBe(true);
    expect(outageStateWins(reset(200), trip(300))).toBe(false);
  });
});
