// Shared bits of the kis-auth unit tests: a temp state dir and a pino logger that records its lines.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export interface MemoryLogger {
  log: Logger;
  lines: Array<Record<string, unknown> & { msg?: string; level: number }>;
  /** Raw text of every line (to assert no secret leaked). */
  text(): string;
  /** Resolves when a line whose msg includes `fragment` is written (count-th occurrence, default 1). */
  waitFor(fragment: string, count?: number): Promise<Record<string, unknown>>;
}

export function memoryLogger(): MemoryLogger {
  const lines: MemoryLogger['lines'] = [];
  const raw: string[] = [];
  const waiters: Array<() => void> = [];
  const log = pino(
    { level: 'debug' },
    {
      write(s: string) {
        raw.push(s);
        lines.push(JSON.parse(s) as MemoryLogger['lines'][number]);
        for (const w of waiters.splice(0)) w();
      },
    },
  );
  const find = (fragment: string, count: number) => lines.filter((l) => String(l.msg ?? '').includes(fragment))[count - 1];
  return {
    log,
    lines,
    text: () => raw.join(''),
    waitFor(fragment, count = 1) {
      return new Promise((resolve) => {
        const check = (): void => {
          const hit = find(fragment, count);
          if (hit) resolve(hit);
          else waiters.push(check);
        };
        check();
      });
    },
  };
}

export async function tempStateDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kisd-auth-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
