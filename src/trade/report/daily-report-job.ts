// Daily performance analysis (17:00 KST) as a PhaseJob: reads today's orders from the journal and the closing
// marks from market close's positions file, computes the report, writes <dataDir>/reports/daily_YYYYMMDD.json
// and .html atomically, and sends an INFO digest through the alert port. Previous days' daily_*.json files
// supply the return history for the Sharpe ratio.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readFileIfExists, writeFileAtomic, writeJsonAtomic } from '../../core/atomic-file.js';
import type { Clock } from '../../core/clock.js';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { kstAt } from '../../core/kst.js';
import type { PhaseContext, PhaseJob } from '../../core/phases.js';
import type { OrderManager } from '../orders/types.js';
import type { AlertPort } from '../../core/alert.js';
import { fillsFromOrders } from '../risk/order-book-view.js';
import { positionsSnapshotPath, positionsSnapshotSchema } from '../../store/positions-snapshot.js';
import { computeDailyReport, type DailyReport } from './daily-report.js';
import { renderDailyReportHtml } from './html-report.js';

export interface DailyReportJobOptions {
  dataDir: string;
  clock: Clock;
  orders: Pick<OrderManager, 'ordersOfDay' | 'positions'>;
  /** Capital the daily return is measured on, KRW (e.g. the account's equity; the simulator starts with 100,000,000). */
  capitalKrw: number;
  /** Fallback closing prices when the positions file lacks a mark. */
  mark?: (symbol: string) => number | undefined;
  alerts?: AlertPort;
  /** Previous daily returns used for the Sharpe ratio, most recent. Default 252. */
  historyDays?: number;
}

export function dailyReportPaths(dataDir: string, ymd: string): { json: string; html: string } {
  const base = join(dataDir, 'reports', `daily_${ymd}`);
  return { json: `${base}.json`, html: `${base}.html` };
}

const historySchema = z.object({ date: z.string(), dailyReturn: z.number() });

/** dailyReturn of every daily_YYYYMMDD.json before ymd, oldest first; unreadable files are skipped. */
export async function readPreviousReturns(dataDir: string, ymd: string, maxDays: number): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(join(dataDir, 'reports'));
  } catch {
    return [];
  }
  const days = names.map((n) => /^daily_(\d{8})\.json$/.exec(n)?.[1]).filter((d): d is string => d !== undefined && d < ymd).sort().slice(-maxDays);
  const out: number[] = [];
  for (const d of days) {
    try {
      const parsed = historySchema.safeParse(JSON.parse((await readFileIfExists(dailyReportPaths(dataDir, d).json)) ?? ''));
      if (parsed.success && parsed.data.date === d) out.push(parsed.data.dailyReturn);
    } catch {
      // a torn or foreign file is not history
    }
  }
  return out;
}

function digestTitle(r: DailyReport): string {
  const sign = r.totalPnlKrw >= 0 ? '+' : '';
  const wr = r.winRate === null ? 'no closed trades' : `win rate ${(r.winRate * 100).toFixed(0)} %`;
  return `Daily report ${r.date}: P&L ${sign}${Math.round(r.totalPnlKrw).toLocaleString('en-US')} KRW, ${r.closedTrades} trade(s), ${wr}`;
}

export function createDailyReportJob(o: DailyReportJobOptions): PhaseJob {
  if (!(o.capitalKrw > 0)) throw new ConfigError(`report.capitalKrw must be > 0 (got ${o.capitalKrw})`, { field: 'report.capitalKrw' });
  return {
    async run(ctx: PhaseContext) {
      const nowMs = o.clock.nowMs();
      const dayMs = kstAt(nowMs, 12 * 60); // noon of the run's KST day: ordersOfDay picks the right day
      const orders = o.orders.ordersOfDay(dayMs);
      const fills = fillsFromOrders(orders);
      const marks: Record<string, number> = {};
      const snapText = await readFileIfExists(positionsSnapshotPath(o.dataDir, ctx.ymd));
      if (snapText !== undefined) {
        try {
          for (const p of positionsSnapshotSchema.parse(JSON.parse(snapText)).positions) if (p.markPrice !== null) marks[p.symbol] = p.markPrice;
        } catch (err) {
          ctx.logger.warn({ err: errorMessage(err) }, 'positions snapshot unreadable; marking at the fallback prices');
        }
      }
      const netToday = new Map<string, number>();
      for (const f of fills) netToday.set(f.symbol, (netToday.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
      const opening = o.orders.positions().filter((p) => p.market === 'KR').map((p) => ({ symbol: p.symbol, qty: p.qty - (netToday.get(p.symbol) ?? 0), avgPrice: p.avgPrice }));
      for (const p of opening) if (marks[p.symbol] === undefined) {
        const m = o.mark?.(p.symbol);
        if (m !== undefined && m > 0) marks[p.symbol] = m;
      }
      const report = computeDailyReport(
        {
          ymd: ctx.ymd, capitalKrw: o.capitalKrw, fills, opening, closeMarks: marks, closeAtMs: kstAt(nowMs, 15 * 60 + 30),
          previousDailyReturns: await readPreviousReturns(o.dataDir, ctx.ymd, o.historyDays ?? 252),
          orders: orders.map((x) => ({ state: x.state, strategy: x.strategy })),
        },
        nowMs,
      );
      const paths = dailyReportPaths(o.dataDir, ctx.ymd);
      await writeJsonAtomic(paths.json, report);
      await writeFileAtomic(paths.html, renderDailyReportHtml(report));
      await o.alerts?.send({
        key: `daily-report:${ctx.ymd}`,
        level: 'INFO',
        title: digestTitle(report),
        what: `Realized ${Math.round(report.realizedPnlKrw)} KRW, unrealized ${Math.round(report.unrealizedPnlKrw)} KRW, fees ${Math.round(report.feesKrw)} KRW; max drawdown ${Math.round(report.drawdown.maxDrawdownKrw)} KRW; Sharpe ${report.sharpe.value === null ? 'n/a' : report.sharpe.value.toFixed(2)}.`,
        details: { orders: report.orders.total, fills: report.fills, report: paths.html },
      });
      ctx.logger.info({ totalPnlKrw: report.totalPnlKrw, trades: report.closedTrades, winRate: report.winRate, file: paths.html }, 'daily report written');
      return { totalPnlKrw: report.totalPnlKrw, orders: report.orders.total, fills: report.fills, closedTrades: report.closedTrades };
    },
  };
}
