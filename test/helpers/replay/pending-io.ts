// File-system requests in flight in this process (fs.promises, FileHandle and callback fs), read from Node's own
// list of active resources. The replay holds virtual time still while any is pending: an atomic write (open,
// write, fsync, rename, fsync of the directory) is a few real milliseconds, and virtual time moving on between
// its steps made a phase's completion record land minutes late and opened races production never sees.

const FS_REQUESTS = new Set(['FSReqPromise', 'FSReqCallback', 'CloseReq', 'FileHandleCloseReq']);

/** True while any file-system request of this process is in flight. */
export function fileSystemBusy(): boolean {
  return process.getActiveResourcesInfo().some((r) => FS_REQUESTS.has(r));
}

/**
 * Turns the event loop (setImmediate) until no file-system request is in flight twice in a row (a chain of
 * awaited fs calls starts its next one in the turn after the last ends), at most maxRealMs of real time.
 */
export async function settleFileSystem(maxRealMs = 2_000): Promise<void> {
  const until = performance.now() + maxRealMs;
  let quiet = 0;
  while (quiet < 2 && performance.now() < until) {
    await new Promise((r) => setImmediate(r));
    quiet = fileSystemBusy() ? 0 : quiet + 1;
  }
}
