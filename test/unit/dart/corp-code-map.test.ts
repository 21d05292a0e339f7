// The corp-code map: lookups (preferred shares fall back to the common), the daily on-disk cache written
// atomically, a corrupt cache quarantined and rebuilt, a stale cache used only when the download fails.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { CORP_CODE_CACHE_FILE, CorpCodeMap, loadCorpCodeMap, type CorpCodeEntry } from '../../../src/dart/index.js';
import { silentLogger } from '../kis-rest/support.js';

const ENTRIES: CorpCodeEntry[] = [
  { corpCode: '00126380', corpName: '삼성전자', stockCode: '005930', modifyDate: '20240101' },
  { corpCode: '00164779', corpName: 'SK하이닉스', stockCode: '000660', modifyDate: '20240101' },
  { corpCode: '00434003', corpName: '다코', stockCode: null, modifyDate: '20170630' },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kisd-dart-map-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CorpCodeMap', () => {
  it('maps both ways, keeps only listed filers, and a preferred code falls back to its common share', () => {
    const m = new CorpCodeMap(ENTRIES, '20261123');
    expect(m.size).toBe(2);
    expect(m.corpCodeFor('005930')).toBe('00126380');
    expect(m.corpCodeFor('005935')).toBe('00126380');
    expect(m.corpCodeFor('000665')).toBe('00164779');
    expect(m.corpCodeFor('123450')).toBeUndefined();
    expect(m.stockCodeFor('00164779')).toBe('000660');
    expect(m.stockCodeFor('00434003')).toBeUndefined();
  });
});

describe('loadCorpCodeMap', () => {
  it('downloads once a day: the same day reads the cache, the next day downloads again', async () => {
    const clock = createFakeClock('2026-11-23 08:00:00');
    let downloads = 0;
    const o = { dir, clock, log: silentLogger, download: async () => (downloads++, ENTRIES) };
    expect((await loadCorpCodeMap(o)).size).toBe(2);
    const cached = JSON.parse(await readFile(join(dir, CORP_CODE_CACHE_FILE), 'utf8')) as { fetchedYmd: string; entries: unknown[] };
    expect(cached.fetchedYmd).toBe('20261123');
    expect(cached.entries).toHaveLength(2);
    await clock.tickAsync(10 * 3_600_000);
    expect((await loadCorpCodeMap(o)).corpCodeFor('005930')).toBe('00126380');
    expect(downloads).toBe(1);
    await clock.tickAsync(8 * 3_600_000); // 02:00 KST next day
    await loadCorpCodeMap(o);
    expect(downloads).toBe(2);
  });

  it('a corrupt cache is moved aside and rebuilt', async () => {
    const clock = createFakeClock('2026-11-23 08:00:00');
    await writeFile(join(dir, CORP_CODE_CACHE_FILE), '{"version":1,"fetchedYmd":"20261123","entries":[["bad"');
    const m = await loadCorpCodeMap({ dir, clock, log: silentLogger, download: async () => ENTRIES });
    expect(m.size).toBe(2);
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith(`${CORP_CODE_CACHE_FILE}.corrupt-`))).toHaveLength(1);
    expect(files).toContain(CORP_CODE_CACHE_FILE);
  });

  it('when the download fails: a stale cache is used, no cache at all throws', async () => {
    const clock = createFakeClock('2026-11-23 08:00:00');
    await loadCorpCodeMap({ dir, clock, log: silentLogger, download: async () => ENTRIES });
    await clock.tickAsync(3 * 86_400_000);
    const failing = async (): Promise<CorpCodeEntry[]> => {
      throw new Error('network down');
    };
    const stale = await loadCorpCodeMap({ dir, clock, log: silentLogger, download: failing });
    expect(stale.fetchedYmd).toBe('20261123');
    await rm(join(dir, CORP_CODE_CACHE_FILE));
    await expect(loadCorpCodeMap({ dir, clock, log: silentLogger, download: failing })).rejects.toThrow('network down');
  });
});
