// The seed-002 "Naver roles" served by KIS itself (docs/data-sources.md): news headlines (news-title
// FHKST01011800), brokerage opinions (invest-opinion FHKST663300C0) and earnings estimates (estimate-perform
// HHKST668300C0). A success reply without its output block is a malformed reply, never "no data".
import { parseDomesticCode } from '../../symbols/domestic.js';
import { KisMalformedReplyError } from '../errors.js';
import { KIS_PATHS } from '../paths.js';
import { resolveTrId } from '../tr-ids.js';
import { parseEstimatePerform, type EarningsEstimate } from '../wire/estimate-perform.js';
import { parseInvestOpinions, type InvestOpinion } from '../wire/invest-opinions.js';
import { hasNewsOutput, parseNewsTitles, type NewsTitle } from '../wire/news-titles.js';
import { reportIssues, requireValue, type EndpointContext } from './context.js';
import { assertHms } from './minute-chart.js';
import { assertYmd, type QuoteCallOptions } from './quotes.js';

export type ResearchCallOptions = Omit<QuoteCallOptions, 'market'>;

export interface NewsQuery extends ResearchCallOptions {
  /** 6-char code; blank or absent = market-wide headlines. */
  code?: string;
  /** Newest instant to return (KST): YYYYMMDD + HHMMSS; absent = now. */
  beforeYmd?: string;
  beforeHms?: string;
}

/**
 * One page of headlines at or before the given instant, newest first. Dates go out as "00YYYYMMDD" and
 * times as HHMMSS, the forms the portal's sample names (❓ KIS also appears to accept plain YYYYMMDD).
 */
export async function inquireNewsTitles(ctx: EndpointContext, q: NewsQuery = {}): Promise<NewsTitle[]> {
  const iscd = q.code ? parseDomesticCode(q.code).code : '';
  if (q.beforeYmd !== undefined) assertYmd(q.beforeYmd, 'beforeYmd');
  if (q.beforeHms !== undefined) assertHms(q.beforeHms, 'beforeHms');
  const trId = resolveTrId('newsTitle', ctx.client.mode);
  const res = await ctx.client.request(
    {
      method: 'GET',
      path: KIS_PATHS.newsTitle,
      trId,
      priority: q.priority,
      params: {
        FID_NEWS_OFER_ENTP_CODE: '',
        FID_COND_MRKT_CLS_CODE: '',
        FID_INPUT_ISCD: iscd,
        FID_TITL_CNTT: '',
        FID_INPUT_DATE_1: q.beforeYmd ? `00${q.beforeYmd}` : '',
        FID_INPUT_HOUR_1: q.beforeYmd ? (q.beforeHms ?? '235959') : '',
        FID_RANK_SORT_CLS_CODE: '',
        FID_INPUT_SRNO: '',
      },
    },
    q.signal,
  );
  if (!hasNewsOutput(res.body)) throw new KisMalformedReplyError(trId, 'output (the headlines) missing from a success reply');
  return reportIssues(ctx, trId, parseNewsTitles(res.body));
}

export interface FetchNewsOptions extends ResearchCallOptions {
  /** Oldest instant wanted, KST, "YYYYMMDDHHMMSS". */
  since: string;
  /** Upper bound on calls, default 20. */
  maxCalls?: number;
}

/**
 * Headlines of one code from now back to `since`, oldest first, de-duplicated by id. Pages backwards by moving
 * the date/time cursor to the oldest headline received (inclusive, so same-second headlines are not lost;
 * more headlines in one second than a page holds cannot be reached — a KIS limit).
 */
export async function fetchNewsTitles(ctx: EndpointContext, code: string, o: FetchNewsOptions): Promise<NewsTitle[]> {
  if (!/^\d{14}$/.test(o.since)) throw new RangeError(`since must be YYYYMMDDHHMMSS, got ${JSON.stringify(o.since)}`);
  const byId = new Map<string, NewsTitle>();
  let before: { ymd: string; hms: string } | undefined;
  const maxCalls = o.maxCalls ?? 20;
  for (let call = 0; call < maxCalls; call++) {
    const page = await inquireNewsTitles(ctx, { ...o, code, beforeYmd: before?.ymd, beforeHms: before?.hms });
    let added = 0;
    let oldest: NewsTitle | undefined;
    for (const n of page) {
      if (`${n.date}${n.time}` < o.since) continue;
      if (!byId.has(n.id)) {
        byId.set(n.id, n);
        added++;
      }
      if (oldest === undefined || `${n.date}${n.time}` < `${oldest.date}${oldest.time}`) oldest = n;
    }
    const exhausted = page.length === 0 || page.some((n) => `${n.date}${n.time}` < o.since);
    if (exhausted || added === 0 || oldest === undefined) break;
    before = { ymd: oldest.date, hms: oldest.time };
  }
  return [...byId.values()].sort((a, b) => (`${a.date}${a.time}${a.id}` < `${b.date}${b.time}${b.id}` ? -1 : 1));
}

/** Brokerage opinions on a code between fromYmd and toYmd (inclusive), newest first; follows tr_cont pages. */
export async function inquireInvestOpinions(ctx: EndpointContext, code: string, fromYmd: string, toYmd: string, o: ResearchCallOptions = {}): Promise<InvestOpinion[]> {
  const sym = parseDomesticCode(code);
  assertYmd(fromYmd, 'fromYmd');
  assertYmd(toYmd, 'toYmd');
  const trId = resolveTrId('investOpinion', ctx.client.mode);
  // No cursor fields: like the official sample, a continuation resends the same query with tr_cont N.
  const pages = await ctx.client.requestAllPages(
    {
      method: 'GET',
      path: KIS_PATHS.investOpinion,
      trId,
      priority: o.priority,
      params: { FID_COND_MRKT_DIV_CODE: 'J', FID_COND_SCR_DIV_CODE: '16633', FID_INPUT_ISCD: sym.code, FID_INPUT_DATE_1: fromYmd, FID_INPUT_DATE_2: toYmd },
    },
    { cursorKeys: [] },
    o.signal,
  );
  const out: InvestOpinion[] = [];
  for (const p of pages) {
    if (!Array.isArray(p.body['output'])) throw new KisMalformedReplyError(trId, 'output (the opinions) missing from a success reply');
    out.push(...reportIssues(ctx, trId, parseInvestOpinions(p.body)));
  }
  return out;
}

/**
 * Consensus estimates for a code; null when KIS has none (no analyst coverage: every block empty).
 * Throws KisMalformedReplyError when the blocks are missing or do not line up.
 */
export async function inquireEstimatePerform(ctx: EndpointContext, code: string, o: ResearchCallOptions = {}): Promise<EarningsEstimate | null> {
  const sym = parseDomesticCode(code);
  const trId = resolveTrId('estimatePerform', ctx.client.mode);
  const res = await ctx.client.request({ method: 'GET', path: KIS_PATHS.estimatePerform, trId, priority: o.priority, params: { SHT_CD: sym.code } }, o.signal);
  const { value, issues } = parseEstimatePerform(res.body);
  if (value === null) return reportIssues(ctx, trId, { value: null, issues });
  return requireValue(ctx, trId, { value, issues });
}
