// The phase-1 result file, <dataDir>/screening/screening_YYYYMMDD.json: ranked candidates with each rule's
// contribution, and the excluded symbols with the reason. Selection (phase 2) reads it back.
import { join } from 'node:path';
import { z } from 'zod';

export function screeningFilePath(dataDir: string, ymd: string): string {
  return join(dataDir, 'screening', `screening_${ymd}.json`);
}

const contributions = z.object({ momentum: z.number(), foreignNetBuying: z.number(), institutionNetBuying: z.number() });

export const screeningFileSchema = z.object({
  /** KST trading day the screening was made for. */
  date: z.string().regex(/^\d{8}$/),
  created_at: z.string(),
  /** Newest collected bar date the scores are based on. */
  data_date: z.string().regex(/^\d{8}$/),
  rules: z.record(z.string(), z.number()),
  universe: z.number().int().min(0),
  candidates: z.array(
    z.object({
      rank: z.number().int().min(1),
      symbol: z.string(),
      score: z.number(),
      close: z.number(),
      date: z.string(),
      avgTurnoverKrw: z.number(),
      inputs: z.object({ returnPct: z.number(), foreignNetPctOfTurnover: z.number(), institutionNetPctOfTurnover: z.number(), flowDays: z.number() }),
      contributions,
    }),
  ),
  excluded: z.array(z.object({ symbol: z.string(), reason: z.string() })),
});
export type ScreeningFile = z.infer<typeof screeningFileSchema>;
