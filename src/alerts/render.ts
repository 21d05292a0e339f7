// Renders an Alert into a subject and a plain-text body a person can act on (seed 002 §14.7 format,
// plus what kisd tried and what to do next). Everything passes through scrubSecrets.
import { formatKstTimestamp } from '../core/kst.js';
import { scrubSecrets } from '../log/secrets.js';
import type { Alert, RenderedAlert } from './types.js';

const MAX_SYMBOLS_LISTED = 20;

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Subject "[kisd ERROR] <title>" and a sectioned text body. `source` names the host/instance. */
export function renderAlert(alert: Alert, atMs: number, opts: { source?: string; dedupWindowMs?: number } = {}): RenderedAlert {
  const source = opts.source ? ` (${opts.source})` : '';
  const subject = scrubSecrets(`[kisd ${alert.level}] ${alert.title}`).replace(/[\r\n]+/g, ' ');
  const lines: string[] = [`${alert.level}: ${alert.title}`, `When: ${formatKstTimestamp(atMs)} KST${source}`, '', 'What happened:', indent(alert.what)];
  if (alert.symbols && alert.symbols.length > 0) {
    const shown = alert.symbols.slice(0, MAX_SYMBOLS_LISTED).join(', ');
    const more = alert.symbols.length > MAX_SYMBOLS_LISTED ? ` … and ${alert.symbols.length - MAX_SYMBOLS_LISTED} more` : '';
    lines.push('', `Symbols (${alert.symbols.length}):`, indent(shown + more));
  }
  if (alert.tried) lines.push('', 'What kisd already tried:', indent(alert.tried));
  if (alert.nextSteps) lines.push('', 'What to do next:', indent(alert.nextSteps));
  const details = Object.entries(alert.details ?? {});
  if (details.length > 0) lines.push('', 'Details:', ...details.map(([k, v]) => `  ${k}: ${String(v)}`));
  const windowMin = Math.round((opts.dedupWindowMs ?? 30 * 60_000) / 60_000);
  lines.push('', `Alert key: ${alert.key} (repeats of this key are held back for ${windowMin} minutes)`);
  return { key: alert.key, level: alert.level, title: alert.title, subject, text: scrubSecrets(lines.join('\n')), atMs };
}
