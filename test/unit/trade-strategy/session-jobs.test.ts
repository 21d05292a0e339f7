import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/types.js';
import { kstInstant } from '../../../src/core/kst.js';
import { writeBatchFile } from '../../../src/store/batch-files.js';
import type { PhaseContext } from '../../../src/core/phases.js';
import { createMarketCloseJob, createTradingSessionJob, intradayFlattenPlan } from '../../../src/trade/session/index.js';
import { positionsSnapshotPath, positionsSnapshotSchema } from '../../../src/store/positions-snapshot.js';
import { defaultStrategyRegistry, OPENING_RANGE_BREAKOUT, type StrategyRunner } from '../../../src/trade/strategy/index.js';
import { krTick, makeRig } from './support.js';

function phaseCtx(rig: { log: PhaseContext['logger'] }, phase: PhaseContext['phase'], signal = new AbortController().signal, endsAtEpochMs?: number): PhaseContext {
  return { phase, ymd: '20261123', trigger: 'manual', attempt: 1, signal, logger: rig.log, ...(endsAtEpochMs !== undefined ? { endsAtEpochMs } : {}) };
}

describe('trading session job', () => {
  it('points the feed at today\'s batches, runs the strategies until the phase signal aborts, then stops them', async () => {
    const rig = await makeRig('2026-11-23 08:59:00');
    await writeBatchFile(rig.stateDir, '20261123', 0, ['005930', '000660'], rig.clock.nowMs());
    const watch: string[][] = [];
    let live: StrategyRunner | undefined;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const job = createTradingSessionJob({
      dataDir: rig.stateDir, stateDir: rig.stateDir, clock: rig.clock, bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk,
      registry: defaultStrategyRegistry(), strategies: [{ kind: OPENING_RANGE_BREAKOUT, name: 'orb', params: { rangeMinutes: 5 } }],
      feed: { setWatchlist: (_m, codes) => void watch.push([...codes]) }, onRunner: (r) => {
        live = r;
        if (r) started();
      },
    });
    const end = new AbortController();
    const done = job.run(phaseCtx(rig, 'trading', end.signal, kstInstant('2026-11-23 15:30')));
    await running;
    expect(watch).toEqual([['005930', '000660']]);
    expect(live).toBeDefined();
    rig.bus.publish(krTick('005930', 100, rig.clock.nowMs()));
    await rig.bus.idle();
    end.abort();
    const detail = await done;
    expect(detail).toMatchObject({ symbols: 2, strategies: ['orb'], mode: 'live', ticks: 1 });
    expect(live).toBeUndefined();
  });

  it('returns at once when selection left nothing to trade', async () => {
    const rig = await makeRig('2026-11-23 09:00:00');
    const job = createTradingSessionJob({ dataDir: rig.stateDir, stateDir: rig.stateDir, clock: rig.clock, bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, registry: defaultStrategyRegistry(), strategies: [] });
    expect(await job.run(phaseCtx(rig, 'trading'))).toEqual({ symbols: 0, strategies: 0 });
  });

  it('fails (so it is not recorded done) when batch files exist but none is valid for today: selection must run again', async () => {
    const rig = await makeRig('2026-11-23 09:00:00');
    await writeBatchFile(rig.stateDir, '20261120', 0, ['005930'], kstInstant('2026-11-20 07:00')); // Friday's, not today's
    const job = createTradingSessionJob({ dataDir: rig.stateDir, stateDir: rig.stateDir, clock: rig.clock, bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk, registry: defaultStrategyRegistry(), strategies: [] });
    await expect(job.run(phaseCtx(rig, 'trading'))).rejects.toMatchObject({ code: 'KISD_SESSION_NO_VALID_BATCH' });
  });
});

