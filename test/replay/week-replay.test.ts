// Issue 9: whole seeded weeks of the whole daemon against the simulator on one virtual clock, with the
// invariants checked after every day. A failure prints its seed and day; KISD_REPLAY_SEED=<n> replays one seed.
import { describe, expect, it } from 'vitest';
import { runWeek } from '../helpers/replay/week-replay.js';

const only = process.env['KISD_REPLAY_SEED'];
const SEEDS = only !== undefined ? [Number(only)] : Array.from({ length: 1 }, (_, i) => i + 1);

describe('week replay', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every day's invariants hold`, { timeout: 120_000 }, async () => {
      const week = await runWeek({ seed, keepDir: only !== undefined });
      console.log(JSON.stringify({ seed, realMs: Math.round(week.realMs), faults: week.faults }));
      expect(week.violations.map((v) => `seed ${v.seed} ${v.day} ${v.invariant}: ${v.detail}`)).toEqual([]);
    });
  }
});
