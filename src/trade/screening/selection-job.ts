// Phase 2 (07:00–09:00 KST): takes the top screened names into batches of at most 40 symbols (the KIS
// WebSocket registration cap) as batch_{id}.json with date, symbols and scores. Batches already valid with
// the same symbols are kept (a restart mid-phase rewrites only what is missing); batch files beyond the new
// count are removed. Returns `batchCount`, which the scheduler's restart recovery reads.
import { killPoint } from '../../core/kill-points.js';
import { promises as fs } from 'node:fs';
import { readFileIfExists } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { ConfigError, KisdError } from '../../core/errors.js';
import { batchPath, inspectBatchFile, listBatchIds, MAX_BATCH_SYMBOLS } from '../../store/batch-files.js';
import type { PhaseContext, PhaseJob } from '../../core/phases.js';
import { writeScoredBatchFile } from './scored-batch.js';
import { screeningFilePath, screeningFileSchema } from './screening-file.js';

export interface SelectionJobOptions {
  dataDir: string;
  clock: Clock;
  /** How many of the top-ranked names to select. Default 40. */
  maxSymbols?: number;
  /** Symbols per batch, 1..40. Default 40. */
  batchSize?: number;
}

export class NoScreeningError extends KisdError {
  constructor(ymd: string, why: string) {
    super('KISD_SELECTION_NO_SCREENING', `no usable screening result for ${ymd}: ${why}`, { disposition: 'retryable' });
  }
}

export function createSelectionBatchJob(o: SelectionJobOptions): PhaseJob {
  const size = o.batchSize ?? MAX_BATCH_SYMBOLS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SYMBOLS) throw new ConfigError(`selection.batchSize must be 1..${MAX_BATCH_SYMBOLS} (got ${size})`);
  const maxSymbols = o.maxSymbols ?? 40;
  if (!Number.isInteger(maxSymbols) || maxSymbols < 1) throw new ConfigError(`selection.maxSymbols must be an integer >= 1 (got ${maxSymbols})`);
  return {
    async run(ctx: PhaseContext) {
      const text = await readFileIfExists(screeningFilePath(o.dataDir, ctx.ymd));
      if (text === undefined) throw new NoScreeningError(ctx.ymd, 'the screening phase has not written its file');
      let screening;
      try {
        screening = screeningFileSchema.parse(JSON.parse(text));
      } catch (err) {
        throw new NoScreeningError(ctx.ymd, `file does not parse (${(err as Error).message.slice(0, 200)})`);
      }
      if (screening.date !== ctx.ymd) throw new NoScreeningError(ctx.ymd, `file is dated ${screening.date}`);
      const picks = screening.candidates.slice(0, maxSymbols).map((c) => ({ symbol: c.symbol, score: c.score }));
      const batchCount = Math.ceil(picks.length / size);
      let written = 0;
      for (let id = 0; id < batchCount; id++) {
        ctx.signal.throwIfAborted();
        const want = picks.slice(id * size, (id + 1) * size);
        const state = await inspectBatchFile(o.dataDir, id, ctx.ymd);
        if (state.status === 'valid' && state.batch.symbols.join() === want.map((p) => p.symbol).join()) continue;
        await writeScoredBatchFile(o.dataDir, ctx.ymd, id, want, o.clock.nowMs());
        written++;
        killPoint(`selection:batch-written:${id}`);
      }
      for (const id of await listBatchIds(o.dataDir)) if (id >= batchCount) await fs.rm(batchPath(o.dataDir, id), { force: true });
      if (picks.length === 0) ctx.logger.warn({ excluded: screening.excluded.length }, 'selection picked no symbols: nothing passed screening today');
      ctx.logger.info({ batchCount, written, symbols: picks.length }, `selection wrote ${written} of ${batchCount} batch file(s)`);
      return { batchCount, written, kept: batchCount - written, symbols: picks.length };
    },
  };
}
