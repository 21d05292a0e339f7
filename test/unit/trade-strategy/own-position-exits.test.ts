// Exits only ever sell what the strategy itself bought today, and getting flat keeps working while
// reconciliation holds entries (review findings 1–3).
import { afterEach, describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { MemoryStrategyState } from '../../../src/trade/strategy/state-store.js';
import { createOpeningRangeBreakout, createStrategyContext, StrategyRunner } from '../../../src/trade/strategy/index.js';
import { makeRig, type Rig } from './support.js';

const PARAMS = { rangeMinutes: 5, stopLossPct: 1, takeProfitPct: 2, lastEntryAt: '09:20', exitAt: '09:30', orderValueKrw: 1_000_000, entryTimeoutSec: 30, exitTimeoutSec: 20 };

let runner: StrategyRunner | undefined;
afterEach(async () => {
  await runner?.stop(1000);
  runner = undefined;
});

async function start(rig: Rig): Promise<void> {
  runner = new StrategyRunner({
    strategies: [createOpeningRangeBreakout(PARAMS, 'orb')], bus: rig.bus, quotes: rig.quotes, orders: rig.om, risk: rig.risk,
    clock: rig.clock, logger: rig.log, symbols: ['005930'], stateDir: rig.stateDir,
  });
  await runner.start();
}

/** Range 09:00–09:05 (high 50,500), then an entry of 19 @ 50,600 (filled). */
async function enter(rig: Rig): Promise<void> {
  await rig.tick('005930', 50_000, '2026-11-23 09:00:10');
  await rig.tick('005930', 50_500, '2026-11-23 09:02:00');
  await rig.tick('005930', 49_800, '2026-11-23 09:04:00');
  await rig.tick('005930', 50_600, '2026-11-23 09:07:00', { ask: 50_600 });
  await runner!.idle();
  expect(rig.om.submitted[0]).toMatchObject({ side: 'buy', qty: 19, price: 50_600 });
}

function ctxOf(rig: Rig, name = 'orb') {
  return createStrategyContext({ name, mode: 'live', clock: rig.clock, log: rig.log, quotes: rig.quotes, symbols: ['005930'], sessionEndsAtMs: undefined, state: new MemoryStrategyState(), orders: rig.om, risk: rig.risk });
}

describe('strategy context: own position and exits while trading is held', () => {
  it('position() is this strategy\'s own net quantity today; accountPosition() is the whole account', async () => {
    const rig = await makeRig('2026-11-23 09:10:00');
    rig.om.setPosition('005930', 500, 40_000); // operator's long-term holding
    rig.px.set('005930', 50_000);
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    await rig.om.submit({ strategy: 'other', market: 'KR', symbol: '005930', side: 'buy', qty: 5, type: 'market' });
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'sell', qty: 4, type: 'market' });
    const ctx = ctxOf(rig);
    expect(ctx.position('005930')).toEqual({ qty: 6, avgPrice: 50_000 });
    expect(ctx.accountPosition('005930').qty).toBe(511);
    expect(ctxOf(rig, 'nobody').position('005930')).toEqual({ qty: 0, avgPrice: 0 });
  });

  it('while reconciliation holds trading, entries are refused but a sell of its own quantity goes through', async () => {
    const rig = await makeRig('2026-11-23 09:10:00');
    rig.om.setPosition('005930', 500, 40_000);
    rig.px.set('005930', 50_000);
    await rig.tick('005930', 50_000, '2026-11-23 09:10:00');
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market', tag: 'intraday' });
    rig.om.tradingAllowed = false;
    const ctx = ctxOf(rig);
    const b = await ctx.placeOrder({ symbol: '005930', side: 'buy', qty: 1, type: 'market' });
    expect(b).toMatchObject({ status: 'refused', rejection: { code: 'trading-halted' } });
    const tooMany = await ctx.placeOrder({ symbol: '005930', side: 'sell', qty: 11, type: 'market' }); // 500 more are held, not ours
    expect(tooMany).toMatchObject({ status: 'refused', rejection: { code: 'oversell' } });
    const s = await ctx.placeOrder({ symbol: '005930', side: 'sell', qty: 10, type: 'market' });
    expect(s.status).toBe('sent');
    expect(rig.om.positions()[0]?.qty).toBe(500);
  });

  it('a sell is bounded by its own quantity minus its own open sells even while trading is allowed', async () => {
    const rig = await makeRig('2026-11-23 09:10:00');
    rig.om.setPosition('005930', 500, 40_000);
    rig.px.set('005930', 50_000);
    await rig.tick('005930', 50_000, '2026-11-23 09:10:00');
    await rig.om.submit({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'market' });
    rig.om.autoFill = false;
    const ctx = ctxOf(rig);
    expect((await ctx.placeOrder({ symbol: '005930', side: 'sell', qty: 6, type: 'limit', price: 60_000 })).status).toBe('sent');
    expect(await ctx.placeOrder({ symbol: '005930', side: 'sell', qty: 5, type: 'market' })).toMatchObject({ status: 'refused', rejection: { code: 'oversell' } });
    expect((await ctx.placeOrder({ symbol: '005930', side: 'sell', qty: 4, type: 'market' })).status).toBe('sent');
  });
});

