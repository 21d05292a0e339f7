// The day's performance from the order journal (one aggregated fill per order), closing marks and the
// previous days' returns: realized and unrealized P&L, round trips, win rate, max drawdown of the intraday
// equity curve and the annualised Sharpe ratio of daily returns. Pure: the job does the I/O.
import { formatKstTimestamp } from '../../core/kst.js';
import { PositionLedger, type LedgerFill, type RoundTrip } from '../risk/pnl-ledger.js';
import { maxDrawdown, sharpeRatio, winRate, type Drawdown, type EquityPoint, type SharpeResult } from './performance-metrics.js';

export interface DailyReportInput {
  /** KST trading day "YYYYMMDD". */
  ymd: string;
  /** Capital the day's return is measured on, KRW (account equity at the open). */
  capitalKrw: number;
  /** Today's fills (from the journal), any order. */
  fills: readonly LedgerFill[];
  /** Held before today's fills (symbol → qty, avg cost). */
  opening?: readonly { symbol: string; qty: number; avgPrice: number }[];
  /** Closing prices; symbols without one are marked at their last fill (else at cost). */
  closeMarks: Readonly<Record<string, number>>;
  /** Returns of previous days (fractions), oldest first; today's is appended for the Sharpe ratio. */
  previousDailyReturns?: readonly number[];
  /** Time of the closing point on the curve, epoch ms. */
  closeAtMs: number;
  /** Orders of the day, for counts. */
  orders?: readonly { state: string; strategy: string }[];
}

export interface DailyReport {
  date: string;
  generated_at: string;
  capitalKrw: number;
  realizedPnlKrw: number;
  unrealizedPnlKrw: number;
  totalPnlKrw: number;
  feesKrw: number;
  /** totalPnlKrw / capitalKrw. */
  dailyReturn: number;
  fills: number;
  orders: { total: number; byState: Record<string, number>; byStrategy: Record<string, number> };
  trades: (RoundTrip & { open: boolean })[];
  closedTrades: number;
  wins: number;
  losses: number;
  winRate: number | null;
  drawdown: Drawdown;
  sharpe: SharpeResult;
  equityCurve: EquityPoint[];
  openPositions: { symbol: string; qty: number; avgPrice: number; markPrice: number | null; unrealizedPnlKrw: number }[];
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

export function computeDailyReport(input: DailyReportInput, generatedAtMs: number): DailyReport {
  const fills = [...input.fills].sort((a, b) => a.atMs - b.atMs);
  const ledger = new PositionLedger();
  for (const p of input.opening ?? []) ledger.seed(p.symbol, p.qty, p.avgPrice);
  const lastFill = new Map<string, number>();
  const markIntraday = (s: string): number | undefined => lastFill.get(s);
  // The intraday curve: equity after each fill, open quantity marked at its symbol's latest fill price (the
  // only intraday prices the journal holds), then the closing point at the closing marks.
  const curve: EquityPoint[] = [{ atMs: fills[0]?.atMs ?? input.closeAtMs, equityKrw: input.capitalKrw }];
  for (const f of fills) {
    ledger.apply(f);
    lastFill.set(f.symbol, f.price);
    curve.push({ atMs: f.atMs, equityKrw: round2(input.capitalKrw + ledger.realizedKrw() + ledger.unrealizedKrw(markIntraday)) });
  }
  const closeMark = (s: string): number | undefined => input.closeMarks[s] ?? lastFill.get(s);
  const realized = ledger.realizedKrw();
  const unrealized = ledger.unrealizedKrw(closeMark);
  const total = realized + unrealized;
  curve.push({ atMs: Math.max(input.closeAtMs, curve[curve.length - 1]!.atMs), equityKrw: round2(input.capitalKrw + total) });
  const dailyReturn = input.capitalKrw > 0 ? total / input.capitalKrw : 0;
  const trades = ledger.trades().map((t) => ({ ...t, pnlKrw: round2(t.pnlKrw), open: t.exitAtMs === undefined }));
  const closed = trades.filter((t) => !t.open);
  const w = winRate(closed.map((t) => t.pnlKrw));
  const byState: Record<string, number> = {};
  const byStrategy: Record<string, number> = {};
  for (const o of input.orders ?? []) {
    byState[o.state] = (byState[o.state] ?? 0) + 1;
    byStrategy[o.strategy] = (byStrategy[o.strategy] ?? 0) + 1;
  }
  return {
    date: input.ymd,
    generated_at: formatKstTimestamp(generatedAtMs),
    capitalKrw: input.capitalKrw,
    realizedPnlKrw: round2(realized),
    unrealizedPnlKrw: round2(unrealized),
    totalPnlKrw: round2(total),
    feesKrw: round2(ledger.feesKrw()),
    dailyReturn,
    fills: fills.length,
    orders: { total: input.orders?.length ?? 0, byState, byStrategy },
    trades,
    closedTrades: closed.length,
    wins: w.wins,
    losses: w.losses,
    winRate: w.winRate,
    drawdown: maxDrawdown(curve),
    sharpe: sharpeRatio([...(input.previousDailyReturns ?? []), dailyReturn]),
    equityCurve: curve,
    openPositions: ledger
      .positions()
      .filter((p) => p.qty > 0)
      .map((p) => {
        const m = closeMark(p.symbol);
        return { symbol: p.symbol, qty: p.qty, avgPrice: round2(p.avgPrice), markPrice: m ?? null, unrealizedPnlKrw: round2(m === undefined ? 0 : (m - p.avgPrice) * p.qty) };
      }),
  };
}
