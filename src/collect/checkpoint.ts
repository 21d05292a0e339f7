// Resume checkpoints for bulk collection (seed 000 §4.2): `<dataDir>/progress/<dataset>.json`, written
// atomically, valid only for the same KST date and the same symbol list. A corrupt file, or an unfinished
// one from another day or symbol list, is quarantined (renamed aside) and the run starts over — never
// trusted, never deleted silently. A finished run from an earlier day is simply superseded.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from 'pino';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../core/atomic-file.js';
import { errorMessage } from '../core/errors.js';

const countsSchema = z.object({
  collected: z.number().int().nonnegative(),
  notFound: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  recovered: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
});

const checkpointSchema = z.object({
  version: z.literal(1),
  dataset: z.string().min(1),
  /** KST calendar date "YYYY-MM-DD" of the run. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  symbolsHash: z.string().min(1),
  total: z.number().int().nonnegative(),
  /** symbols[0, nextIndex) are saved, or recorded as failed (CSV + queue). */
  nextIndex: z.number().int().nonnegative(),
  lastCode: z.string().nullable(),
  phase: z.enum(['main', 'final-pass', 'done']),
  counts: countsSchema,
  /** Codes that failed in the main pass, in order. */
  failedCodes: z.array(z.string()),
  /** failedCodes[0, finalPassIndex) have been retried in the final pass. */
  finalPassIndex: z.number().int().nonnegative(),
  recoveredCodes: z.array(z.string()),
  updatedAtMs: z.number(),
});

export type CollectCheckpoint = z.infer<typeof checkpointSchema>;
export type CollectCounts = z.infer<typeof countsSchema>;

export function checkpointPath(dataDir: string, dataset: string): string {
  return join(dataDir, 'progress', `${dataset}.json`);
}

/** Identifies the symbol list (and the dataset's parameters) a checkpoint belongs to. */
export function hashSymbols(symbols: readonly string[], params?: unknown): string {
  return createHash('sha256').update(JSON.stringify([symbols, params ?? null])).digest('hex').slice(0, 32);
}

export function freshCheckpoint(dataset: string, date: string, symbolsHash: string, total: number, nowMs: number): CollectCheckpoint {
  return {
    version: 1,
    dataset,
    date,
    symbolsHash,
    total,
    nextIndex: 0,
    lastCode: null,
    phase: 'main',
    counts: { collected: 0, notFound: 0, skipped: 0, recovered: 0, rows: 0 },
    failedCodes: [],
    finalPassIndex: 0,
    recoveredCodes: [],
    updatedAtMs: nowMs,
  };
}

/**
 * The checkpoint to resume from, or undefined to start over. A file that does not parse, fails the
 * schema, is internally inconsistent, or belongs to another date is quarantined; a valid one for another
 * symbol list is simply replaced (said in words in the log).
 */
export async function loadCheckpoint(
  path: string,
  expect: { dataset: string; date: string; symbolsHash: string; total: number },
  nowMs: number,
  logger: Logger,
): Promise<CollectCheckpoint | undefined> {
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  let reason: string | undefined;
  let cp: CollectCheckpoint | undefined;
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(text));
    if (!parsed.success) reason = `invalid checkpoint: ${parsed.error.issues[0]?.message ?? 'schema mismatch'}`;
    else cp = parsed.data;
  } catch (err) {
    reason = `unparsable checkpoint: ${errorMessage(err)}`;
  }
  if (cp) {
    if (cp.dataset !== expect.dataset) reason = `checkpoint is for dataset ${cp.dataset}`;
    else if (cp.date !== expect.date) reason = `stale checkpoint from ${cp.date} (today is ${expect.date})`;
    else if (cp.symbolsHash !== expect.symbolsHash || cp.total !== expect.total) reason = 'checkpoint is for a different symbol list';
    else if (cp.nextIndex > cp.total || cp.finalPassIndex > cp.failedCodes.length) reason = 'checkpoint indexes out of range';
  }
  if (reason === undefined && cp) return cp;
  if (cp && cp.dataset === expect.dataset && cp.date === expect.date && (cp.symbolsHash !== expect.symbolsHash || cp.total !== expect.total)) {
    // A valid checkpoint of another list (the watchlist or the universe changed): nothing is wrong with it.
    logger.info(
      { path, before: cp.total, now: expect.total },
      `today's ${cp.dataset} checkpoint is for a different list of symbols (${cp.total} then, ${expect.total} now): this list starts from its first symbol; rows already saved stay in the store`,
    );
    return undefined;
  }
  if (cp && cp.phase === 'done' && cp.date !== expect.date && cp.dataset === expect.dataset) {
    // Yesterday's finished run is the normal case, not a problem to keep for inspection: just start over.
    logger.info({ path, date: cp.date }, 'previous day finished; starting a new run');
    return undefined;
  }
  const movedTo = await quarantineFile(path, nowMs).catch((err: unknown) => `(quarantine failed: ${errorMessage(err)})`);
  logger.warn({ path, movedTo, reason }, 'checkpoint not usable; quarantined, starting over');
  return undefined;
}

export async function saveCheckpoint(path: string, cp: CollectCheckpoint): Promise<void> {
  await writeJsonAtomic(path, cp);
}
