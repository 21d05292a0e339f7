import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.js';
import { RISK_FREE_RATE, TRADING_DAYS_PER_YEAR } from '../../../src/core/constants.js';
import { kstInstant } from '../../../src/core/kst.js';
import { computeDailyReport, createDailyReportJob, dailyReportPaths, equityCurveSvg, escapeHtml, maxDrawdown, renderDailyReportHtml, sharpeRatio, winRate } from '../../../src/trade/report/index.js';
import { positionsSnapshotPath } from '../../../src/store/positions-snapshot.js';
import { FakeOrderManager } from '../trade-strategy/fake-order-manager.js';
import { createFakeClock } from '../../helpers/fake-clock.js';

const log = pino({ level: 'silent' });

describe('performance metrics', () => {
  it('max drawdown is the largest peak-to-trough fall (hand-checked)', () => {
    const curve = [100, 110, 88, 120, 100].map((equityKrw, i) => ({ atMs: i, equityKrw }));
    expect(maxDrawdown(curve)).toEqual({ maxDrawdownKrw: 22, maxDrawdownPct: 0.2, peakAtMs: 1, troughAtMs: 2 });
    expect(maxDrawdown([{ atMs: 0, equityKrw: 1 }, { atMs: 1, equityKrw: 2 }]).maxDrawdownKrw).toBe(0);
  });

  it('win rate counts trades with a positive net P&L', () => {
    expect(winRate([10, -5, 0, 3])).toEqual({ wins: 2, losses: 2, winRate: 0.5 });
    expect(winRate([]).winRate).toBeNull();
  });

  it('Sharpe: mean excess daily return over the sample stdev, times sqrt(252), rf = RISK_FREE_RATE', () => {
    expect(RISK_FREE_RATE).toBe(0.02);
    expect(TRADING_DAYS_PER_YEAR).toBe(252);
    // returns 1 %, -0.5 %, 2 %: mean 0.0083333, sample stdev 0.0125831, rf/day 0.02/252 = 0.0000794
    // (0.0083333 - 0.0000794) / 0.0125831 * sqrt(252) = 10.41302
    const s = sharpeRatio([0.01, -0.005, 0.02]);
    expect(s.value).toBeCloseTo(10.41302, 4);
    expect(s.dailyVolatility).toBeCloseTo(0.0125831, 6);
    expect(sharpeRatio([0.01]).value).toBeNull();
    expect(sharpeRatio([0.01, 0.01]).value).toBeNull(); // no volatility
  });
});

const T = (hms: string) => kstInstant(`2026-11-23 ${hms}`);
const FILLS = [
  { symbol: 'AAA001', side: 'buy' as const, qty: 100, price: 10_000, atMs: T('09:10:00') }, // fee 150
  { symbol: 'AAA001', side: 'sell' as const, qty: 100, price: 10_500, atMs: T('10:00:00') }, // fee 157 + tax 2,100
  { symbol: 'BBB001', side: 'buy' as const, qty: 50, price: 20_000, atMs: T('11:00:00') }, // fee 150
];

describe('daily report', () => {
  it('computes P&L, trades, win rate, drawdown and Sharpe from fills and closing marks (hand-checked)', () => {
    const r = computeDailyReport({ ymd: '20261123', capitalKrw: 10_000_000, fills: FILLS, closeMarks: { BBB001: 19_000 }, closeAtMs: T('15:30:00'), previousDailyReturns: [0.001] }, T('17:00:00'));
    // AAA001: 50,000 gross − 150 − 2,257 = 47,593; BBB001 buy fee −150 → realized 47,443; BBB001 at 19,000 → −50,000
    expect(r).toMatchObject({ realizedPnlKrw: 47_443, unrealizedPnlKrw: -50_000, totalPnlKrw: -2_557, feesKrw: 2_557, closedTrades: 1, wins: 1, losses: 0, winRate: 1, fills: 3 });
    expect(r.dailyReturn).toBeCloseTo(-0.0002557, 10);
    expect(r.equityCurve.map((p) => p.equityKrw)).toEqual([10_000_000, 9_999_850, 10_047_593, 10_047_443, 9_997_443]);
    expect(r.drawdown).toMatchObject({ maxDrawdownKrw: 50_150, peakAtMs: T('10:00:00'), troughAtMs: T('15:30:00') });
    expect(r.sharpe.value).toBeCloseTo(5.23453, 4);
    expect(r.trades.map((t) => [t.symbol, t.pnlKrw, t.open])).toEqual([['AAA001', 47_593, false], ['BBB001', -150, true]]);
    expect(r.openPositions).toEqual([{ symbol: 'BBB001', qty: 50, avgPrice: 20_000, markPrice: 19_000, unrealizedPnlKrw: -50_000 }]);
    const html = renderDailyReportHtml(r);
    expect(html).toContain('<svg');
    expect(html).toContain('<polyline');
    expect(html).toContain('-2,557 KRW');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('escapes text and draws a flat curve without dividing by zero', () => {
    expect(escapeHtml('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    expect(equityCurveSvg([{ atMs: 1, equityKrw: 5 }])).not.toContain('NaN');
  });

  it('the job reads the journal and the positions file, writes JSON + HTML and sends an INFO digest', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kisd-report-'));
    const clock = createFakeClock('2026-11-23 09:10:00');
    const om = new FakeOrderManager(() => clock.nowMs());
    om.autoFill = false;
    for (const f of FILLS) {
      clock.setSystemTime(f.atMs);
      const o = await om.submit({ strategy: 'orb', market: 'KR', symbol: f.symbol, side: f.side, qty: f.qty, type: 'limit', price: f.price, tag: 'intraday' });
      om.fill(o.clientOrderId, f.qty, f.price);
    }
    await mkdir(join(dataDir, 'reports'), { recursive: true });
    await writeFile(join(dataDir, 'reports', 'daily_20261120.json'), JSON.stringify({ date: '20261120', dailyReturn: 0.001 }));
    await writeFile(positionsSnapshotPath(dataDir, '20261123'), JSON.stringify({ date: '20261123', created_at: 'x', positions: [{ market: 'KR', symbol: 'BBB001', qty: 50, avgPrice: 20_000, markPrice: 19_000, unrealizedPnl: -50_000 }], openOrders: [], cancelled: 0, flatten: [] }));
    clock.setSystemTime(T('17:00:00'));
    const alerts: Alert[] = [];
    const job = createDailyReportJob({ dataDir, clock, orders: om, capitalKrw: 10_000_000, alerts: { send: async (a) => void alerts.push(a) } });
    const detail = await job.run({ phase: 'daily-report', ymd: '20261123', trigger: 'manual', attempt: 1, signal: new AbortController().signal, logger: log });
    expect(detail).toEqual({ totalPnlKrw: -2_557, orders: 3, fills: 3, closedTrades: 1 });
    const paths = dailyReportPaths(dataDir, '20261123');
    const json = JSON.parse(await readFile(paths.json, 'utf8')) as { realizedPnlKrw: number; sharpe: { value: number; days: number }; orders: { byStrategy: Record<string, number> } };
    expect(json.realizedPnlKrw).toBe(47_443);
    expect(json.sharpe.days).toBe(2);
    expect(json.sharpe.value).toBeCloseTo(5.23453, 4);
    expect(json.orders.byStrategy).toEqual({ orb: 3 });
    expect(await readFile(paths.html, 'utf8')).toContain('Daily report 2026-11-23');
    expect(alerts).toEqual([expect.objectContaining({ level: 'INFO', key: 'daily-report:20261123', title: 'Daily report 20261123: P&L -2,557 KRW, 1 trade(s), win rate 100 %' })]);
  });
});
