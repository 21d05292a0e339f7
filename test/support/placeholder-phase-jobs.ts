// Placeholder phase jobs for the scheduler tests (test-only, so they live outside src/): small but real work
// through ports, so the phase framework, restart recovery and files are exercised end to end without the
// trading modules. Each writes a KST-dated file under <dataDir> atomically and returns a small detail object
// for the completion record.
import { killPoint } from '../../src/core/kill-points.js';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import { readFileIfExists, writeJsonAtomic } from '../../src/core/atomic-file.js';
import { formatKstTimestamp } from '../../src/core/kst.js';
import { batchPath, inspectBatchFile, listBatchIds, MAX_BATCH_SYMBOLS, readValidBatches, writeBatchFile } from '../../src/store/batch-files.js';
import type { PhaseContext, PhaseJob } from '../../src/core/phases.js';

export interface PriceQuote {
  symbol: string;
  price: number;
  /** Percent change versus the previous close. */
  changeRate: number;
}

/** Current KR prices for symbols (adapted from the REST client's inquire-price); missing symbols are left out. */
export interface PriceSource {
  getKrPrices(symbols: readonly string[], signal?: AbortSignal): Promise<PriceQuote[]>;
}

/** Asks the dual-market feed to be on a market (it switches itself at 08:30/16:30; this makes it explicit). */
export interface FeedControl {
  ensureMarket(market: 'KR' | 'US', signal?: AbortSignal): Promise<void>;
}

const quoteSchema = z.object({ symbol: z.string(), price: z.number(), changeRate: z.number() });
const screeningSchema = z.object({ date: z.string(), created_at: z.string(), candidates: z.array(quoteSchema) });

export function screeningPath(dataDir: string, ymd: string): string {
  return join(dataDir, 'screening', `${ymd}.json`);
}

export function reportPath(dataDir: string, kind: 'close' | 'daily', ymd: string): string {
  return join(dataDir, 'reports', `${kind}-${ymd}.json`);
}

/** Phase 1: prices for the watchlist, keeping symbols that trade, strongest first. */
export function createScreeningJob(o: { dataDir: string; watchlist: readonly string[]; prices: PriceSource; clock: Clock }): PhaseJob {
  return {
    async run(ctx: PhaseContext) {
      const quotes = await o.prices.getKrPrices(o.watchlist, ctx.signal);
      const candidates = quotes.filter((q) => Number.isFinite(q.price) && q.price > 0).sort((a, b) => b.changeRate - a.changeRate);
      await writeJsonAtomic(screeningPath(o.dataDir, ctx.ymd), { date: ctx.ymd, created_at: formatKstTimestamp(o.clock.nowMs()), candidates });
      return { candidates: candidates.length, watchlist: o.watchlist.length };
    },
  };
}

/**
 * Phase 2: splits today's screening result into batches of at most 40 symbols and writes only the batches whose
 * file is not valid yet (a restart mid-phase keeps the good ones). Superseded batch files beyond the count go.
 */
export function createSelectionJob(o: { dataDir: string; clock: Clock; batchSize?: number }): PhaseJob {
  const size = Math.min(o.batchSize ?? MAX_BATCH_SYMBOLS, MAX_BATCH_SYMBOLS);
  return {
    async run(ctx: PhaseContext) {
      const text = await readFileIfExists(screeningPath(o.dataDir, ctx.ymd));
      if (text === undefined) throw new Error(`no screening result for ${ctx.ymd}`);
      const screening = screeningSchema.parse(JSON.parse(text));
      const symbols = screening.candidates.map((c) => c.symbol);
      const batchCount = Math.ceil(symbols.length / size);
      let written = 0;
      for (let id = 0; id < batchCount; id++) {
        ctx.signal.throwIfAborted();
        const want = symbols.slice(id * size, (id + 1) * size);
        const state = await inspectBatchFile(o.dataDir, id, ctx.ymd);
        if (state.status === 'valid' && state.batch.symbols.join() === want.join()) continue;
        await writeBatchFile(o.dataDir, ctx.ymd, id, want, o.clock.nowMs());
        written++;
        killPoint(`selection:batch-written:${id}`);
      }
      for (const id of await listBatchIds(o.dataDir)) if (id >= batchCount) await fs.rm(batchPath(o.dataDir, id), { force: true });
      return { batchCount, written, kept: batchCount - written, symbols: symbols.length };
    },
  };
}

export function createFeedJob(o: { feed: FeedControl; market: 'KR' | 'US' }): PhaseJob {
  return {
    async run(ctx: PhaseContext) {
      await o.feed.ensureMarket(o.market, ctx.signal);
      return { market: o.market };
    },
  };
}

/** Trading session placeholder: watches today's selection, polling prices until the session ends. */
export function createTradingSessionJob(o: { dataDir: string; prices: PriceSource; clock: Clock; pollEveryMs?: number }): PhaseJob {
  const pollEveryMs = o.pollEveryMs ?? 60_000;
  return {
    async run(ctx: PhaseContext) {
      const symbols = (await readValidBatches(o.dataDir, ctx.ymd)).flatMap((b) => b.symbols);
      ctx.logger.info({ symbols: symbols.length }, 'trading session watching today\'s selection');
      let polls = 0;
      while (!ctx.signal.aborted) {
        if (symbols.length > 0) {
          await o.prices.getKrPrices(symbols, ctx.signal);
          polls++;
        }
        try {
          await o.clock.sleep(pollEveryMs, ctx.signal);
        } catch {
          break; // session end or shutdown
        }
      }
      return { symbols: symbols.length, polls };
    },
  };
}

/** Market close: closing prices of today's selection. */
export function createMarketCloseJob(o: { dataDir: string; prices: PriceSource; clock: Clock }): PhaseJob {
  return {
    async run(ctx: PhaseContext) {
      const symbols = (await readValidBatches(o.dataDir, ctx.ymd)).flatMap((b) => b.symbols);
      const closes = symbols.length > 0 ? await o.prices.getKrPrices(symbols, ctx.signal) : [];
      await writeJsonAtomic(reportPath(o.dataDir, 'close', ctx.ymd), { date: ctx.ymd, created_at: formatKstTimestamp(o.clock.nowMs()), closes });
      return { symbols: closes.length };
    },
  };
}

/** Daily performance placeholder: a summary of the close file. */
export function createDailyReportJob(o: { dataDir: string; clock: Clock }): PhaseJob {
  return {
    async run(ctx: PhaseContext) {
      const text = await readFileIfExists(reportPath(o.dataDir, 'close', ctx.ymd));
      const closes = text === undefined ? [] : z.object({ closes: z.array(quoteSchema) }).parse(JSON.parse(text)).closes;
      const avg = closes.length === 0 ? 0 : closes.reduce((s, q) => s + q.changeRate, 0) / closes.length;
      const summary = { symbols: closes.length, advancers: closes.filter((q) => q.changeRate > 0).length, decliners: closes.filter((q) => q.changeRate < 0).length, averageChangeRate: Number(avg.toFixed(4)) };
      await writeJsonAtomic(reportPath(o.dataDir, 'daily', ctx.ymd), { date: ctx.ymd, created_at: formatKstTimestamp(o.clock.nowMs()), ...summary });
      return summary;
    },
  };
}
