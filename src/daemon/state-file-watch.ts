// Notices at once when another process replaces a state file — the token (a second kisd, `kisd token refresh`:
// the check adopts it and re-initialises the broker, seed 003) or the kill switch (`kisd risk reset`) — instead
// of up to 30 minutes later. The periodic checks stay the backstop.
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';

export function watchStateFile(o: {
  stateDir: string;
  fileName?: string;
  clock: Clock;
  logger: Logger;
  /** Runs the token check (TokenWatch.check); errors are logged, the watch goes on. */
  onChange: () => Promise<unknown>;
  debounceMs?: number;
}): { close(): void } {
  const fileName = o.fileName ?? 'token.json';
  let timer: TimerHandle | undefined;
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await o.onChange();
    } catch (err) {
      o.logger.warn({ err, file: fileName }, `reacting to a change of ${fileName} failed; the periodic check will retry`);
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  let watcher: FSWatcher | undefined;
  try {
    // Watch the directory: the file is replaced by rename (atomic write), which a file watch would lose.
    watcher = watch(o.stateDir, (_event, name) => {
      if (name !== fileName) return;
      o.clock.clearTimeout(timer);
      timer = o.clock.setTimeout(() => void run(), o.debounceMs ?? 250);
    });
    watcher.on('error', (err) => o.logger.warn({ err }, 'token-file watch failed; relying on the 30-minute check'));
  } catch (err) {
    o.logger.warn({ err }, 'cannot watch the state directory; relying on the 30-minute token check');
  }
  return {
    close: () => {
      o.clock.clearTimeout(timer);
      watcher?.close();
    },
  };
}
