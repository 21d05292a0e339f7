// Phase completion records under concurrent writers: two phases finishing at once (or a record read racing a
// write) must each keep the other's record. Before the writes were serialised, both read the day, each wrote it
// back with only its own phase added, and the one written first was lost (the week replay saw selection
// unrecorded and a restart then ran it twice).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { PhaseRecordStore } from '../../../src/scheduler/phase-records.js';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { memoryLogger, tempDir } from './fake-world.js';

const YMD = '20261123';
const clock = createFakeClock(kstInstant('2026-11-23 07:00:00'));

describe('PhaseRecordStore', () => {
  it('two phases recorded at once both stay recorded, in the file and for a new reader', async () => {
    const dir = await tempDir('kisd-records-');
    const { logger } = memoryLogger();
    const store = new PhaseRecordStore(dir, clock, logger);
    await Promise.all([
      store.markDone(YMD, 'screening', { trigger: 'scheduled', attempts: 1, durationMs: 1 }),
      store.markDone(YMD, 'kr-feed', { trigger: 'scheduled', attempts: 1, durationMs: 0 }),
      store.markDone(YMD, 'selection', { trigger: 'recovery', attempts: 2, durationMs: 5 }),
    ]);
    expect(Object.keys((await store.load(YMD)).phases).sort()).toEqual(['kr-feed', 'screening', 'selection']);
    const file = JSON.parse(await readFile(store.path(YMD), 'utf8')) as { phases: Record<string, unknown> };
    expect(Object.keys(file.phases).sort()).toEqual(['kr-feed', 'screening', 'selection']);
    expect(Object.keys((await new PhaseRecordStore(dir, clock, logger).load(YMD)).phases).sort()).toEqual(['kr-feed', 'screening', 'selection']);
  });

  it('a first read of the day racing a write does not put the older day back in the cache', async () => {
    const dir = await tempDir('kisd-records-');
    const { logger } = memoryLogger();
    const store = new PhaseRecordStore(dir, clock, logger);
    await store.markDone(YMD, 'screening', { trigger: 'scheduled', attempts: 1, durationMs: 1 });
    store.invalidate();
    // The read starts from the file without selection; the write finishes first.
    const reading = store.get(YMD, 'selection');
    await store.markDone(YMD, 'selection', { trigger: 'scheduled', attempts: 1, durationMs: 1 });
    await reading;
    await store.markDone(YMD, 'kr-feed', { trigger: 'scheduled', attempts: 1, durationMs: 0 });
    expect(Object.keys((await new PhaseRecordStore(dir, clock, logger).load(YMD)).phases).sort()).toEqual(['kr-feed', 'screening', 'selection']);
  });
});
