// The end-of-day positions file, <dataDir>/reports/positions_YYYYMMDD.json, written atomically by market close
// and read by the daily report (closing marks).
import { join } from 'node:path';
import { z } from 'zod';

export function positionsSnapshotPath(dataDir: string, ymd: string): string {
  return join(dataDir, 'reports', `positions_${ymd}.json`);
}

export const positionsSnapshotSchema = z.object({
  date: z.string().regex(/^\d{8}$/),
  created_at: z.string(),
  positions: z.array(
    z.object({
      market: z.enum(['KR', 'US']),
      symbol: z.string(),
      qty: z.number(),
      avgPrice: z.number(),
      /** Closing mark used for unrealized P&L; null when no price was available. */
      markPrice: z.number().nullable(),
      unrealizedPnl: z.number().nullable(),
    }),
  ),
  /** Orders still not terminal after the cancel pass (e.g. outcome unknown, awaiting reconciliation). */
  openOrders: z.array(z.object({ clientOrderId: z.string(), symbol: z.string(), side: z.string(), state: z.string(), remainingQty: z.number() })),
  cancelled: z.number().int(),
  flatten: z.array(z.object({ symbol: z.string(), qty: z.number(), result: z.string() })),
});
export type PositionsSnapshot = z.infer<typeof positionsSnapshotSchema>;
