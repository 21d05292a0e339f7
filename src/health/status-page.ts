// The live status page served at / by the health server: one static HTML document with inline CSS and
// script (no build step, no external requests) that polls /status.json every two seconds and renders it.
// Data is inserted with textContent only, never as HTML, and the Content-Security-Policy allows exactly
// this inline script and style (by hash) and requests to this origin.
import { createHash } from 'node:crypto';

const STYLE = `
:root { color-scheme: light dark; --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --mute:#6e7781; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 16px 20px; }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; margin-bottom: 12px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 14px; }
.wide { grid-column: 1 / -1; }
section { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid var(--line); vertical-align: top; white-space: nowrap; }
td.why { white-space: normal; color: var(--mute); }
th { font-weight: 600; color: var(--mute); }
.pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; border: 1px solid currentColor; }
.done, .ok, .acked, .filled, .ready { color: var(--ok); }
.failed, .bad, .missed, .rejected, .unknown, .tripped, .abandoned { color: var(--bad); }
.running, .waiting, .subscribing, .warn, .sent, .acknowledged, .partially_filled { color: var(--warn); }
.pending, .skipped, .none, .mute { color: var(--mute); }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
#conn { font-size: 12px; }
.empty { color: var(--mute); font-style: italic; }
h2.next { margin-top: 10px; }
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }
function pill(text) { return el('span', text, 'pill ' + String(text).replace(/[^a-z_]/gi, '')); }
function table(target, headers, rows) {
  const box = $(target); box.replaceChildren();
  if (rows.length === 0) { box.append(el('div', 'none', 'empty')); return; }
  const t = el('table'); const hr = el('tr');
  for (const h of headers) hr.append(el('th', h));
  t.append(hr);
  for (const r of rows) { const tr = el('tr'); for (const c of r) { const td = el('td'); if (c instanceof Node) td.append(c); else if (c && typeof c === 'object') { td.textContent = c.text ?? ''; td.className = c.cls ?? ''; } else td.textContent = c === undefined || c === null ? '' : String(c); tr.append(td); } t.append(tr); }
  box.append(t);
}
function kv(target, pairs) {
  const box = $(target); box.replaceChildren(); const d = el('div', undefined, 'kv');
  for (const [k, v] of pairs) { d.append(el('span', k, 'mute')); const c = el('span'); if (v instanceof Node) c.append(v); else c.textContent = v === undefined || v === null ? '—' : String(v); d.append(c); }
  box.append(d);
}
const won = (n) => (n === undefined || n === null ? '—' : Number(n).toLocaleString('en-US') + ' KRW');
const secs = (s) => (s === undefined ? '—' : s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h');
function render(s) {
  $('now').textContent = s.now + ' KST';
  $('mode').textContent = s.mode + (s.dryRun ? ' (dry run)' : '') + (s.clockSpeed !== 1 ? ' · clock ×' + s.clockSpeed : '');
  $('ready').replaceChildren(pill(s.ready ? 'ok' : 'starting'));
  $('phase-date').textContent = s.phases.date + (s.phases.tradingDay ? ' (KR trading day)' : ' (no KR session)');
  table('phases', ['phase', 'at', 'until', 'state', 'started', 'finished', 'attempts', 'why'], s.phases.rows.map((p) => [p.id, p.at, p.endsAt, pill(p.state), (p.startedAt || '').slice(11), (p.finishedAt || '').slice(11), p.attempts, { text: p.reason || '', cls: 'why' }]));
  const f = s.feed;
  kv('feed-summary', [['market', f.market], ['connection', pill(f.state)], ['registrations', f.acknowledged + ' acknowledged / ' + f.desired + ' desired'], ['ticks', f.ticksReceived + (f.lastTickAt ? ' (last ' + f.lastTickAt.slice(11) + ')' : '')], ['reconnects', f.reconnects], ['switches', f.switches], ['gaps today', f.gaps.available ? f.gaps.today.length + ' (' + f.gaps.today.filter((g) => g.status === 'filled').length + ' back-filled, ' + f.gaps.today.filter((g) => g.status === 'pending').length + ' pending)' : f.gaps.note]]);
  table('feed-gaps', ['gap from', 'to', 'why', 'state', 'symbols', 'bars filled', 'attempts', 'last error'], f.gaps.available ? f.gaps.today.map((g) => [g.from, g.to, g.reason, pill(g.status), g.symbols, g.bars, g.attempts, { text: g.error || '', cls: 'why' }]) : []);
  table('feed-regs', ['tr_id', 'key', 'state', 'last tick'], f.registrations.map((r) => [r.trId, r.trKey, pill(r.state), r.lastTickAgeSec === undefined ? '' : secs(r.lastTickAgeSec) + ' ago']));
  const o = s.orders;
  $('orders-summary').textContent = Object.entries(o.byState).map(([k, v]) => k + ' ' + v).join(' · ') || 'no orders today';
  $('orders-unresolved').textContent = o.unresolved > 0 ? o.unresolved + ' with unknown outcome, being settled from KIS executions' : '';
  $('orders-reconcile').textContent = o.lastReconcile ? 'last reconciliation ' + o.lastReconcile.at.slice(11) + ': ' + (o.lastReconcile.passed ? 'passed' : 'NOT passed') + ', ' + o.lastReconcile.differences + ' differences' : '';
  table('orders', ['at', 'strategy', 'symbol', 'side', 'type', 'qty', 'price', 'filled', 'state'], o.rows.map((r) => [r.at, r.strategy, r.symbol, r.side, r.type, r.qty, r.price ?? 'market', r.filledQty, pill(r.state)]));
  const keys = new Set([...s.positions.own.map((p) => p.market + ':' + p.symbol), ...s.positions.account.map((p) => p.market + ':' + p.symbol)]);
  table('positions', ['symbol', 'kisd', 'account', ''], [...keys].sort().map((k) => { const own = s.positions.own.find((p) => p.market + ':' + p.symbol === k); const acc = s.positions.account.find((p) => p.market + ':' + p.symbol === k); const a = own ? own.qty : 0; const b = acc ? acc.qty : 0; return [k, a, b, a === b ? '' : b > a ? { text: 'held outside kisd: ' + (b - a), cls: 'why' } : { text: 'differs', cls: 'bad' }]; }));
  kv('pnl', [['realised (after fees)', won(s.pnl.realizedKrw)], ['of which fees', won(s.pnl.feesKrw)], ['unrealised', won(s.pnl.unrealizedKrw)], ['total', won(s.pnl.totalKrw)], ['fills today', s.pnl.fills]]);
  const k = s.killSwitch;
  kv('kill', [['state', pill(k.tripped ? 'tripped' : 'ok')], ['reason', k.reason], ['since', k.trippedAt], ['last reset', k.resetBy ? k.resetBy + ' at ' + k.resetAt : undefined], ['to reset', k.resetHow]]);
  table('rest', ['window', 'used', 'limit', 'waiting'], s.rest.windows.map((w) => [w.window, w.used, w.limit, w.waiting]));
  const coord = s.rest.coordination;
  const via = coord ? (coord.mode === 'shared' ? 'redis ' + coord.redis : 'REDIS UNREACHABLE (' + coord.redis + '): this host uses its fallback share alone') : s.rest.backend;
  $('rest-source').textContent = s.rest.source === 'shared' ? 'shared by every kisd process on this app key (' + via + ')' + (s.rest.pausedForSec ? ', reads paused ' + secs(s.rest.pausedForSec) : '') : 'this process';
  if (s.rest.sharedWith) table('rest-members', ['pid', 'host', 'sharing process', 'seen'], s.rest.sharedWith.map((m) => [m.pid, m.host, m.label, secs(m.seenAgoSec) + ' ago']));
  else $('rest-members').replaceChildren();
  const t = s.token;
  kv('token', [['state', pill(t.state)], ['issued', t.issuedAt], ['age', secs(t.ageSec)], ['expires', t.expiresAt], ['left', secs(t.remainingSec)], ['next check', t.nextCheckAt], ['next re-init', t.nextReinitAt]]);
  $('queue-counts').textContent = Object.entries(s.queue.counts).map(([a, b]) => a + ' ' + b).join(' · ');
  table('queue', ['id', 'dataset', 'target', 'status', 'retries', 'next retry', 'error'], s.queue.items.map((q) => [q.id, q.dataset, q.target, pill(q.status), q.retries, q.nextRetryAt, { text: q.error || '', cls: 'why' }]));
  table('alerts', ['at', 'level', 'title'], s.alerts.map((a) => [a.at, pill(a.level.toLowerCase() === 'info' ? 'ok' : a.level.toLowerCase() === 'warning' ? 'warn' : 'bad'), { text: a.level + ': ' + a.title, cls: 'why' }]));
  const reps = $('reports'); reps.replaceChildren();
  if (s.reports.length === 0) reps.append(el('div', 'no report yet (written at 17:00 KST on trading days)', 'empty'));
  for (const r of s.reports) { const a = el('a', r.date); a.href = r.href; reps.append(a, document.createTextNode(' ')); }
}
let failures = 0;
async function poll() {
  try {
    const res = await fetch('status.json', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(await res.json());
    failures = 0;
    $('conn').textContent = 'updated ' + new Date().toLocaleTimeString();
    $('conn').className = 'mute';
  } catch (err) {
    failures++;
    $('conn').textContent = 'cannot reach kisd (' + (err && err.message ? err.message : err) + '); retrying';
    $('conn').className = 'bad';
  } finally {
    setTimeout(poll, failures > 0 ? 5000 : 2000);
  }
}
poll();
`;

