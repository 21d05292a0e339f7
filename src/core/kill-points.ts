// Deterministic crash injection for process-level tests: when KISD_KILL_POINT names this point, the process
// SIGKILLs itself there — no timing races, and the code path is the production one. Inert otherwise.

/** Kills the process with SIGKILL if the KISD_KILL_POINT environment variable equals `name`. */
export function killPoint(name: string): void {
  if (process.env['KISD_KILL_POINT'] === name) process.kill(process.pid, 'SIGKILL');
}
