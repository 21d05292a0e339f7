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
   * Writes run one after another: each reads the day and writes it back whole, so two phases finishing at once
   * (their writes overlapping) would each write the file without the other's record, and the one lost would run
   * again after a restart, or hold up the phases that wait for it.
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
    // A write (or another read) that finished while this one read the file holds the newer day: keep it.
    if (this.cached?.date === ymd) return this.cached;
    this.cached = file;
    return file;
  }

  async get(ymd: string, phase: PhaseId): Promise<PhaseRecord | undefined> {
    return (await this.load(ymd)).phases[phase];
  }

  /** Runs one read-modify-write of a day's file after the writes queued before it (failed ones included). */
  private serial<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write, write);
    this.writes = next.catch(() => undefined);
    return next;
  }

  markDone(
    ymd: string,
    phase: PhaseId,
    info: { trigger: PhaseTrigger; attempts: number; durationMs: number; detail?: Record<string, unknown> },
  ): Promise<PhaseRecord> {
    return this.serial(() => this.writeDone(ymd, phase, info));
  }

  private async writeDone(
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

  /** Drops one phase's record (its evidence failed a check, so it must run again). */
  clear(ymd: string, phase: PhaseId): Promise<void> {
    return this.serial(() => this.writeCleared(ymd, phase));
  }

  private async writeCleared(ymd: string, phase: PhaseId): Promise<void> {
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
