import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { inspectBatchFile, listBatchIds, readValidBatches, writeBatchFile } from '../../../src/store/batch-files.js';
import type { PhaseContext } from '../../../src/core/phases.js';
import { openStore, type Store } from '../../../src/store/index.js';
import {
  compileScreeningRules, createRankingScreeningJob, createSelectionBatchJob, krWatchlistCapacity, krWatchlistFromBatches,
  rankUniverse, screeningFilePath, screeningFileSchema, sqliteScreeningData, todayKrWatchlist,
} from '../../../src/trade/screening/index.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

const log = pino({ level: 'silent' });
const DAYS = ['20261118', '20261119', '20261120'];

function ctx(ymd: string): PhaseContext {
  return { phase: 'screening', ymd, trigger: 'manual', attempt: 1, signal: new AbortController().signal, logger: log };
}

let store: Store;
let dataDir: string;
let clock: FakeClock;

beforeEach(async () => {
  store = openStore({ path: ':memory:' });
  dataDir = await mkdtemp(join(tmpdir(), 'kisd-screen-'));
  clock = createFakeClock('2026-11-23 06:00:00'); // Monday; newest data Friday 20261120
});
afterEach(() => store.close());

function bars(symbol: string, closes: number[], turnover: number, dates = DAYS) {
  store.dailyBars.upsert(closes.map((close, i) => ({ symbol, date: dates[i]!, open: close, high: close, low: close, close, volume: Math.round(turnover / close), turnover })), 0);
}

describe('screening rules', () => {
  it('scores with each rule contribution and excludes with reasons (hand-checked)', () => {
    bars('AAA001', [1000, 1050, 1100], 2e9);
    store.investorFlows.upsert([
      { symbol: 'AAA001', date: '20261118', personNetQty: 0, personNetAmount: 0, foreignNetQty: 0, foreignNetAmount: 999e6, institutionNetQty: 0, institutionNetAmount: 0 }, // outside the 2-day window
      { symbol: 'AAA001', date: '20261119', personNetQty: 0, personNetAmount: 0, foreignNetQty: 0, foreignNetAmount: 40e6, institutionNetQty: 0, institutionNetAmount: 0 },
      { symbol: 'AAA001', date: '20261120', personNetQty: 0, personNetAmount: 0, foreignNetQty: 0, foreignNetAmount: 60e6, institutionNetQty: 0, institutionNetAmount: -20e6 },
    ], 0);
    bars('CHEAP1', [500, 510, 520], 2e9);
    bars('THIN01', [1000, 1100, 1200], 5e8);
    bars('STALE1', [1000, 1100], 2e9, ['20261118', '20261119']);
    bars('FALL01', [1200, 1100, 1000], 2e9);
    const data = sqliteScreeningData(store.db);
    const rules = compileScreeningRules({ lookbackDays: 2 });
    const latest = data.latestDate('20261123')!;
    expect(latest).toBe('20261120');
    const { ranked, excluded } = rankUniverse(['AAA001', 'CHEAP1', 'THIN01', 'STALE1', 'FALL01', 'NONE01'].map((s) => data.history(s, 3, latest)), rules, latest);
    expect(ranked).toEqual([
      {
        symbol: 'AAA001', score: 11, close: 1100, date: '20261120', avgTurnoverKrw: 2e9,
        inputs: { returnPct: 10, foreignNetPctOfTurnover: 2.5, institutionNetPctOfTurnover: -0.5, flowDays: 2 },
        contributions: { momentum: 10, foreignNetBuying: 1.25, institutionNetBuying: -0.25 },
      },
    ]);
    expect(Object.fromEntries(excluded.map((e) => [e.symbol, e.reason]))).toEqual({
      CHEAP1: 'price 520 outside the band 1000..1000000 KRW',
      THIN01: 'average turnover 500000000 KRW below the 1000000000 KRW floor',
      STALE1: 'stale: latest bar 20261119, market has 20261120',
      FALL01: 'score -16.6667 not above the minimum 0',
      NONE01: 'no daily bars collected',
    });
  });

  it('needs lookback + 1 bars', () => {
    bars('SHORT1', [1000, 1100], 2e9, ['20261119', '20261120']);
    const data = sqliteScreeningData(store.db);
    const { excluded } = rankUniverse([data.history('SHORT1', 3, '20261120')], compileScreeningRules({ lookbackDays: 2 }), '20261120');
    expect(excluded[0]?.reason).toBe('only 2 bars, momentum over 2 days needs 3');
  });
});

