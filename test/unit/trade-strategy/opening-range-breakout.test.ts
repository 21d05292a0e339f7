import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { kstInstant } from '../../../src/core/kst.js';
import { createOpeningRangeBreakout, defaultStrategyRegistry, OPENING_RANGE_BREAKOUT, StrategyRunner, strategyStatePath } from '../../../src/trade/strategy/index.js';
import { makeRig, type Rig } from './support.js';

const PARAMS = { rangeMinutes: 5, stopLossPct: 1, takeProfitPct: 2, lastEntryAt: '09:20', exitAt: '09:30', orderValueKrw: 1_000_000, entryTimeoutSec: 30 };

let runner: StrategyRunner | undefined;
afterEach(async () => {
  await runner?.stop(1000);
  runner = undefined;
});

async function start(rig: Rig, mode: 'live' | 'dry-run' = 'live', params: Record<string, unknown> = PARAMS): Promise<StrategyRunner> {
  runner = new StrategyRunner({
    strategies: [createOpeningRangeBreakout(params, 'orb')], bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk,
    clock: rig.clock, logger: rig.log, symbols: ['005930'], mode, stateDir: rig.stateDir,
  });
  await runner.start();
  return runner;
}

/** Range 09:00–09:05: high 50,500, low 49,800. */
async function formRange(rig: Rig): Promise<void> {
  await rig.tick('005930', 50_000, '2026-11-23 09:00:10');
  await rig.tick('005930', 50_500, '2026-11-23 09:02:00');
  await rig.tick('005930', 49_800, '2026-11-23 09:04:00');
  await rig.clock.tickAsync(kstInstant('2026-11-23 09:05:01') - rig.clock.nowMs());
  await runner!.idle();
}

