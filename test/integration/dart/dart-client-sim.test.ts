// The OpenDART client against the DART simulator over loopback: success, no data, malformed shape, the 020
// rate limit with a one-minute wait on the fake clock, a bad key, maintenance, a timeout — and that the key
// never shows in an error or a log line.
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, settle } from '../../helpers/fake-clock.js';
import { createRateLimiter } from '../../../src/net/rate-limiter.js';
import { DART_PATHS, DartApi, DartApiError, DartMalformedReplyError, DartNetworkError, DartQuotaExhaustedError, createDartClient } from '../../../src/dart/index.js';
import { buildUniverse } from '../../../src/sim/market/universe.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log/logger.js';
import { silentLogger } from '../../unit/kis-rest/support.js';
import { DART_KEY, SUSPENDED_KEY, startDart, type DartKit } from './dart-kit.js';

let kit: DartKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const calls = (k: DartKit, path: string): number => k.sim.stats.count({ path });

describe('success and no data', () => {
  it('corpCode.xml: the zip parses and every listed filer carries a KIS-universe code and name', async () => {
    kit = await startDart();
    const entries = await settle(kit.clock, kit.api.corpCodes());
    const listed = entries.filter((e) => e.stockCode !== null);
    const kr = buildUniverse().kr.filter((s) => s.kind === 'stock' || s.kind === 'spac');
    expect(listed).toHaveLength(kr.length);
    expect(entries.length - listed.length).toBe(20);
    const samsung = listed.find((e) => e.stockCode === '005930');
    expect(samsung).toMatchObject({ corpName: '삼성전자' });
    expect(samsung?.corpCode).toMatch(/^\d{8}$/);
    expect(new Set(entries.map((e) => e.corpCode)).size).toBe(entries.length);
  });

  it('company.json and fnlttSinglAcnt.json for a listed filer; a report not yet filed is "no data" ([])', async () => {
    kit = await startDart();
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    const company = await settle(kit.clock, kit.api.company(corp));
    expect(company).toMatchObject({ corpCode: corp, corpName: '삼성전자', stockCode: '005930', corpClass: 'Y', fiscalMonth: '12' });
    const annual = await settle(kit.clock, kit.api.keyAccounts(corp, 2025, '11011'));
    expect(annual.length).toBeGreaterThan(0);
    const revenue = annual.find((a) => a.accountName === '매출액' && a.fsDiv === 'CFS');
    expect(revenue?.currentAmount).toBeGreaterThan(0);
    expect(revenue?.beforePreviousAmount).toBeGreaterThan(0);
    // The 2026 annual report is filed in March 2027: today (2026-11-23) DART answers 013.
    await expect(settle(kit.clock, kit.api.keyAccounts(corp, 2026, '11011'))).resolves.toEqual([]);
    expect(kit.sim.stats.count({ path: DART_PATHS.keyAccounts, msgCd: '013' })).toBe(1);
  });

  it('list.json: every page of a day is fetched, in filing order, no duplicates; an empty range is [] (013)', async () => {
    kit = await startDart({ start: '2026-11-23 20:00:00' });
    const all = await settle(kit.clock, kit.api.listDisclosures({ fromYmd: '20261123', toYmd: '20261123', pageSize: 100 }));
    const expected = kit.sim.feed.visible(20261123, 20261123, kit.clock.nowMs());
    expect(all.map((d) => d.receiptNo)).toEqual(expected.map((d) => d.rceptNo));
    expect(all.length).toBeGreaterThan(100); // more than one page
    expect(calls(kit, DART_PATHS.list)).toBe(Math.ceil(all.length / 100));
    await expect(settle(kit.clock, kit.api.listDisclosures({ fromYmd: '20261122', toYmd: '20261122' }))).resolves.toEqual([]); // Sunday
  });

  it('new disclosures appear as (fake) time passes, and an injected one shows up at once', async () => {
    kit = await startDart({ start: '2026-11-23 08:00:00' });
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    const q = { fromYmd: '20261123', toYmd: '20261123' };
    const early = await settle(kit.clock, kit.api.listDisclosures(q));
    await kit.clock.tickAsync(6 * 3_600_000);
    const later = await settle(kit.clock, kit.api.listDisclosures(q));
    expect(later.length).toBeGreaterThan(early.length);
    expect(later.slice(0, early.length).map((d) => d.receiptNo)).toEqual(early.map((d) => d.receiptNo));
    const injected = kit.sim.injectDisclosure({ stockCode: '005930', reportNm: '단일판매ㆍ공급계약체결' });
    const mine = await settle(kit.clock, kit.api.listDisclosures({ ...q, corpCode: corp }));
    expect(mine.map((d) => d.receiptNo)).toContain(injected.rceptNo);
    expect(mine.find((d) => d.receiptNo === injected.rceptNo)).toMatchObject({ stockCode: '005930', corpName: '삼성전자', reportName: '단일판매ㆍ공급계약체결' });
  });
});

