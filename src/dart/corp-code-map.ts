// The corp_code ↔ stock_code map every DART call needs (DART keys companies by its own 8-digit corp_code, the
// market by the 6-char listing code). Built from the corpCode.xml zip, kept on disk as JSON with the KST day
// it was fetched (written atomically; a corrupt file is quarantined and rebuilt), refreshed once a day.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { quarantineFile, readFileIfExists, writeJsonAtomic } from '../core/atomic-file.js';
import { errorMessage } from '../core/errors.js';
import { kstYmd } from '../core/kst.js';
import type { CorpCodeEntry } from './wire/corp-codes.js';

export const CORP_CODE_CACHE_FILE = 'dart-corp-codes.json';

export class CorpCodeMap {
  private readonly byStock = new Map<string, CorpCodeEntry>();
  private readonly byCorp = new Map<string, CorpCodeEntry>();

  /** Only listed filers are kept (the full file also lists ~100,000 unlisted ones kisd never trades). */
  constructor(
    entries: readonly CorpCodeEntry[],
    readonly fetchedYmd: string,
  ) {
    for (const e of entries) {
      if (e.stockCode === null) continue;
      this.byStock.set(e.stockCode, e);
      this.byCorp.set(e.corpCode, e);
    }
  }

  get size(): number {
    return this.byStock.size;
  }

  /**
   * The corp_code of a listing code. A preferred share (last digit 5, 7 or 9) has no entry of its own: DART
   * files under the company, so the common share's code (last digit 0) is tried next.
   */
  corpCodeFor(stockCode: string): string | undefined {
    const direct = this.byStock.get(stockCode);
    if (direct) return direct.corpCode;
    if (/^\d{5}[579]$/.test(stockCode)) return this.byStock.get(`${stockCode.slice(0, 5)}0`)?.corpCode;
    return undefined;
  }

  stockCodeFor(corpCode: string): string | undefined {
    return this.byCorp.get(corpCode)?.stockCode ?? undefined;
  }

  entryForCorp(corpCode: string): CorpCodeEntry | undefined {
    return this.byCorp.get(corpCode);
  }

  entries(): CorpCodeEntry[] {
    return [...this.byStock.values()];
  }
}

const cacheSchema = z.object({
  version: z.literal(1),
  fetchedYmd: z.string().regex(/^\d{8}$/),
  fetchedAtEpochMs: z.number(),
  /** [corp_code, corp_name, stock_code, modify_date] */
  entries: z.array(z.tuple([z.string().regex(/^\d{8}$/), z.string(), z.string().min(1), z.string()])),
});

export interface CorpCodeSourceOptions {
  /** Downloads and parses the zip (DartApi.corpCodes). */
  download(signal?: AbortSignal): Promise<CorpCodeEntry[]>;
  /** Folder of the cache file (the daemon's state dir). */
  dir: string;
  clock: Clock;
  log: Logger;
  /** Refresh when the cache is older than this many KST days; default 1 (daily). */
  maxAgeDays?: number;
}

/**
 * Today's map: the cache when it is from today, else a fresh download written back atomically. A corrupt cache
 * is quarantined (renamed aside) and rebuilt. When the download fails and a valid older cache exists, the older
 * map is returned with a warning (a day-old map only misses that day's listings); with no cache, it throws.
 */
export async function loadCorpCodeMap(o: CorpCodeSourceOptions, signal?: AbortSignal): Promise<CorpCodeMap> {
  const path = join(o.dir, CORP_CODE_CACHE_FILE);
  const log = o.log.child({ component: 'dart-corp-codes' });
  const today = kstYmd(o.clock.nowMs());
  let cached: CorpCodeMap | undefined;
  const text = await readFileIfExists(path);
  if (text !== undefined) {
    let ok: z.infer<typeof cacheSchema> | undefined;
    try {
      const r = cacheSchema.safeParse(JSON.parse(text));
      ok = r.success ? r.data : undefined;
    } catch {
      ok = undefined;
    }
    if (ok) {
      cached = new CorpCodeMap(ok.entries.map(([corpCode, corpName, stockCode, modifyDate]) => ({ corpCode, corpName, stockCode, modifyDate })), ok.fetchedYmd);
    } else {
      const aside = await quarantineFile(path, o.clock.nowMs());
      log.warn({ path, quarantinedTo: aside }, 'DART corp-code cache is corrupt; moved aside, downloading a fresh copy');
    }
  }
  const maxAgeDays = o.maxAgeDays ?? 1;
  if (cached && ageInDays(cached.fetchedYmd, today) < maxAgeDays) return cached;
  try {
    const entries = await o.download(signal);
    const map = new CorpCodeMap(entries, today);
    await writeJsonAtomic(path, {
      version: 1,
      fetchedYmd: today,
      fetchedAtEpochMs: o.clock.nowMs(),
      entries: map.entries().map((e) => [e.corpCode, e.corpName, e.stockCode, e.modifyDate]),
    });
    log.info({ listed: map.size, total: entries.length }, 'DART corp-code map refreshed');
    return map;
  } catch (err) {
    if (!cached) throw err;
    log.warn({ err: errorMessage(err), cachedYmd: cached.fetchedYmd }, 'DART corp-code download failed; using the older cached map');
    return cached;
  }
}

function ageInDays(fromYmd: string, toYmd: string): number {
  const d = (ymd: string): number => Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(4, 6)) - 1, Number(ymd.slice(6, 8)));
  return Math.round((d(toYmd) - d(fromYmd)) / 86_400_000);
}
