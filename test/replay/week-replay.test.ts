// Issue 9: whole seeded weeks of the whole daemon (startDaemon) against the simulator on one virtual clock,
// with the invariants checked after every day (test/helpers/replay/). A failure names its seed and day;
// KISD_REPLAY_SEED=<n> replays that seed alone and keeps its var dir and daemon logs (path printed).
// KISD_REPLAY_WEEKS=<n> runs seeds 1..n (default 10, odd seeds here, even ones in week-replay-even.test.ts);
// `npm run replay -- --weeks 200` runs many more outside npm test.
import { weekSuite } from './week-suite.js';

weekSuite(0, 2);