describe('opening-range breakout exits', () => {
  it('a resting take-profit sell does not block the stop-loss: it is cancelled, then a market sell', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig);
    await enter(rig);
    rig.om.autoFill = false; // the take-profit limit rests
    await rig.tick('005930', 51_700, '2026-11-23 09:08:00', { bid: 51_650 });
    expect(rig.om.submitted[1]).toMatchObject({ side: 'sell', type: 'limit', price: 51_650, qty: 19 });
    rig.om.autoFill = true;
    await rig.tick('005930', 50_000, '2026-11-23 09:08:02'); // ≤ 50,600 × 0.99: stop
    expect(rig.om.orders[1]?.state).toBe('cancelled');
    expect(rig.om.submitted[2]).toEqual({ strategy: 'orb', market: 'KR', symbol: '005930', side: 'sell', qty: 19, type: 'market', tag: 'intraday' });
    expect(rig.om.positions()).toEqual([]);
  });

  it('a resting take-profit sell does not block the time exit', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig);
    await enter(rig);
    rig.om.autoFill = false;
    await rig.tick('005930', 51_700, '2026-11-23 09:29:50', { bid: 51_650 });
    expect(rig.om.submitted[1]).toMatchObject({ side: 'sell', type: 'limit' });
    rig.om.autoFill = true;
    await rig.clock.tickAsync(kstInstant('2026-11-23 09:30:00') - rig.clock.nowMs());
    await runner!.idle();
    expect(rig.om.orders[1]?.state).toBe('cancelled');
    expect(rig.om.submitted[2]).toMatchObject({ side: 'sell', type: 'market', qty: 19 });
    expect(rig.om.positions()).toEqual([]);
  });

  it('a take-profit sell that does not fill within exitTimeoutSec is cancelled', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    await start(rig);
    await enter(rig);
    rig.om.autoFill = false;
    await rig.tick('005930', 51_700, '2026-11-23 09:08:00', { bid: 51_650 });
    await rig.clock.tickAsync(19_000);
    await runner!.idle();
    expect(rig.om.orders[1]?.state).toBe('acknowledged');
    await rig.clock.tickAsync(2_000);
    await runner!.idle();
    expect(rig.om.orders[1]?.state).toBe('cancelled');
  });

  it('never sells the operator\'s holdings: stop-loss and time exit sell only what it bought', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    rig.om.setPosition('005930', 100, 40_000); // operator's holding
    await start(rig);
    await enter(rig);
    await rig.tick('005930', 50_000, '2026-11-23 09:08:00'); // stop on its own cost (50,600), not the account's (~42,017)
    expect(rig.om.submitted[1]).toMatchObject({ side: 'sell', type: 'market', qty: 19 });
    expect(rig.om.positions()[0]?.qty).toBe(100);
    await rig.clock.tickAsync(kstInstant('2026-11-23 09:31:00') - rig.clock.nowMs());
    await runner!.idle();
    expect(rig.om.submitted).toHaveLength(2);
    expect(rig.om.positions()[0]?.qty).toBe(100);
  });

  it('the time exit sells only its own quantity next to a long-term holding', async () => {
    const rig = await makeRig('2026-11-23 08:59:50');
    rig.om.setPosition('005930', 100, 40_000); // operator's holding
    await start(rig);
    await enter(rig);
    await rig.clock.tickAsync(kstInstant('2026-11-23 09:31:00') - rig.clock.nowMs());
    await runner!.idle();
    expect(rig.om.submitted.slice(1)).toEqual([{ strategy: 'orb', market: 'KR', symbol: '005930', side: 'sell', qty: 19, type: 'market', tag: 'intraday' }]);
    expect(rig.om.positions()[0]?.qty).toBe(100);
  });

  it('rejects an exitAt at or after the end of the regular session (15:30)', () => {
    expect(() => createOpeningRangeBreakout({ exitAt: '15:30' })).toThrow(/exitAt/);
    expect(() => createOpeningRangeBreakout({ exitAt: '15:29' })).not.toThrow();
  });
});