describe('market close job', () => {
  it('cancels unfilled orders, flattens only intraday positions, snapshots positions', async () => {
    const rig = await makeRig('2026-11-23 10:00:00');
    rig.om.setPosition('000660', 7, 150_000); // carried from before: not intraday (avg becomes 153,000 after +3 @ 160,000)
    rig.px.set('005930', 50_000);
    rig.px.set('000660', 160_000);
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '000660', side: 'buy', qty: 3, type: 'market', tag: 'intraday' });
    rig.om.autoFill = false;
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '035420', side: 'buy', qty: 1, type: 'limit', price: 1, tag: 'intraday' });
    expect(intradayFlattenPlan(rig.om, 'intraday')).toEqual(new Map([['000660', 3], ['005930', 10]]));
    rig.om.autoFill = true;
    rig.clock.setSystemTime(kstInstant('2026-11-23 15:20:00')); // inside the regular session: market sells are possible
    const alerts: Alert[] = [];
    const job = createMarketCloseJob({ dataDir: rig.stateDir, clock: rig.clock, orders: rig.om, mark: (s) => rig.px.get(s), risk: rig.risk, alerts: { send: async (a) => void alerts.push(a) } });
    const detail = await job.run(phaseCtx(rig, 'market-close'));
    expect(detail).toMatchObject({ cancelled: 1, flattened: 2, flattenProblems: 0, openOrders: 0 });
    expect(rig.om.submitted.slice(3)).toEqual([
      { strategy: 'market-close', market: 'KR', symbol: '000660', side: 'sell', qty: 3, type: 'market', tag: 'close-out' },
      { strategy: 'market-close', market: 'KR', symbol: '005930', side: 'sell', qty: 10, type: 'market', tag: 'close-out' },
    ]);
    const snap = positionsSnapshotSchema.parse(JSON.parse(await readFile(positionsSnapshotPath(rig.stateDir, '20261123'), 'utf8')));
    expect(snap.positions).toEqual([{ market: 'KR', symbol: '000660', qty: 7, avgPrice: 153_000, markPrice: 160_000, unrealizedPnl: 49_000 }]);
    expect(positionsSnapshotPath('/d', '20261123')).toBe(join('/d', 'reports', 'positions_20261123.json'));
    expect(alerts).toEqual([]);
  });

  it('run twice (crash while it waited, restart recovery) it never sells the pre-existing holding', async () => {
    const rig = await makeRig('2026-11-23 10:00:00');
    rig.om.setPosition('005930', 500, 40_000); // long-term, not intraday
    rig.px.set('005930', 50_000);
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    const job = createMarketCloseJob({ dataDir: rig.stateDir, clock: rig.clock, orders: rig.om, mark: (s) => rig.px.get(s), risk: rig.risk });
    expect(await job.run(phaseCtx(rig, 'market-close'))).toMatchObject({ flattened: 1 });
    expect(await job.run(phaseCtx(rig, 'market-close'))).toMatchObject({ flattened: 0 });
    expect(rig.om.submitted.filter((o) => o.side === 'sell').map((o) => o.qty)).toEqual([10]);
    expect(rig.om.positions()[0]?.qty).toBe(500);
  });

  it('the flatten plan counts every sell of the day in those symbols, open ones included', async () => {
    const rig = await makeRig('2026-11-23 10:00:00');
    rig.om.setPosition('005930', 500, 40_000);
    rig.px.set('005930', 50_000);
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    await rig.om.submit({ strategy: 'market-close', market: 'KR', symbol: '005930', side: 'sell', qty: 3, type: 'market', tag: 'close-out' });
    rig.om.autoFill = false;
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'sell', qty: 4, type: 'market', tag: 'intraday' });
    rig.om.orders[2]!.state = 'unknown'; // outcome lost: may still fill, so it counts in full
    expect(intradayFlattenPlan(rig.om, 'intraday')).toEqual(new Map([['005930', 3]]));
  });

  it('after the regular session (16:00) it sends no sell: it reports what intraday quantity is held overnight', async () => {
    const rig = await makeRig('2026-11-23 10:00:00');
    rig.px.set('005930', 50_000);
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    rig.clock.setSystemTime(kstInstant('2026-11-23 16:00:00'));
    const alerts: Alert[] = [];
    const job = createMarketCloseJob({ dataDir: rig.stateDir, clock: rig.clock, orders: rig.om, mark: (s) => rig.px.get(s), risk: rig.risk, alerts: { send: async (a) => void alerts.push(a) } });
    expect(await job.run(phaseCtx(rig, 'market-close'))).toMatchObject({ flattened: 1, flattenProblems: 1 });
    expect(rig.om.submitted).toHaveLength(1);
    const snap = positionsSnapshotSchema.parse(JSON.parse(await readFile(positionsSnapshotPath(rig.stateDir, '20261123'), 'utf8')));
    expect(snap.flatten).toEqual([{ symbol: '005930', qty: 10, result: expect.stringMatching(/^not sent: the regular session ended at 15:30/) }]);
    expect(alerts[0]).toMatchObject({ level: 'ERROR', symbols: ['005930'] });
  });

  it('raises an ERROR alert when a flatten is refused by the broker', async () => {
    const rig = await makeRig('2026-11-23 10:00:00');
    rig.px.set('005930', 50_000);
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    rig.om.rejectNext = true;
    const alerts: Alert[] = [];
    const job = createMarketCloseJob({ dataDir: rig.stateDir, clock: rig.clock, orders: rig.om, mark: (s) => rig.px.get(s), alerts: { send: async (a) => void alerts.push(a) } });
    expect(await job.run(phaseCtx(rig, 'market-close'))).toMatchObject({ flattenProblems: 1 });
    expect(alerts[0]).toMatchObject({ level: 'ERROR', symbols: ['005930'] });
  });
});
