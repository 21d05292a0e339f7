// The even seeds of the week replay (see week-replay.test.ts): a second file so a second worker runs them.
import { weekSuite } from './week-suite.js';

weekSuite(1, 2);
