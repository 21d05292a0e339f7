// The week replay's seeds, split over several test files so vitest's workers share them (a week takes ~7.5 s
// of one core; ten in one file would keep one worker busy for over a minute while the other idles).
// KISD_REPLAY_SEED=<n> replays that seed alone (in the first part) and keeps its var dir and daemon logs;
// KISD_REPLAY_WEEKS=<n> runs seeds 1..n (default 10, issue 9's floor for npm test).
import { describe, expect, it } from 'vitest';
import { runWeek } from '../helpers/replay/week-replay.js';

const only = process.env['KISD_REPLAY_SEED'];
const weeks = Number(process.env['KISD_REPLAY_WEEKS'] ?? 10);

/** Declares this part's seeds: part p of n runs seeds s with (s - 1) % n === p. */
export function weekSuite(part: number, parts: number): void {
  const seeds = only !== undefined ? (part === 0 ? [Number(only)] : []) : Array.from({ length: weeks }, (_, i) => i + 1).filter((s) => (s - 1) % parts === part);
  describe.skipIf(seeds.length === 0)(`week replay (part ${part + 1} of ${parts}): Monday to Sunday with a KRX holiday and seeded faults`, () => {
    for (const seed of seeds) {
      it(`seed ${seed}: every day's invariants hold`, { timeout: 600_000 }, async () => {
        const week = await runWeek({ seed, keepDir: only !== undefined });
        if (week.dir) console.log(`seed ${seed}: var dir and daemon logs kept in ${week.dir}`);
        expect(week.violations.map((v) => `seed ${v.seed} ${v.day} ${v.invariant}: ${v.detail} (KISD_REPLAY_SEED=${v.seed} to replay)`)).toEqual([]);
        expect(week.days).toBe(7);
      });
    }
  });
}