describe('failures', () => {
  it('020 from the server: waits one minute on the clock, then succeeds', async () => {
    kit = await startDart({ client: { readTimeoutMs: 600_000 } }); // see the 800 test: no timeout from load
    kit.sim.faults.add({ kind: 'status', status: '020', match: { path: DART_PATHS.company }, count: 1 });
    const retries: number[] = [];
    kit.client.events.on('retry', (e) => retries.push(e.delayMs));
    const corp = kit.sim.universe.byStockCode('000660')!.corpCode;
    const startMs = kit.clock.nowMs();
    const c = await settle(kit.clock, kit.api.company(corp), { stepMs: 1_000 });
    expect(c?.stockCode).toBe('000660');
    expect(retries).toEqual([60_000]);
    expect(kit.clock.nowMs() - startMs).toBeGreaterThanOrEqual(60_000);
    expect(calls(kit, DART_PATHS.company)).toBe(2);
  });

  it('the simulator\'s per-minute window answers 020; a client paced below it never sees one', async () => {
    // Virtual time moves on in 250 ms steps while a loopback request is in flight, so a request reaches the
    // simulator up to a few steps after its grant; a 25 ms window margin (right for real networks) cannot
    // absorb that, a 2 s one can. The claim under test is the pacing, not the margin.
    const clock = createFakeClock('2026-11-23 10:00:00');
    const limiter = createRateLimiter({ clock, windows: { perSecond: 30, perMinute: 30 }, windowSafetyMs: 2_000 });
    kit = await startDart({ clock, sim: { perMinuteLimit: 30 }, client: { limiter, maxRateLimitedRetries: 0, readTimeoutMs: 60_000 } });
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    await settle(kit.clock, Promise.all(Array.from({ length: 45 }, () => kit!.api.company(corp))), { stepMs: 250 });
    expect(kit.sim.stats.count({ path: DART_PATHS.company, msgCd: '020' })).toBe(0);
    expect(kit.sim.stats.count({ path: DART_PATHS.company, msgCd: '000' })).toBe(45);
    // An unpaced burst from a second client on the same key is refused past 30 a minute.
    const rogue = createDartClient({ apiKey: DART_KEY, baseUrl: kit.sim.url, clock: kit.clock, log: silentLogger, perMinute: 1000, perSecond: 1000, maxRateLimitedRetries: 0, readTimeoutMs: 60_000 });
    try {
      kit.sim.resetLimits();
      const rogueApi = new DartApi(rogue);
      const results = await settle(kit.clock, Promise.allSettled(Array.from({ length: 35 }, () => rogueApi.company(corp))), { stepMs: 1 });
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(5);
      expect(refused[0]).toMatchObject({ reason: { code: 'DART_RATE_LIMITED', status: '020' } });
    } finally {
      await rogue.close();
    }
  });

  it('an unknown key is 010 and a suspended one 011: fatal at once, a bad-key event, the key in no message', async () => {
    kit = await startDart();
    const lines: string[] = [];
    const log = await createLogger({ level: 'debug', maxSizeMb: 1, maxFiles: 1, console: 'json', consoleStream: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    for (const [key, status] of [['kisdDartUnknownKey0000000000000000000009', '010'], [SUSPENDED_KEY, '011']] as const) {
      const c = createDartClient({ apiKey: key, baseUrl: kit.sim.url, clock: kit.clock, log: log.logger });
      const badKey: string[] = [];
      c.events.on('bad-key', (e) => badKey.push(e.status));
      try {
        const err = await settle(kit.clock, c.getJson(DART_PATHS.company, { corp_code: '00000001' }, () => ({ ok: true, value: 1 }))).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DartApiError);
        expect(err).toMatchObject({ code: 'DART_BAD_KEY', status, disposition: 'fatal', attempts: 1 });
        expect(String((err as Error).message)).not.toContain(key);
        expect(JSON.stringify(err)).not.toContain(key);
        expect(badKey).toEqual([status]);
      } finally {
        await c.close();
      }
      log.flush();
      const text = lines.join('');
      expect(text).toContain(`"status":"${status}"`); // the refusal was logged …
      expect(text).not.toContain(key); // … without the key
    }
    await log.close();
  });

  it('maintenance (800) waits five minutes, then succeeds; 800 that persists fails retryable', async () => {
    // The fake clock moves 5 s per step while a loopback request is in flight; with the kit's 5 s read
    // timeout one slow turn (CI under load) timed a request out and added an attempt (3 instead of 2).
    // A read timeout longer than the whole wait keeps this test about 800, not about the machine's load.
    kit = await startDart({ client: { readTimeoutMs: 600_000 } });
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    kit.sim.faults.add({ kind: 'status', status: '800', match: { path: DART_PATHS.company }, count: 1 });
    await expect(settle(kit.clock, kit.api.company(corp), { stepMs: 5_000, maxVirtualMs: 20 * 60_000 })).resolves.toMatchObject({ corpCode: corp });
    kit.sim.faults.add({ kind: 'status', status: '800', match: { path: DART_PATHS.company } });
    const err = await settle(kit.clock, kit.api.company(corp), { stepMs: 5_000, maxVirtualMs: 20 * 60_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DART_MAINTENANCE', disposition: 'retryable', attempts: 2 });
  });

  it('a success status with the wrong shape is malformed (retried, then DartMalformedReplyError) — never "no data"', async () => {
    kit = await startDart();
    kit.sim.faults.add({ kind: 'wrongShape', match: { path: DART_PATHS.list } });
    const err = await settle(kit.clock, kit.api.listDisclosures({ fromYmd: '20261123', toYmd: '20261123' }), { stepMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DartMalformedReplyError);
    expect(err).toMatchObject({ code: 'DART_MALFORMED_REPLY', disposition: 'retryable' });
    expect(calls(kit, DART_PATHS.list)).toBe(5); // 1 + maxRetries 4
  });

  it('a cut-off body and a 503 are retried with back-off and then succeed', async () => {
    kit = await startDart();
    kit.sim.faults.add({ kind: 'malformed', match: { path: DART_PATHS.company }, count: 1 });
    kit.sim.faults.add({ kind: 'http503', match: { path: DART_PATHS.company }, count: 1 });
    const delays: number[] = [];
    kit.client.events.on('retry', (e) => delays.push(e.delayMs));
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    await expect(settle(kit.clock, kit.api.company(corp))).resolves.toMatchObject({ corpCode: corp });
    expect(delays).toEqual([1_000, 2_000]);
  });

  it('a hung reply times out on the fake clock (DartNetworkError read-timeout) and the retry succeeds', async () => {
    kit = await startDart();
    kit.sim.faults.add({ kind: 'hang', match: { path: DART_PATHS.company }, count: 1 });
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    const outcomes: string[] = [];
    kit.client.events.on('outcome', (e) => outcomes.push(e.rule));
    await expect(settle(kit.clock, kit.api.company(corp), { stepMs: 100 })).resolves.toMatchObject({ corpCode: corp });
    expect(outcomes).toEqual(['network', 'body-status']);
    kit.sim.faults.add({ kind: 'hang', match: { path: DART_PATHS.company } });
    const err = await settle(kit.clock, kit.api.company(corp), { stepMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DartNetworkError);
    expect(err).toMatchObject({ kind: 'read-timeout', disposition: 'retryable' });
  });

  it('the client\'s daily budget refuses before sending, and refills at midnight KST', async () => {
    kit = await startDart({ start: '2026-11-23 23:59:00', client: { perDay: 2 } });
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    await settle(kit.clock, kit.api.company(corp));
    await settle(kit.clock, kit.api.company(corp));
    const err = await settle(kit.clock, kit.api.company(corp)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DartQuotaExhaustedError);
    expect(calls(kit, DART_PATHS.company)).toBe(2);
    await kit.clock.tickAsync(61_000);
    await expect(settle(kit.clock, kit.api.company(corp))).resolves.toMatchObject({ corpCode: corp });
  });
});

describe('/__sim control routes', () => {
  it('faults, stats and disclosures are driven over HTTP; a bad rule is a 400 naming the field', async () => {
    kit = await startDart();
    const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(new URL(path, kit!.sim.url), { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expect(await post('/__sim/faults', { kind: 'status' })).toMatchObject({ status: 400, json: { error: expect.stringContaining('3-digit') } });
    expect((await post('/__sim/faults', { kind: 'status', status: '900', match: { path: DART_PATHS.company }, count: 1 })).status).toBe(200);
    const corp = kit.sim.universe.byStockCode('005930')!.corpCode;
    await expect(settle(kit.clock, kit.api.company(corp))).resolves.toMatchObject({ corpCode: corp });
    const stats = (await (await fetch(new URL('/__sim/stats', kit.sim.url))).json()) as { byOutcome: Record<string, number> };
    expect(stats.byOutcome).toMatchObject({ 'fault:status': 1, ok: 1 });
    const filed = await post('/__sim/disclosures', { stock_code: '000660', report_nm: '투자판단관련주요경영사항' });
    expect(filed.json['rcept_no']).toMatch(/^\d{8}99\d{4}$/);
    const list = await settle(kit.clock, kit.api.listDisclosures({ corpCode: String(filed.json['corp_code']), fromYmd: '20261123', toYmd: '20261123' }));
    expect(list.map((d) => d.receiptNo)).toContain(filed.json['rcept_no']);
  });
});
