// Phase 2 selection batch files, <dataDir>/daily_selection/batch_{id}.json. Seed 004 (batch_utils): a batch
// counts as done only when its file exists, is non-empty, was modified today, parses, matches the schema and
// carries today's KST date. Corrupt and empty files are quarantined so they get regenerated.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { quarantineFile, writeJsonAtomic } from '../core/atomic-file.js';
import { formatKstTimestamp, kstYmd } from '../core/kst.js';

/** KIS caps a WebSocket session at 40 practical registrations; a batch never holds more (fact sheet §5). */
export const MAX_BATCH_SYMBOLS = 40;

export const batchFileSchema = z.object({
  /** KST trading day "YYYYMMDD". */
  date: z.string().regex(/^\d{8}$/),
  batch_id: z.number().int().min(0),
  /** 6-digit KR codes (ETN codes carry a Q prefix, preferred shares end in a letter/5). */
  symbols: z.array(z.string().regex(/^[0-9A-Z]{6,7}$/)).min(1).max(MAX_BATCH_SYMBOLS),
  /** KST "YYYY-MM-DD HH:MM:SS". */
  created_at: z.string().min(1),
});
export type BatchFile = z.infer<typeof batchFileSchema>;

export type BatchState =
  | { id: number; file: string; status: 'valid'; batch: BatchFile }
  | { id: number; file: string; status: 'missing' | 'empty' | 'corrupt' | 'stale'; reason: string };

export function batchDir(dataDir: string): string {
  return join(dataDir, 'daily_selection');
}

export function batchPath(dataDir: string, id: number): string {
  return join(batchDir(dataDir), `batch_${id}.json`);
}

/** Checks one batch file against today's KST date. Never throws for bad content. */
export async function inspectBatchFile(dataDir: string, id: number, todayYmd: string): Promise<BatchState> {
  const path = batchPath(dataDir, id);
  const file = `batch_${id}.json`;
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { id, file, status: 'missing', reason: `${file} missing` };
    throw err;
  }
  if (stat.size === 0) return { id, file, status: 'empty', reason: `${file} empty` };
  const modifiedYmd = kstYmd(stat.mtimeMs);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(path, 'utf8'));
  } catch {
    return { id, file, status: 'corrupt', reason: `${file} is not valid JSON` };
  }
  const parsed = batchFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { id, file, status: 'corrupt', reason: `${file} fails the schema (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})` };
  }
  if (parsed.data.batch_id !== id) return { id, file, status: 'corrupt', reason: `${file} holds batch_id ${parsed.data.batch_id}` };
  if (parsed.data.date !== todayYmd) return { id, file, status: 'stale', reason: `${file} stale (date ${parsed.data.date})` };
  if (modifiedYmd !== todayYmd) return { id, file, status: 'stale', reason: `${file} stale (modified ${modifiedYmd})` };
  return { id, file, status: 'valid', batch: parsed.data };
}

/** Ids of every batch_{id}.json in the directory (quarantined copies excluded). */
export async function listBatchIds(dataDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(batchDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ids = names.map((n) => /^batch_(\d+)\.json$/.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  return ids.sort((a, b) => a - b);
}

/**
 * Inspects batches 0..expectedCount-1 (or every file present when the count is unknown), quarantining corrupt
 * and empty files. Returns the per-batch states and the quarantined paths.
 */
export async function scanBatches(
  dataDir: string,
  todayYmd: string,
  nowMs: number,
  expectedCount?: number,
): Promise<{ states: BatchState[]; quarantined: string[] }> {
  const ids = expectedCount === undefined ? await listBatchIds(dataDir) : Array.from({ length: expectedCount }, (_, i) => i);
  const states: BatchState[] = [];
  const quarantined: string[] = [];
  for (const id of ids) {
    const state = await inspectBatchFile(dataDir, id, todayYmd);
    if (state.status === 'corrupt' || state.status === 'empty') {
      quarantined.push(await quarantineFile(batchPath(dataDir, id), nowMs));
    }
    states.push(state);
  }
  return { states, quarantined };
}

/** Writes one batch atomically; throws when the batch would not pass its own schema. */
export async function writeBatchFile(dataDir: string, todayYmd: string, id: number, symbols: readonly string[], nowMs: number): Promise<BatchFile> {
  const batch = batchFileSchema.parse({ date: todayYmd, batch_id: id, symbols: [...symbols], created_at: formatKstTimestamp(nowMs) });
  const path = batchPath(dataDir, id);
  await writeJsonAtomic(path, batch);
  // Stamp mtime from the injected clock so the "modified today" check agrees with the daemon's notion of today
  // (identical to the OS time in production; virtual in tests).
  await fs.utimes(path, nowMs / 1000, nowMs / 1000);
  return batch;
}

/** Today's valid batches (trading reads its universe from these). */
export async function readValidBatches(dataDir: string, todayYmd: string): Promise<BatchFile[]> {
  const out: BatchFile[] = [];
  for (const id of await listBatchIds(dataDir)) {
    const state = await inspectBatchFile(dataDir, id, todayYmd);
    if (state.status === 'valid') out.push(state.batch);
  }
  return out;
}