describe('opening-range breakout', () => {
  it('buys the first break above the range at the ask, once a day, and stops out with a market sell', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig);
    await rig.tick('005930', 51_000, '2026-11-23 08:59:55'); // before the open: ignored
    await formRange(rig);
    await rig.tick('005930', 50_400, '2026-11-23 09:06:00');
    expect(rig.om.submitted).toHaveLength(0);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:00', { ask: 50_700 });
    expect(rig.om.submitted).toEqual([{ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 19, type: 'limit', price: 50_700, tag: 'intraday' }]);
    expect(rig.om.positions()[0]).toMatchObject({ qty: 19, avgPrice: 50_700 });
    await rig.tick('005930', 50_800, '2026-11-23 09:08:00');
    expect(rig.om.submitted).toHaveLength(1);
    await rig.tick('005930', 50_190, '2026-11-23 09:09:00'); // ≤ 50,700 × 0.99 = 50,193
    expect(rig.om.submitted[1]).toEqual({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'sell', qty: 19, type: 'market', tag: 'intraday' });
    expect(rig.om.positions()).toEqual([]);
    await rig.tick('005930', 51_500, '2026-11-23 09:10:00'); // another breakout: max one entry per symbol per day
    expect(rig.om.submitted).toHaveLength(2);
    const saved = JSON.parse(await readFile(strategyStatePath(rig.stateDir, 'orb'), 'utf8')) as { value: { entered: string[]; ranges: Record<string, unknown> } };
    expect(saved.value).toEqual({ ymd: '20261123', ranges: { '005930': { high: 50_500, low: 49_800 } }, entered: ['005930'] });
    expect(runner!.stats()).toMatchObject({ fills: 2, orders: { sent: 2, refused: 0 } });
  });

  it('takes profit with a limit at the bid and flattens what is left at exitAt', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig);
    await formRange(rig);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:00', { ask: 50_600 });
    await rig.tick('005930', 51_700, '2026-11-23 09:08:00', { bid: 51_650 }); // ≥ 50,600 × 1.02 = 51,612
    expect(rig.om.submitted[1]).toMatchObject({ side: 'sell', type: 'limit', price: 51_650, qty: 19 });

    const rig2 = await makeRig('2026-11-23 08:59:50');
    await runner!.stop(1000);
    await start(rig2);
    await formRange(rig2);
    await rig2.tick('005930', 50_600, '2026-11-23 09:07:00', { ask: 50_600 });
    rig2.px.set('005930', 50_650);
    await rig2.clock.tickAsync(kstInstant('2026-11-23 09:30:00') - rig2.clock.nowMs());
    await runner!.idle();
    expect(rig2.om.submitted[1]).toMatchObject({ side: 'sell', type: 'market', qty: 19 });
    expect(rig2.lines.some((l) => l.includes('exit (time exit before the close)'))).toBe(true);
  });

  it('cancels an entry that does not fill within entryTimeoutSec', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    rig.om.autoFill = false;
    await start(rig);
    await formRange(rig);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:00');
    expect(rig.om.openOrders()).toHaveLength(1);
    await rig.clock.tickAsync(31_000);
    await runner!.idle();
    expect(rig.om.openOrders()).toHaveLength(0);
    expect(rig.om.orders[0]?.state).toBe('cancelled');
  });

  it('dry-run logs the decision and sends nothing', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig, 'dry-run');
    await formRange(rig);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:00', { ask: 50_700 });
    expect(rig.om.submitted).toEqual([]);
    expect(rig.lines.some((l) => l.includes('dry-run: would buy 19 005930 (limit @ 50700); nothing sent'))).toBe(true);
    expect(runner!.stats().orders).toMatchObject({ dryRun: 1, sent: 0 });
  });

  it('remembers the day\'s entries and ranges across a restart', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig);
    await formRange(rig);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:00');
    await rig.tick('005930', 50_190, '2026-11-23 09:09:00'); // stopped out
    await runner!.stop(1000);
    await start(rig); // a new strategy instance reading the same state dir
    await rig.tick('005930', 51_000, '2026-11-23 09:12:00');
    expect(rig.om.submitted).toHaveLength(2);
  });

  it('a tripped kill switch refuses the entry; nothing is sent; after a reset it may enter again (not before 30 s)', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await rig.killSwitch.trip('test');
    await start(rig);
    await formRange(rig);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:00');
    await rig.tick('005930', 50_600, '2026-11-23 09:07:10');
    expect(rig.om.submitted).toEqual([]);
    expect(runner!.stats().orders.refused).toBe(1); // the second tick waits out the retry delay
    expect(rig.lines.some((l) => l.includes('entry refused'))).toBe(true);
    await rig.killSwitch.reset('test');
    await rig.tick('005930', 50_600, '2026-11-23 09:07:29');
    expect(rig.om.submitted).toEqual([]);
    await rig.tick('005930', 50_600, '2026-11-23 09:07:30');
    expect(rig.om.submitted).toHaveLength(1);
  });

  it('validates its parameters and is loaded by name from the registry', () => {
    const reg = defaultStrategyRegistry();
    expect(reg.kinds()).toEqual([OPENING_RANGE_BREAKOUT]);
    expect(reg.create({ kind: OPENING_RANGE_BREAKOUT, name: 'orb-a', params: PARAMS }).name).toBe('orb-a');
    expect(() => reg.create({ kind: 'nope' })).toThrow(/unknown strategy "nope"; known: opening-range-breakout/);
    expect(() => reg.create({ kind: OPENING_RANGE_BREAKOUT, params: { stopLos: 1 } })).toThrow(ConfigError);
    expect(() => reg.create({ kind: OPENING_RANGE_BREAKOUT, params: { exitAt: '09:10' } })).toThrow(/openAt \+ rangeMinutes < lastEntryAt <= exitAt/);
    expect(() => reg.createAll([{ kind: OPENING_RANGE_BREAKOUT }, { kind: OPENING_RANGE_BREAKOUT }])).toThrow(/used twice/);
  });
});
