// Wire → domain for the overseas current price TR HHDFS00000300 (fact sheet §4.1). Pure.
import { readObject, RowError, type Parsed, type ParseIssue } from './fields.js';

export interface OverseasQuote {
  /** rsym, e.g. "DNASAAPL". */
  realtimeSymbol: string;
  last: number;
  /** base: previous close. */
  prevClose: number | null;
  change: number | null;
  changeSign: string;
  changeRatePct: number | null;
  volume: number | null;
  turnover: number | null;
  prevVolume: number | null;
  /** zdiv: decimal places of prices. */
  decimals: number | null;
  /** ordy: KIS says the symbol can be ordered ("매수가능"). */
  orderable: boolean;
}

/** value undefined when `last` is blank/malformed (KIS answers rt_cd 0 with blanks for unknown symbols). */
export function parseOverseasPrice(body: Record<string, unknown>): Parsed<OverseasQuote | undefined> {
  const issues: ParseIssue[] = [];
  const r = readObject(body, 'output', issues);
  if (!r) return { value: undefined, issues };
  try {
    return {
      value: {
        realtimeSymbol: r.str('rsym').trim(),
        last: r.num('last'),
        prevClose: r.optNum('base'),
        change: r.optNum('diff'),
        changeSign: r.str('sign').trim(),
        changeRatePct: r.optNum('rate'),
        volume: r.optNum('tvol'),
        turnover: r.optNum('tamt'),
        prevVolume: r.optNum('pvol'),
        decimals: r.optNum('zdiv'),
        orderable: /가능|^Y$/.test(r.str('ordy').trim()),
      },
      issues,
    };
  } catch (err) {
    if (err instanceof RowError) return { value: undefined, issues };
    throw err;
  }
}
