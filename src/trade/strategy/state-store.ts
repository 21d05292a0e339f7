// Persistent per-strategy state: <stateDir>/strategies/<name>.json, written atomically (one write at a time,
// in call order) so a restart mid-session picks up where the strategy was (e.g. "already entered 005930
// today"). A corrupt file is quarantined and the strategy starts from empty state.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { formatKstTimestamp } from '../../core/kst.js';
import type { StrategyState } from './types.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export function strategyStatePath(stateDir: string, name: string): string {
  if (!NAME.test(name)) throw new Error(`strategy name ${JSON.stringify(name)} is not usable as a file name (letters, digits, . _ -)`);
  return join(stateDir, 'strategies', `${name}.json`);
}

export class FileStrategyState implements StrategyState {
  private value: unknown;
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly clock: Clock,
  ) {}

  /** Loads the file (missing = empty state; corrupt = quarantined, empty state, logged). */
  static async open(stateDir: string, name: string, clock: Clock, log: Logger): Promise<FileStrategyState> {
    const s = new FileStrategyState(strategyStatePath(stateDir, name), clock);
    const text = await readFileIfExists(s.path);
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as { value?: unknown };
        s.value = parsed.value;
      } catch (err) {
        const moved = await quarantineFile(s.path, clock.nowMs());
        log.error({ strategy: name, err: errorMessage(err), quarantinedTo: moved }, 'strategy state file is corrupt; starting from empty state');
      }
    }
    return s;
  }

  get<T>(): T | undefined {
    return this.value as T | undefined;
  }

  set<T>(value: T): Promise<void> {
    this.value = value;
    const snapshot = JSON.parse(JSON.stringify(value ?? null)) as unknown;
    const write = this.chain.then(() => writeJsonAtomic(this.path, { saved_at: formatKstTimestamp(this.clock.nowMs()), value: snapshot }));
    this.chain = write.catch(() => undefined);
    return write;
  }
}

/** In-memory state for tests and one-off runs. */
export class MemoryStrategyState implements StrategyState {
  private value: unknown;
  get<T>(): T | undefined {
    return this.value as T | undefined;
  }
  set<T>(value: T): Promise<void> {
    this.value = value;
    return Promise.resolve();
  }
}
