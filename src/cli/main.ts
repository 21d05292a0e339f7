#!/usr/bin/env node
// kisd's command line entry point: one binary for the daemon, the simulator and the operator's tools.
// Exit status: 0 ok, 1 the work failed, 2 usage or configuration error.
import { systemClock, unrefTimer } from '../core/clock.js';
import { buildProgram, reportFailure } from './program.js';

// `kisd queue list | head`: the reader went away. That is a normal end for a command's output, not a crash:
// stop quietly with status 0 (as `ls | head` does) instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

try {
  await (await buildProgram({}, process.argv)).parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportFailure(err);
}
// Every command has finished (and closed what it opened) when parseAsync settles. Should a library still hold
// a handle (an idle keep-alive socket, a worker thread), exit after a short grace instead of hanging a script;
// the timer is unref'd, so a clean process exits at once without waiting for it.
unrefTimer(systemClock.setTimeout(() => process.exit(), 3_000));
