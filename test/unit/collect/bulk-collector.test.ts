import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';
import { openStore } from '../../../src/store/index.js';
import { createRecoveryQueue } from '../../../src/recovery/index.js';
import type { Alert } from '../../../src/alerts/index.js';
import { createBulkCollector, NotFoundError, type CollectDataset, type Fetcher, type CollectProgress, checkpointPath } from '../../../src/collect/index.js';

interface Row {
  symbol: string;
  value: number;
}

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${String(i).padStart(3, '0')}`);
const logger = pino({ level: 'silent' });

/** Scripted source: per code, a list of outcomes consumed one per fetch; default success. */
class FakeFetcher implements Fetcher<Row> {
  readonly name = 'fake-source';
  calls: string[] = [];
  constructor(private readonly script: Record<string, ('ok' | 'fail' | 'missing' | 'invalid')[]> = {}, private readonly onCall?: (code: string) => void) {}
  async fetch(req: { targetCodes: readonly string[] }) {
    const ok: Row[] = [];
    const failed: { code: string; error: unknown; attempts: number }[] = [];
    for (const code of req.targetCodes) {
      this.calls.push(code);
      this.onCall?.(code);
      await Promise.resolve();
      const step = this.script[code]?.shift() ?? 'ok';
      if (step === 'ok') ok.push({ symbol: code, value: Number(code.slice(1)) });
      else if (step === 'missing') failed.push({ code, error: new NotFoundError('no data'), attempts: 1 });
      else if (step === 'invalid') failed.push({ code, error: Object.assign(new Error('ERROR : INPUT INVALID_CHECK_ITEM_CODE'), { msgCd: 'OPSQ2001', httpStatus: 200 }), attempts: 1 });
      else failed.push({ code, error: Object.assign(new Error('HTTP 500 from KIS'), { statusCode: 500 }), attempts: 6 });
    }
    return { ok, failed };
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(start = '2026-11-23 16:10:00') {
  const dataDir = mkdtempSync(join(tmpdir(), 'kisd-collect-'));
  dirs.push(dataDir);
  const clock = createFakeClock(start);
  const store = openStore({ path: ':memory:' });
  const queue = createRecoveryQueue({ repo: store.recoveryQueue, clock });
  const saved = new Map<string, number>();
  const saves: string[][] = [];
  const dataset = (fetcher: Fetcher<Row>): CollectDataset<Row> => ({
    name: 'test_bars',
    taskType: 'daily_bars',
    fetcher,
    save(rows) {
      saves.push(rows.map((r) => r.symbol));
      for (const r of rows) saved.set(r.symbol, r.value);
    },
  });
  const progress: CollectProgress[] = [];
  const alerts: Alert[] = [];
  const collector = createBulkCollector({
    dataDir, clock, logger, queue, concurrency: 3, checkpointEvery: 7, finalPassDelayMs: 0,
    onProgress: (p) => progress.push(p),
    alerts: { send: async (a) => void alerts.push(a) },
  });
  return { dataDir, clock, store, queue, saved, saves, dataset, collector, progress, alerts };
}

function readCheckpoint(dataDir: string) {
  return JSON.parse(readFileSync(checkpointPath(dataDir, 'test_bars'), 'utf8')) as { nextIndex: number; phase: string; date: string; failedCodes: string[] };
}

describe('bulk collector', () => {
  it('skips failed symbols into the CSV and the queue, then recovers what it can in a final pass', async () => {
    const { dataDir, queue, saved, dataset, collector, progress, alerts } = setup();
    const fetcher = new FakeFetcher({ S007: ['fail', 'fail'], S013: ['fail', 'ok'], S020: ['missing'] });
    const summary = await collector.run(dataset(fetcher), SYMBOLS);
    expect(summary).toMatchObject({ total: 50, collected: 47, notFound: 1, skipped: 2, recovered: 1, stillFailed: ['S007'], aborted: false, alreadyComplete: false, requests: 52 });
    expect(saved.size).toBe(48);
    expect(saved.has('S007')).toBe(false);
    expect(saved.get('S013')).toBe(13);
    const csv = readFileSync(join(dataDir, 'csv', 'failed_codes_test_bars.csv'), 'utf8').split('\r\n').filter(Boolean);
    expect(csv[0]).toBe('date,code,error_kind,error,attempts,recorded_at');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual(['2026-11-23,S007,server,HTTP 500 from KIS,6', '2026-11-23,S013,server,HTTP 500 from KIS,6']);
    const tasks = queue.list();
    expect(tasks.map((t) => [t.targetCode, t.status]).sort()).toEqual([['S007', 'pending'], ['S013', 'completed']]);
    expect(tasks[0]).toMatchObject({ fetcherName: 'fake-source', taskType: 'daily_bars' });
    expect(readCheckpoint(dataDir).phase).toBe('done');
    expect(progress.at(-1)).toMatchObject({ phase: 'final-pass', done: 2, total: 2 });
    expect(progress.filter((p) => p.phase === 'main')).toHaveLength(50);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 'WARNING', key: 'collect-failed:test_bars:2026-11-23', symbols: ['S007'] });
    // The same day again: nothing to do.
    const again = new FakeFetcher();
    expect((await collector.run(dataset(again), SYMBOLS)).alreadyComplete).toBe(true);
    expect(again.calls).toEqual([]);
  });

  it('a symbol KIS refuses as invalid input (OPSQ2001) is reported, never retried in the final pass nor queued', async () => {
    const { dataDir, queue, dataset, collector } = setup();
    const fetcher = new FakeFetcher({ S003: ['invalid', 'ok'], S007: ['fail', 'ok'] });
    const summary = await collector.run(dataset(fetcher), SYMBOLS);
    expect(summary).toMatchObject({ collected: 48, skipped: 2, recovered: 1, stillFailed: [] });
    expect(fetcher.calls.filter((c) => c === 'S003')).toHaveLength(1);
    expect(queue.list().map((t) => t.targetCode)).toEqual(['S007']);
    const csv = readFileSync(join(dataDir, 'csv', 'failed_codes_test_bars.csv'), 'utf8');
    expect(csv).toContain('2026-11-23,S003,invalid-input,ERROR : INPUT INVALID_CHECK_ITEM_CODE,1');
  });

  it('progress counts each symbol as it finishes, not only at checkpoints; requests come from the client when it counts them', async () => {
    const { dataset, clock, queue, dataDir } = setup();
    let sent = 0;
    const progress: CollectProgress[] = [];
    const collector = createBulkCollector({ dataDir, clock, logger, queue, concurrency: 1, checkpointEvery: 10, finalPassDelayMs: 0, onProgress: (p) => progress.push(p), requestCounter: () => sent });
    // Each symbol costs the client two HTTP requests (one of its own retries included).
    const fetcher = new FakeFetcher({ S002: ['fail', 'ok'] }, () => void (sent += 2));
    const summary = await collector.run(dataset(fetcher), SYMBOLS.slice(0, 10));
    const main = progress.filter((p) => p.phase === 'main');
    expect(main.map((p) => p.collected + p.skipped)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(main[4]).toMatchObject({ done: 5, collected: 4, skipped: 1 });
    expect(summary.requests).toBe(22); // 11 fetches × 2, not the 11 symbol attempts
  });

  it('on abort saves what finished, checkpoints no further than the saved rows, and resumes from there', async () => {
    const { dataDir, saved, dataset, collector } = setup();
    const ac = new AbortController();
    const first = new FakeFetcher({}, (code) => {
      if (code === 'S025') ac.abort();
    });
    const s1 = await collector.run(dataset(first), SYMBOLS, { signal: ac.signal });
    expect(s1.aborted).toBe(true);
    const cp = readCheckpoint(dataDir);
    expect(cp.phase).toBe('main');
    expect(cp.nextIndex).toBeGreaterThanOrEqual(21);
    // S025 itself (and the two in flight with it) may finish; nothing after was started.
    expect(cp.nextIndex).toBeLessThanOrEqual(26);
    for (const code of SYMBOLS.slice(0, cp.nextIndex)) expect(saved.has(code)).toBe(true);

    const second = new FakeFetcher();
    const s2 = await collector.run(dataset(second), SYMBOLS);
    expect(s2).toMatchObject({ resumedFromIndex: cp.nextIndex, collected: 50, aborted: false });
    expect(second.calls[0]).toBe(SYMBOLS[cp.nextIndex]);
    expect(new Set(second.calls).size).toBe(50 - cp.nextIndex);
    expect(saved.size).toBe(50);
  });

  it('never marks the day done when a fetch error stops the run early without the signal being aborted', async () => {
    const { dataDir, saved, dataset, collector } = setup();
    // A fetcher-level abort (e.g. an AbortError from a cancelled request) while the run itself is not stopping.
    class AbortingFetcher extends FakeFetcher {
      override async fetch(req: { targetCodes: readonly string[] }) {
        if (req.targetCodes[0] === 'S030') return { ok: [], failed: [{ code: 'S030', error: Object.assign(new Error('cancelled'), { name: 'AbortError' }), attempts: 1 }] };
        return super.fetch(req);
      }
    }
    const s1 = await collector.run(dataset(new AbortingFetcher()), SYMBOLS);
    expect(s1.aborted).toBe(true);
    const cp = readCheckpoint(dataDir);
    expect(cp.phase).toBe('main');
    expect(cp.nextIndex).toBeLessThan(SYMBOLS.length);
    const s2 = await collector.run(dataset(new FakeFetcher()), SYMBOLS);
    expect(s2).toMatchObject({ alreadyComplete: false, collected: 50 });
    expect(saved.size).toBe(50);
  });

  it('quarantines a checkpoint from another KST day and starts over', async () => {
    const { dataDir, dataset, collector, clock } = setup('2026-11-23 23:50:00');
    const ac = new AbortController();
    await collector.run(dataset(new FakeFetcher({}, (c) => c === 'S010' && ac.abort())), SYMBOLS, { signal: ac.signal });
    expect(readCheckpoint(dataDir).date).toBe('2026-11-23');
    await clock.tickAsync(20 * 60_000); // past KST midnight
    const next = new FakeFetcher();
    const s = await collector.run(dataset(next), SYMBOLS);
    expect(s.resumedFromIndex).toBe(0);
    expect(next.calls[0]).toBe('S000');
    expect(readdirSync(join(dataDir, 'progress')).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    expect(readCheckpoint(dataDir).date).toBe('2026-11-24');
  });

  it("supersedes a finished checkpoint from an earlier day without quarantining it", async () => {
    const { dataDir, dataset, collector, clock } = setup('2026-11-23 18:00:00');
    await collector.run(dataset(new FakeFetcher()), SYMBOLS);
    clock.setSystemTime(clock.nowMs() + 86_400_000);
    const next = new FakeFetcher();
    expect((await collector.run(dataset(next), SYMBOLS)).alreadyComplete).toBe(false);
    expect(next.calls).toHaveLength(50);
    expect(readdirSync(join(dataDir, 'progress')).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  });

  it('a valid checkpoint for another symbol list is replaced, not quarantined as corrupt', async () => {
    const { dataDir, dataset, collector } = setup();
    await collector.run(dataset(new FakeFetcher()), SYMBOLS.slice(0, 10));
    const other = new FakeFetcher();
    const summary = await collector.run(dataset(other), SYMBOLS.slice(10, 25));
    expect(summary).toMatchObject({ total: 15, collected: 15, alreadyComplete: false });
    expect(other.calls).toHaveLength(15);
    expect(readdirSync(dirname(checkpointPath(dataDir, 'test_bars'))).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('quarantines a corrupt checkpoint and starts over', async () => {
    const { dataDir, dataset, collector } = setup();
    mkdirSync(join(dataDir, 'progress'), { recursive: true });
    writeFileSync(checkpointPath(dataDir, 'test_bars'), '{"version":1,"nextIn');
    const f = new FakeFetcher();
    const s = await collector.run(dataset(f), SYMBOLS);
    expect(s).toMatchObject({ resumedFromIndex: 0, collected: 50 });
    expect(f.calls).toHaveLength(50);
    const files = readdirSync(join(dataDir, 'progress'));
    expect(files.some((x) => x.startsWith('test_bars.json.corrupt-'))).toBe(true);
    expect(existsSync(checkpointPath(dataDir, 'test_bars'))).toBe(true);
  });

  it('does not advance the checkpoint when saving fails', async () => {
    const { dataDir, clock, collector } = setup();
    let n = 0;
    const ds: CollectDataset<Row> = {
      name: 'test_bars',
      taskType: 'daily_bars',
      fetcher: new FakeFetcher(),
      save() {
        if (++n > 1) throw Object.assign(new Error('disk I/O error'), { name: 'SqliteError', code: 'SQLITE_IOERR' });
      },
    };
    const run = collector.run(ds, SYMBOLS);
    const settled = run.then(() => 'resolved', (e: { code?: string }) => e.code);
    // The save retries back off on the clock; settle interleaves the real file I/O with virtual time.
    expect(await settle(clock, settled, { stepMs: 500 })).toBe('KISD_COLLECT_STORAGE');
    expect(n).toBe(4); // 1 good save + 3 attempts at the second chunk
    expect(readCheckpoint(dataDir).nextIndex).toBe(7); // only the first chunk was saved
  });
});