const BODY = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kisd status</title><link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body>
<header><h1>kisd</h1><span id="now">…</span><span id="mode"></span><span id="ready"></span><span id="conn" class="mute">loading…</span></header>
<div class="grid">
<section class="wide"><h2>Phases today <span id="phase-date" class="mute"></span></h2><div id="phases"></div></section>
<section><h2>Feed</h2><div id="feed-summary"></div><div id="feed-gaps"></div><div id="feed-regs"></div></section>
<section><h2>Orders today</h2><div id="orders-summary"></div><div id="orders-unresolved" class="warn"></div><div id="orders-reconcile" class="mute"></div><div id="orders"></div></section>
<section><h2>Positions: kisd's own vs the account</h2><div id="positions"></div><h2 class="next">Today's P&amp;L</h2><div id="pnl"></div></section>
<section><h2>Kill switch</h2><div id="kill"></div></section>
<section><h2>REST budget <span id="rest-source" class="mute"></span></h2><div id="rest"></div><div id="rest-members"></div><h2 class="next">Token</h2><div id="token"></div></section>
<section class="wide"><h2>Recovery queue <span id="queue-counts" class="mute"></span></h2><div id="queue"></div></section>
<section><h2>Last alerts</h2><div id="alerts"></div></section>
<section><h2>Daily reports</h2><div id="reports"></div></section>
</div>
<script>${SCRIPT}</script>
</body></html>
`;

const sha = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const STATUS_PAGE_HTML = BODY;
/** Exactly this page's inline script and style, fetches to this origin, nothing else. */
export const STATUS_PAGE_CSP = `default-src 'none'; script-src ${sha(SCRIPT)}; style-src ${sha(STYLE)}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
