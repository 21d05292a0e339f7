// The disclosure watch against the DART simulator (fake clock, real client, SQLite store, real alert dispatcher):
// a filing of a held symbol raises one WARNING, of a watched one an INFO, of anything else nothing; the same
// filing never alerts twice — not on the next poll, not after a restart — and the timer polls only in its window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle } from '../../helpers/fake-clock.js';
import { silentLogger } from '../../unit/kis-rest/support.js';
import { createAlertDispatcher } from '../../../src/alerts/index.js';
import type { AlertSink, RenderedAlert } from '../../../src/alerts/types.js';
import { createDartDisclosuresFetcher, createDisclosureWatch, type DisclosureWatch } from '../../../src/collect/index.js';
import { DART_PATHS, loadCorpCodeMap, type CorpCodeMap } from '../../../src/dart/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { startDart, type DartKit } from '../dart/dart-kit.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const HELD = '000660';
const WATCHED = '005930';
const OTHER = '035420';

function watchOn(kit: DartKit, store: Store, dataDir: string, delivered: RenderedAlert[]): DisclosureWatch {
  const sink: AlertSink = { name: 'capture', minLevel: 'INFO', send: async (a) => void delivered.push(a) };
  const alerts = createAlertDispatcher({ clock: kit.clock, logger: silentLogger, sinks: [sink], history: store.alertHistory });
  let memo: Promise<CorpCodeMap> | undefined;
  const corpCodes = (): Promise<CorpCodeMap> => (memo ??= loadCorpCodeMap({ download: (s) => kit.api.corpCodes({ signal: s }), dir: dataDir, clock: kit.clock, log: silentLogger }));
  return createDisclosureWatch({
    fetcher: createDartDisclosuresFetcher({ api: kit.api, corpCodes, clock: kit.clock, logger: silentLogger }),
    save: (rows, nowMs) => store.dart.upsertDisclosures(rows, nowMs),
    symbols: async () => ({ watched: [WATCHED], held: [HELD] }),
    alerts,
    clock: kit.clock,
    logger: silentLogger,
    intervalMs: 10 * 60_000,
    from: '07:00',
    until: '19:00',
  });
}

async function setup(start: string): Promise<{ kit: DartKit; store: Store; dataDir: string }> {
  const kit = await startDart({ start });
  cleanups.push(() => kit.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'kisd-dart-watch-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = openStore({ dataDir });
  cleanups.push(() => store.close());
  return { kit, store, dataDir };
}

describe('disclosure watch', () => {
  it('alerts once per new disclosure of a held (WARNING) or watched (INFO) symbol, stores it, and stays quiet after a restart', async () => {
    const { kit, store, dataDir } = await setup('2026-11-23 10:00:00');
    const delivered: RenderedAlert[] = [];
    const watch = watchOn(kit, store, dataDir, delivered);
    const first = await settle(kit.clock, watch.pollOnce());
    expect(first).toMatchObject({ ran: true, symbols: 2, failed: 0 });
    const before = delivered.length; // what the two had filed earlier today (new to kisd: alerted once each)
    expect(before).toBe(first.fresh);

    const held = kit.sim.injectDisclosure({ stockCode: HELD, reportNm: '주요사항보고서(유상증자결정)', kind: 'B' });
    const watched = kit.sim.injectDisclosure({ stockCode: WATCHED, reportNm: '단일판매ㆍ공급계약체결', kind: 'I' });
    const other = kit.sim.injectDisclosure({ stockCode: OTHER, reportNm: '현금ㆍ현물배당결정', kind: 'I' });
    await kit.clock.tickAsync(1_000);
    const second = await settle(kit.clock, watch.pollOnce());
    expect(second.fresh).toBe(2);
    const fresh = delivered.slice(before);
    expect(fresh).toHaveLength(2);
    expect(fresh.map((a) => [a.level, a.key])).toEqual(expect.arrayContaining([['WARNING', `dart-disclosure:${held.rceptNo}`], ['INFO', `dart-disclosure:${watched.rceptNo}`]]));
    expect(fresh.find((a) => a.level === 'WARNING')?.title).toContain('유상증자결정');
    expect(store.dart.disclosuresFor(HELD).map((d) => d.receiptNo)).toContain(held.rceptNo);
    expect(store.dart.disclosuresFor(WATCHED).map((d) => d.receiptNo)).toContain(watched.rceptNo);
    expect(store.dart.disclosuresFor(OTHER).map((d) => d.receiptNo)).not.toContain(other.rceptNo); // not asked for

    await settle(kit.clock, watch.pollOnce());
    const restarted = watchOn(kit, store, dataDir, delivered); // a new process on the same database
    const again = await settle(kit.clock, restarted.pollOnce());
    expect(again).toMatchObject({ ran: true, fresh: 0 });
    expect(delivered).toHaveLength(before + 2);
  });

  it('the timer polls every interval inside its window only', async () => {
    const { kit, store, dataDir } = await setup('2026-11-23 18:35:00');
    const watch = watchOn(kit, store, dataDir, []);
    watch.start();
    cleanups.push(() => watch.stop());
    const lists = (): number => kit.sim.stats.count({ path: DART_PATHS.list });
    // The poll's requests go over loopback (real I/O): wait for them, not for the fake clock.
    await kit.clock.tickAsync(10 * 60_000 + 1_000); // 18:45: one poll, two symbols
    await vi.waitFor(() => expect(lists()).toBe(2), { timeout: 10_000 });
    await kit.clock.tickAsync(10 * 60_000); // 18:55
    await vi.waitFor(() => expect(lists()).toBe(4), { timeout: 10_000 });
    // 19:05, 19:15, 19:25 are outside the window: the poll returns before any request is made.
    await kit.clock.tickAsync(30 * 60_000);
    expect(await watch.pollOnce()).toMatchObject({ ran: false });
    expect(lists()).toBe(4);
  });
});
