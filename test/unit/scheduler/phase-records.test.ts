// Phase completion records: two phases finishing at the same time (a trading phase joined by restart recovery
// and the market close) must both be on disk. Each write reads the day, adds its phase and rewrites the file;
// run concurrently, the later write used to drop the earlier's record (seen in the week replay on a loaded
// machine: "phases neither recorded nor alerted: trading", and the phase would run again after a restart).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRecordStore } from '../../../src/scheduler/phase-records.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('PhaseRecordStore', () => {
  it('keeps every phase when several finish together', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kisd-phases-'));
    dirs.push(dir);
    const store = new PhaseRecordStore(dir, createFakeClock('2026-11-23 09:35:00'), pino({ level: 'silent' }));
    const info = { trigger: 'scheduled' as const, attempts: 1, durationMs: 1 };
    await store.markDone('20261123', 'screening', info);
    await Promise.all([store.markDone('20261123', 'trading', info), store.markDone('20261123', 'market-close', info), store.clear('20261123', 'screening')]);
    const onDisk = JSON.parse(readFileSync(store.path('20261123'), 'utf8')) as { phases: Record<string, unknown> };
    expect(Object.keys(onDisk.phases).sort()).toEqual(['market-close', 'trading']);
    // A fresh store (a restart) reads the same.
    const reread = new PhaseRecordStore(dir, createFakeClock('2026-11-23 09:36:00'), pino({ level: 'silent' }));
    expect(Object.keys((await reread.load('20261123')).phases).sort()).toEqual(['market-close', 'trading']);
  });
});
