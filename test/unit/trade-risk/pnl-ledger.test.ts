import { describe, expect, it } from 'vitest';
import { estimateKrFees, PositionLedger } from '../../../src/trade/risk/pnl-ledger.js';

describe('PositionLedger', () => {
  it('average cost, realized P&L net of floored fees, one round trip (hand-checked)', () => {
    const l = new PositionLedger();
    l.apply({ symbol: '005930', side: 'buy', qty: 10, price: 10_000, atMs: 1 }); // 100,000 → commission 15
    l.apply({ symbol: '005930', side: 'buy', qty: 10, price: 11_000, atMs: 2 }); // 110,000 → commission 16 (16.5 floored)
    expect(l.position('005930')).toMatchObject({ qty: 20, avgPrice: 10_500 });
    expect(l.unrealizedKrw(() => 10_000)).toBe(-10_000);
    l.apply({ symbol: '005930', side: 'sell', qty: 20, price: 12_000, atMs: 3 }); // 240,000 → 36 + tax 480
    expect(l.feesKrw()).toBe(15 + 16 + 36 + 480);
    expect(l.realizedKrw()).toBe(30_000 - 547);
    expect(l.trades()).toEqual([{ symbol: '005930', entryAtMs: 1, exitAtMs: 3, maxQty: 20, avgEntryPrice: 10_500, avgExitPrice: 12_000, pnlKrw: 29_453 }]);
  });

  it('keeps an open trip open, uses given fees, seeds carried positions and counts oversells', () => {
    const l = new PositionLedger();
    l.seed('000660', 5, 100_000);
    l.apply({ symbol: '000660', side: 'sell', qty: 5, price: 110_000, atMs: 1, feesKrw: 1_000 });
    expect(l.realizedKrw()).toBe(50_000 - 1_000);
    expect(l.trades()).toEqual([]); // a seeded holding opens no trip
    l.apply({ symbol: '035420', side: 'buy', qty: 3, price: 200_000, atMs: 2, feesKrw: 0 });
    l.apply({ symbol: '035420', side: 'sell', qty: 1, price: 210_000, atMs: 3, feesKrw: 0 });
    expect(l.trades()).toEqual([{ symbol: '035420', entryAtMs: 2, maxQty: 3, avgEntryPrice: 200_000, avgExitPrice: 210_000, pnlKrw: 10_000 }]);
    l.apply({ symbol: '035420', side: 'sell', qty: 5, price: 210_000, atMs: 4, feesKrw: 0 });
    expect(l.oversoldQty).toBe(3);
    expect(l.position('035420')?.qty).toBe(0);
  });

  it('estimates fees like the simulator: commission both sides, tax on sells, each floored', () => {
    expect(estimateKrFees('buy', 1_000_000)).toBe(150);
    expect(estimateKrFees('sell', 1_000_000)).toBe(150 + 2_000);
    expect(estimateKrFees('buy', 6_666)).toBe(0);
  });
});
