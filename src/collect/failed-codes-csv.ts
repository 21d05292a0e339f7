// `<dataDir>/csv/failed_codes_<dataset>.csv` (seed 000 §4.1): one line per symbol skipped after its
// retries, so an operator can see (and re-feed) what a bulk run could not get.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { csvLine } from '../store/csv-export.js';

export const FAILED_CODES_HEADER = ['date', 'code', 'error_kind', 'error', 'attempts', 'recorded_at'] as const;

export function failedCodesPath(dataDir: string, dataset: string): string {
  return join(dataDir, 'csv', `failed_codes_${dataset}.csv`);
}

export interface FailedCodeLine {
  date: string;
  code: string;
  errorKind: string;
  error: string;
  attempts: number;
  /** "YYYY-MM-DD HH:MM:SS" KST */
  recordedAt: string;
}

/** Appends lines (header first when the file is new). One write call, so a crash leaves whole lines only in practice. */
export async function appendFailedCodes(path: string, lines: readonly FailedCodeLine[]): Promise<void> {
  if (lines.length === 0) return;
  await fs.mkdir(dirname(path), { recursive: true });
  const size = await fs.stat(path).then((s) => s.size, () => 0);
  let text = size === 0 ? csvLine(FAILED_CODES_HEADER) : '';
  for (const l of lines) text += csvLine([l.date, l.code, l.errorKind, l.error, l.attempts, l.recordedAt]);
  await fs.appendFile(path, text, 'utf8');
}
