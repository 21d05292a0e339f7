// Phase completion records, <dataDir>/phases/YYYYMMDD.json (atomic): which of a day's phases finished and when.
// They are the restart-recovery evidence (seed 004 §2.4): a phase with a record never runs twice that day.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../core/atomic-file.js';
import { errorMessage } from '../core/errors.js';
import { formatKstTimestamp } from '../core/kst.js';
import type { PhaseId, PhaseTrigger } from '../core/phases.js';

const entrySchema = z.object({
  finishedAt: z.string(),
  finishedAtEpochMs: z.number(),
  trigger: z.enum(['scheduled', 'recovery', 'manual']),
  attempts: z.number().int().min(1),
  durationMs: z.number().min(0),
  detail: z.record(z.string(), z.unknown()).optional(),
});
const fileSchema = z.object({
  date: z.string().regex(/^\d{8}$/),
  phases: z.record(z.string(), entrySchema),
});

export type PhaseRecord = z.infer<typeof entrySchema>;
export type PhaseRecordsFile = z.infer<typeof fileSchema>;

export class PhaseRecordStore {
  /** Cache of the day last read or written; the file is the truth across restarts. */
  private cached: PhaseRecordsFile | undefined;
  /**
   * Writes run one at a time: each reads the day, adds its phase and writes the whole file, so two phases
   * finishing together (a recovered trading phase and the market close) would otherwise both start from the
   * same day and the later write would drop the earlier's record — that phase then ran again after a restart.
   */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  path(ymd: string): string {
    return join(this.dataDir, 'phases', `${ymd}.json`);
  }

  /** The day's records; a corrupt file is quarantined and read as empty (its phases will run again). */
  async load(ymd: string): Promise<PhaseRecordsFile> {
    if (this.cached?.date === ymd) return this.cached;
    const path = this.path(ymd);
    const text = await readFileIfExists(path);
    let file: PhaseRecordsFile = { date: ymd, phases: {} };
    if (text !== undefined) {
      try {
        const parsed = fileSchema.parse(JSON.parse(text));
        if (parsed.date !== ymd) throw new Error(`date ${parsed.date} does not match the file name`);
        file = parsed;
      } catch (err) {
        const movedTo = await quarantineFile(path, this.clock.nowMs()).catch(() => undefined);
        this.logger.warn({ path, movedTo, err: errorMessage(err) }, 'corrupt phase completion record quarantined; its phases count as not done');
      }
    }
    this.cached = file;
    return file;
  }

  async get(ymd: string, phase: PhaseId): Promise<PhaseRecord | undefined> {
    return (await this.load(ymd)).phases[phase];
  }

  markDone(
    ymd: string,
    phase: PhaseId,
    info: { trigger: PhaseTrigger; attempts: number; durationMs: number; detail?: Record<string, unknown> },
  ): Promise<PhaseRecord> {
    return this.serialized(() => this.markDoneNow(ymd, phase, info));
  }

  /** Drops one phase's record (its evidence failed a check, so it must run again). */
  clear(ymd: string, phase: PhaseId): Promise<void> {
    return this.serialized(() => this.clearNow(ymd, phase));
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async markDoneNow(
    ymd: string,
    phase: PhaseId,
    info: { trigger: PhaseTrigger; attempts: number; durationMs: number; detail?: Record<string, unknown> },
  ): Promise<PhaseRecord> {
    const current = await this.load(ymd);
    const nowMs = this.clock.nowMs();
    const record: PhaseRecord = {
      finishedAt: formatKstTimestamp(nowMs),
      finishedAtEpochMs: nowMs,
      trigger: info.trigger,
      attempts: info.attempts,
      durationMs: info.durationMs,
      ...(info.detail ? { detail: info.detail } : {}),
    };
    const next: PhaseRecordsFile = { date: ymd, phases: { ...current.phases, [phase]: record } };
    await writeJsonAtomic(this.path(ymd), next);
    this.cached = next;
    return record;
  }

  private async clearNow(ymd: string, phase: PhaseId): Promise<void> {
    const current = await this.load(ymd);
    if (!(phase in current.phases)) return;
    const phases = { ...current.phases };
    delete phases[phase];
    const next: PhaseRecordsFile = { date: ymd, phases };
    await writeJsonAtomic(this.path(ymd), next);
    this.cached = next;
  }

  /** Forgets the cache (tests that edit files behind the store's back; a new day). */
  invalidate(): void {
    this.cached = undefined;
  }
}
