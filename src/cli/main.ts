#!/usr/bin/env node
// kisd's command line entry point: one binary for the daemon, the simulator and the operator's tools.
// Exit status: 0 ok, 1 the work failed, 2 usage or configuration error.
import { systemClock, unrefTimer } from '../core/clock.js';
import { buildProgram, reportFailure } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportFailure(err);
}
// Every command has finished (and closed what it opened) when parseAsync settles. Should a library still hold
// a handle (an idle keep-alive socket, a worker thread), exit after a short grace instead of hanging a script;
// the timer is unref'd, so a clean process exits at once without waiting for it.
unrefTimer(systemClock.setTimeout(() => process.exit(), 3_000));
