// Renders /healthz JSON for a human (`kisd status`). Tolerates partial or foreign JSON: never throws.
import type { HealthJson } from './health-server.js';

function durationText(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

export function formatStatus(json: unknown): string {
  if (!json || typeof json !== 'object') return 'kisd status: unreadable health response';
  const h = json as Partial<HealthJson>;
  const lines: string[] = [];
  const status = h.status ?? (h.ready ? 'ok' : 'not-ready');
  lines.push(`kisd ${status === 'ok' ? 'OK' : status.toUpperCase()}${h.now ? ` at ${h.now} KST` : ''}${h.uptimeSec !== undefined ? `, up ${durationText(h.uptimeSec)}` : ''}`);
  const t = h.token;
  lines.push(
    `  token      ${!t ? 'unknown' : t.valid ? `valid${t.remainingSec !== undefined ? `, ${durationText(t.remainingSec)} left` : ''}${t.expiresAt ? ` (expires ${t.expiresAt} KST)` : ''}` : 'INVALID'}`,
  );
  const f = h.feed;
  lines.push(
    `  feed       ${!f ? 'unknown' : `${f.market} ${f.state}${f.subscriptions !== undefined ? `, ${f.subscriptions} subscriptions` : ''}${f.lastTickAt ? `, last tick ${f.lastTickAt} KST` : ''}`}`,
  );
  const p = h.lastPhase;
  lines.push(`  last phase ${p ? `${p.phase} ${p.outcome} at ${p.at} KST` : 'none yet'}`);
  lines.push(`  queue      ${h.queueDepth ?? '?'} waiting`);
  if (h.jobsInFlight && h.jobsInFlight.length > 0) lines.push(`  running    ${h.jobsInFlight.join(', ')}`);
  for (const [k, v] of Object.entries(h.info ?? {})) lines.push(`  ${k.padEnd(10)} ${String(v)}`);
  return lines.join('\n');
}
