// Issue 9: whole seeded weeks of the whole daemon (startDaemon) against the simulator on one virtual clock,
// with the invariants checked after every day (test/helpers/replay/). A failure names its seed and day;
// KISD_REPLAY_SEED=<n> replays that seed alone and keeps its var dir and daemon logs (path printed).
// KISD_REPLAY_WEEKS=<n> runs seeds 1..n; `npm run replay -- --weeks 200` runs many more outside npm test.
import { describe, expect, it } from 'vitest';
import { runWeek } from '../helpers/replay/week-replay.js';

const only = process.env['KISD_REPLAY_SEED'];
const weeks = Number(process.env['KISD_REPLAY_WEEKS'] ?? 1);
const SEEDS = only !== undefined ? [Number(only)] : Array.from({ length: weeks }, (_, i) => i + 1);

describe('week replay: Monday to Sunday with a KRX holiday and seeded faults', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every day's invariants hold`, { timeout: 600_000 }, async () => {
      const week = await runWeek({ seed, keepDir: only !== undefined });
      if (week.dir) console.log(`seed ${seed}: var dir and daemon logs kept in ${week.dir}`);
      expect(week.violations.map((v) => `seed ${v.seed} ${v.day} ${v.invariant}: ${v.detail} (KISD_REPLAY_SEED=${v.seed} to replay)`)).toEqual([]);
      expect(week.days).toBe(7);
    });
  }
});
