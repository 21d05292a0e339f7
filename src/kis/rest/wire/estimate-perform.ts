// Wire → domain for estimate-perform (HHKST668300C0, 국내주식 종목추정실적, docs/data-sources.md §KIS earnings
// estimates). The reply is positional: output4[] names up to five settlement periods (결산년월) and each row of
// output2 (income estimates, 6 rows) and output3 (indicators, 8 rows) holds one metric with its values for those
// periods in data1..data5. The portal labels output1 with ELW field names; the row meanings below follow a
// third-party client that matched them against KIS's screen (❓ unconfirmed by KIS), so they are data here.
import type { Parsed, ParseIssue } from './fields.js';

/** output2 rows in order (❓ 3P). */
export const INCOME_METRICS = ['revenue', 'revenueGrowthPct', 'operatingProfit', 'operatingProfitGrowthPct', 'netIncome', 'netIncomeGrowthPct'] as const;
/** output3 rows in order (❓ 3P). */
export const INDICATOR_METRICS = ['ebitda', 'eps', 'epsGrowthPct', 'per', 'evToEbitda', 'roePct', 'debtRatioPct', 'interestCoverage'] as const;

export type IncomeMetric = (typeof INCOME_METRICS)[number];
export type IndicatorMetric = (typeof INDICATOR_METRICS)[number];

export interface EarningsEstimate {
  /** sht_cd without a leading 'A'. */
  code: string;
  /** item_kor_nm */
  name: string;
  /** estdate when it reads as YYYYMMDD, else null (❓ some replies carry other values there). */
  estimateDate: string | null;
  /** rcmd_name, raw. */
  recommendation: string;
  /** output4 dt values in order, e.g. "202412" (❓ unit/format unconfirmed; raw strings). */
  periods: string[];
  /** One value per period; blank → null. Units as KIS sends them (❓ 억원 and percent ×1 or ×10). */
  income: Record<IncomeMetric, (number | null)[]>;
  indicators: Record<IndicatorMetric, (number | null)[]>;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function rowsOf(body: Record<string, unknown>, key: string, issues: ParseIssue[]): Record<string, unknown>[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    issues.push({ path: key, raw: v, expected: 'an array' });
    return undefined;
  }
  const arr = Array.isArray(v) ? v : [v];
  const out: Record<string, unknown>[] = [];
  for (const [i, item] of arr.entries()) {
    if (!isObject(item)) {
      issues.push({ path: `${key}[${i}]`, raw: typeof item, expected: 'an object' });
      return undefined;
    }
    out.push(item);
  }
  return out;
}

/** "1,234.5" / "-3.0" / "" → number | null; anything else is an issue. */
function value(raw: unknown, path: string, issues: ParseIssue[]): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') {
    issues.push({ path, raw: typeof raw, expected: 'a number string' });
    return null;
  }
  const t = raw.trim().replace(/,/g, '');
  if (t === '') return null;
  if (!NUMBER.test(t)) {
    issues.push({ path, raw, expected: 'a number string' });
    return null;
  }
  return Number(t);
}

function metricRows<K extends string>(rows: Record<string, unknown>[], names: readonly K[], periods: number, key: string, issues: ParseIssue[]): Record<K, (number | null)[]> | undefined {
  if (rows.length !== names.length) {
    issues.push({ path: key, raw: rows.length, expected: `${names.length} rows` });
    return undefined;
  }
  const out = {} as Record<K, (number | null)[]>;
  names.forEach((name, i) => {
    const row = rows[i] ?? {};
    const vals: (number | null)[] = [];
    for (let p = 1; p <= periods; p++) vals.push(value(row[`data${p}`], `${key}[${i}].data${p}`, issues));
    out[name] = vals;
  });
  return out;
}

/**
 * value null with no issues: KIS has no estimate for the symbol (every block empty: no analyst coverage).
 * value undefined with issues: the reply does not have the documented shape (a malformed reply).
 */
export function parseEstimatePerform(body: Record<string, unknown>): Parsed<EarningsEstimate | null | undefined> {
  const issues: ParseIssue[] = [];
  const head = body['output1'];
  const income = rowsOf(body, 'output2', issues);
  const indicators = rowsOf(body, 'output3', issues);
  const periodRows = rowsOf(body, 'output4', issues);
  if (!income || !indicators || !periodRows) return { value: undefined, issues };
  if (income.length === 0 && indicators.length === 0 && periodRows.length === 0) return { value: null, issues };
  const periods: string[] = [];
  for (const [i, r] of periodRows.entries()) {
    const dt = typeof r['dt'] === 'string' ? r['dt'].trim() : '';
    if (dt === '') {
      issues.push({ path: `output4[${i}].dt`, raw: r['dt'], expected: 'a settlement period' });
      return { value: undefined, issues };
    }
    periods.push(dt);
  }
  if (periods.length > 5) {
    issues.push({ path: 'output4', raw: periods.length, expected: 'at most 5 periods (data1..data5)' });
    return { value: undefined, issues };
  }
  const inc = metricRows(income, INCOME_METRICS, periods.length, 'output2', issues);
  const ind = metricRows(indicators, INDICATOR_METRICS, periods.length, 'output3', issues);
  if (!inc || !ind) return { value: undefined, issues };
  const h = isObject(head) ? head : {};
  const str = (k: string): string => (typeof h[k] === 'string' ? (h[k] as string).trim() : '');
  const estdate = str('estdate');
  return {
    value: {
      code: str('sht_cd').replace(/^A(?=\d{6}$)/, ''),
      name: str('item_kor_nm'),
      estimateDate: /^\d{8}$/.test(estdate) ? estdate : null,
      recommendation: str('rcmd_name'),
      periods,
      income: inc,
      indicators: ind,
    },
    issues,
  };
}
