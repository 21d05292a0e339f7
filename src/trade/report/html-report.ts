// Renders a DailyReport as one self-contained HTML page (no scripts, no external assets) with an inline SVG
// equity curve, so a person can open it from the reports folder or an e-mail attachment.
import { formatKstTimestamp } from '../../core/kst.js';
import type { DailyReport } from './daily-report.js';
import type { EquityPoint } from './performance-metrics.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const krw = (v: number): string => `${Math.round(v).toLocaleString('en-US')} KRW`;
const pct = (v: number | null, digits = 2): string => (v === null ? 'n/a' : `${(v * 100).toFixed(digits)} %`);
const time = (ms: number | undefined): string => (ms === undefined ? '' : formatKstTimestamp(ms).slice(11));

/** An SVG polyline of equity over time (x by time, y by equity), with min/max labels. */
export function equityCurveSvg(curve: readonly EquityPoint[], width = 760, height = 240): string {
  const pad = 40;
  if (curve.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="no equity data"></svg>`;
  const xs = curve.map((p) => p.atMs);
  const ys = curve.map((p) => p.equityKrw);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number): number => pad + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (width - 2 * pad);
  const sy = (y: number): number => height - pad - (y1 === y0 ? 0.5 : (y - y0) / (y1 - y0)) * (height - 2 * pad);
  const points = curve.map((p) => `${sx(p.atMs).toFixed(1)},${sy(p.equityKrw).toFixed(1)}`).join(' ');
  const start = ys[0]!;
  const end = ys[ys.length - 1]!;
  const color = end >= start ? '#1a7f37' : '#cf222e';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="equity curve">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff" stroke="#d0d7de"/>`,
    `<line x1="${pad}" y1="${sy(start).toFixed(1)}" x2="${width - pad}" y2="${sy(start).toFixed(1)}" stroke="#8c959f" stroke-dasharray="4 4"/>`,
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`,
    `<text x="4" y="${pad - 8}" font-size="11" fill="#57606a">${escapeHtml(krw(y1))}</text>`,
    `<text x="4" y="${height - 8}" font-size="11" fill="#57606a">${escapeHtml(krw(y0))}</text>`,
    `<text x="${pad}" y="${height - 24}" font-size="11" fill="#57606a">${escapeHtml(time(x0))}</text>`,
    `<text x="${width - pad}" y="${height - 24}" font-size="11" fill="#57606a" text-anchor="end">${escapeHtml(time(x1))}</text>`,
    '</svg>',
  ].join('');
}

function row(label: string, value: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
}

export function renderDailyReportHtml(r: DailyReport): string {
  const d = `${r.date.slice(0, 4)}-${r.date.slice(4, 6)}-${r.date.slice(6, 8)}`;
  const trades = r.trades
    .map((t) => `<tr><td>${escapeHtml(t.symbol)}</td><td>${time(t.entryAtMs)}</td><td>${t.open ? 'open' : time(t.exitAtMs)}</td><td>${t.maxQty}</td><td>${t.avgEntryPrice.toFixed(0)}</td><td>${t.avgExitPrice ? t.avgExitPrice.toFixed(0) : ''}</td><td class="${t.pnlKrw >= 0 ? 'up' : 'down'}">${escapeHtml(krw(t.pnlKrw))}</td></tr>`)
    .join('');
  const positions = r.openPositions
    .map((p) => `<tr><td>${escapeHtml(p.symbol)}</td><td>${p.qty}</td><td>${p.avgPrice}</td><td>${p.markPrice ?? 'n/a'}</td><td>${escapeHtml(krw(p.unrealizedPnlKrw))}</td></tr>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kisd daily report ${escapeHtml(d)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:right}th{background:#f6f8fa;text-align:left}.up{color:#1a7f37}.down{color:#cf222e}small{color:#57606a}</style>
</head><body>
<h1>Daily report ${escapeHtml(d)}</h1>
<p><small>Generated ${escapeHtml(r.generated_at)} KST by kisd</small></p>
<table>
${row('Total P&L', krw(r.totalPnlKrw))}
${row('Realized P&L (net of fees)', krw(r.realizedPnlKrw))}
${row('Unrealized P&L', krw(r.unrealizedPnlKrw))}
${row('Fees and tax', krw(r.feesKrw))}
${row('Return on capital', `${pct(r.dailyReturn, 3)} of ${krw(r.capitalKrw)}`)}
${row('Orders / fills', `${r.orders.total} / ${r.fills}`)}
${row('Closed trades', `${r.closedTrades} (${r.wins} won, ${r.losses} lost)`)}
${row('Win rate', pct(r.winRate, 1))}
${row('Max drawdown', `${krw(r.drawdown.maxDrawdownKrw)} (${pct(r.drawdown.maxDrawdownPct, 3)})`)}
${row('Sharpe ratio (annualised)', r.sharpe.value === null ? `n/a (${r.sharpe.days} day(s) of returns; needs 2)` : `${r.sharpe.value.toFixed(2)} over ${r.sharpe.days} days`)}
</table>
<p><small>Sharpe: ${escapeHtml(r.sharpe.annualisation)}; risk-free rate ${r.sharpe.riskFreeRate * 100} %/year.</small></p>
<h2>Equity</h2>
${equityCurveSvg(r.equityCurve)}
<h2>Trades</h2>
<table><tr><th>Symbol</th><th>Entry</th><th>Exit</th><th>Max qty</th><th>Avg entry</th><th>Avg exit</th><th>P&amp;L</th></tr>${trades || '<tr><td colspan="7">no trades</td></tr>'}</table>
<h2>Open positions at the close</h2>
<table><tr><th>Symbol</th><th>Qty</th><th>Avg cost</th><th>Mark</th><th>Unrealized</th></tr>${positions || '<tr><td colspan="5">flat</td></tr>'}</table>
</body></html>
`;
}
