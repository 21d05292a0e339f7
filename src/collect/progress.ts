// Progress reports of a bulk collection, and the one-line rendering the CLI prints.

export interface CollectProgress {
  dataset: string;
  phase: 'main' | 'final-pass';
  /** Symbols finished so far in this phase (including those done before a resume). */
  done: number;
  /** Symbols in this phase. */
  total: number;
  collected: number;
  notFound: number;
  skipped: number;
  recovered: number;
  /** The symbol just finished. */
  code: string;
  elapsedMs: number;
  requests: number;
  requestsPerSec: number;
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** "daily_bars 120/2773 (4.3%) ok 118 skipped 2 · 18.5 req/s · 6s elapsed" */
export function formatProgressLine(p: CollectProgress): string {
  const pct = p.total === 0 ? 100 : (100 * p.done) / p.total;
  const phase = p.phase === 'final-pass' ? ' [final pass]' : '';
  const extra = p.phase === 'final-pass' ? ` recovered ${p.recovered}` : ` ok ${p.collected} skipped ${p.skipped}${p.notFound ? ` no-data ${p.notFound}` : ''}`;
  return `${p.dataset}${phase} ${p.done}/${p.total} (${pct.toFixed(1)}%)${extra} · ${p.requestsPerSec.toFixed(1)} req/s · ${formatDuration(p.elapsedMs)} elapsed`;
}
