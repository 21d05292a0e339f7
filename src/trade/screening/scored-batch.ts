// A selection batch file with each symbol's screening score. The scheduler's batchFileSchema is a plain
// z.object (unknown keys pass and are stripped on read), so a `scores` map rides along without breaking the
// recovery check; written exactly like writeBatchFile (atomic, mtime from the injected clock).
// TODO(lead): writeBatchFile could take an `extra` object; this wrapper would then be one call.
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { writeJsonAtomic } from '../../core/atomic-file.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { batchFileSchema, batchPath } from '../../store/batch-files.js';

export const scoredBatchFileSchema = batchFileSchema.extend({
  /** Screening score per symbol (same order as `symbols`). */
  scores: z.record(z.string(), z.number()),
});
export type ScoredBatchFile = z.infer<typeof scoredBatchFileSchema>;

/** Writes batch_{id}.json atomically; throws (zod) when it would not pass the scheduler's own schema. */
export async function writeScoredBatchFile(
  dataDir: string,
  todayYmd: string,
  id: number,
  picks: readonly { symbol: string; score: number }[],
  nowMs: number,
): Promise<ScoredBatchFile> {
  const batch = scoredBatchFileSchema.parse({
    date: todayYmd,
    batch_id: id,
    symbols: picks.map((p) => p.symbol),
    created_at: formatKstTimestamp(nowMs),
    scores: Object.fromEntries(picks.map((p) => [p.symbol, p.score])),
  });
  batchFileSchema.parse(batch); // the reader's view must accept it too
  const path = batchPath(dataDir, id);
  await writeJsonAtomic(path, batch);
  await fs.utimes(path, nowMs / 1000, nowMs / 1000);
  return batch;
}