describe('screening and selection phase jobs', () => {
  function universe(n: number): void {
    for (let i = 0; i < n; i++) bars(`${String(100000 + i)}`, [10_000, 10_000 + 10 * (i + 1), 10_000 + 20 * (i + 1)], 2e9);
  }

  it('screening writes the ranked file; selection writes scored batches of at most 40 that the scheduler accepts', async () => {
    universe(45);
    const screening = createRankingScreeningJob({ dataDir, data: sqliteScreeningData(store.db), clock, rules: { lookbackDays: 2 } });
    expect(await screening.run(ctx('20261123'))).toMatchObject({ universe: 45, candidates: 45, dataDate: '20261120' });
    const file = screeningFileSchema.parse(JSON.parse(await readFile(screeningFilePath(dataDir, '20261123'), 'utf8')));
    expect(file.candidates[0]).toMatchObject({ rank: 1, symbol: '100044' }); // strongest momentum first
    expect(file.candidates[44]?.symbol).toBe('100000');

    const selection = createSelectionBatchJob({ dataDir, clock, maxSymbols: 45 });
    expect(await selection.run({ ...ctx('20261123'), phase: 'selection' })).toEqual({ batchCount: 2, written: 2, kept: 0, symbols: 45 });
    const b0 = await inspectBatchFile(dataDir, 0, '20261123');
    const b1 = await inspectBatchFile(dataDir, 1, '20261123');
    expect(b0.status === 'valid' && b0.batch.symbols.length).toBe(40);
    expect(b1.status === 'valid' && b1.batch.symbols).toEqual(['100004', '100003', '100002', '100001', '100000']);
    const raw = JSON.parse(await readFile(join(dataDir, 'daily_selection', 'batch_0.json'), 'utf8')) as { scores: Record<string, number>; date: string };
    expect(raw.date).toBe('20261123');
    expect(raw.scores['100044']).toBe(file.candidates[0]!.score);
    expect((await stat(join(dataDir, 'daily_selection', 'batch_0.json'))).mtimeMs).toBe(clock.nowMs());

    // a rerun keeps valid batches; a smaller selection removes the superseded file
    expect(await selection.run({ ...ctx('20261123'), phase: 'selection' })).toMatchObject({ written: 0, kept: 2 });
    await createSelectionBatchJob({ dataDir, clock, maxSymbols: 10 }).run({ ...ctx('20261123'), phase: 'selection' });
    expect(await listBatchIds(dataDir)).toEqual([0]);
  });

  it('screening refuses stale data instead of ranking old prices', async () => {
    universe(3);
    clock.setSystemTime(kstInstant('2026-11-30 06:00:00'));
    const job = createRankingScreeningJob({ dataDir, data: sqliteScreeningData(store.db), clock, rules: { lookbackDays: 2 } });
    await expect(job.run(ctx('20261130'))).rejects.toThrow(/newest daily bars are from 20261120, 10 days before 20261130/);
  });

  it('selection fails retryably without a screening file for today', async () => {
    await expect(createSelectionBatchJob({ dataDir, clock }).run(ctx('20261123'))).rejects.toMatchObject({ code: 'KISD_SELECTION_NO_SCREENING', disposition: 'retryable' });
  });
});

describe('KR watchlist from batches', () => {
  it('fits the registration budget and keeps batch order', async () => {
    expect(krWatchlistCapacity()).toBe(20);
    expect(krWatchlistCapacity({ extraRegistrations: 1 })).toBe(19);
    expect(krWatchlistCapacity({ trsPerCode: 1 })).toBe(40);
    const symbols = Array.from({ length: 40 }, (_, i) => String(200000 + i));
    await writeBatchFile(dataDir, '20261123', 1, ['900001', symbols[0]!], clock.nowMs());
    await writeBatchFile(dataDir, '20261123', 0, symbols, clock.nowMs());
    const batches = await readValidBatches(dataDir, '20261123');
    expect(krWatchlistFromBatches(batches, { trsPerCode: 1 })).toEqual(symbols);
    expect(await todayKrWatchlist(dataDir, '20261123', { trsPerCode: 1, maxSubscriptions: 41 })).toEqual([...symbols, '900001']);
    expect(await todayKrWatchlist(dataDir, '20261124')).toEqual([]); // another day: none valid
  });
});
