// The research datasets on KIS's own endpoints (issue 13 item 2: the roles seed 002 gives KRX/Naver): news
// headlines per symbol (news-title, paged back to params.since, default the last 24 h — seed 002 §9's news
// window), brokerage opinions (invest-opinion, params.fromYmd–toYmd, default the last 7 days — the consensus
// window) and the consensus estimate (estimate-perform). A symbol with nothing in the window is "no data"
// (NotFoundError); a reply of the wrong shape stays an error (the adapter throws KisMalformedReplyError).
import { kstDateTime, kstInstant, kstYmd } from '../../../core/kst.js';
import type { EstimateRow, NewsRow, OpinionRow } from '../../../store/research-repo.js';
import { createBaseFetcher } from '../../base-fetcher.js';
import { NotFoundError } from '../../fetch-errors.js';
import type { Fetcher } from '../../fetcher.js';
import type { KisFetcherOptions } from './kis-daily-bars.js';
import type { KisResearchPort } from './kis-ports.js';

export type KisResearchFetcherOptions = Omit<KisFetcherOptions, 'api'> & { api: KisResearchPort };

const DAY_MS = 86_400_000;
const YMD = /^\d{8}$/;
const SINCE = /^\d{14}$/;

function param(params: Readonly<Record<string, unknown>> | undefined, key: string, valid: RegExp): string | undefined {
  const v = params?.[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !valid.test(v)) throw new RangeError(`${key} must match ${String(valid)}, got ${JSON.stringify(v)}`);
  return v;
}

/** Headlines of the last 24 h (or since params.since, "YYYYMMDDHHMMSS" KST). */
export function createKisNewsFetcher(opts: KisResearchFetcherOptions): Fetcher<NewsRow> {
  return createBaseFetcher<NewsRow>({
    ...opts,
    name: 'kis-news',
    async fetchOne(code, ctx) {
      const since = param(ctx.params, 'since', SINCE) ?? kstDateTime(opts.clock.nowMs() - DAY_MS).toFormat('yyyyMMddHHmmss');
      const titles = await opts.api.fetchNewsTitles(code, { since, signal: ctx.signal, priority: 'bulk' });
      if (titles.length === 0) throw new NotFoundError(`no headlines for ${code} since ${since}`);
      return titles.map((t) => ({
        symbol: code,
        newsId: t.id,
        publishedAtMs: kstInstant(`${t.date.slice(0, 4)}-${t.date.slice(4, 6)}-${t.date.slice(6, 8)}T${t.time.slice(0, 2)}:${t.time.slice(2, 4)}:${t.time.slice(4, 6)}`),
        title: t.title,
        source: t.source,
        providerCode: t.providerCode,
      }));
    },
  });
}

/** Brokerage opinions between params.fromYmd and params.toYmd (default: the last 7 days through today). */
export function createKisOpinionsFetcher(opts: KisResearchFetcherOptions): Fetcher<OpinionRow> {
  return createBaseFetcher<OpinionRow>({
    ...opts,
    name: 'kis-opinions',
    async fetchOne(code, ctx) {
      const now = opts.clock.nowMs();
      const fromYmd = param(ctx.params, 'fromYmd', YMD) ?? kstYmd(now - 7 * DAY_MS);
      const toYmd = param(ctx.params, 'toYmd', YMD) ?? kstYmd(now);
      const opinions = await opts.api.inquireInvestOpinions(code, fromYmd, toYmd, { signal: ctx.signal, priority: 'bulk' });
      if (opinions.length === 0) throw new NotFoundError(`no brokerage opinions for ${code} in ${fromYmd}–${toYmd}`);
      return opinions.map((o) => ({ symbol: code, date: o.date, broker: o.broker, opinion: o.opinion, targetPrice: o.targetPrice, prevClose: o.prevClose }));
    },
  });
}

/** The consensus estimate (one row per symbol); a symbol no analyst covers is "no data". */
export function createKisEstimatesFetcher(opts: KisResearchFetcherOptions): Fetcher<EstimateRow> {
  return createBaseFetcher<EstimateRow>({
    ...opts,
    name: 'kis-estimates',
    async fetchOne(code, ctx) {
      const e = await opts.api.inquireEstimatePerform(code, { signal: ctx.signal, priority: 'bulk' });
      if (e === null) throw new NotFoundError(`no consensus estimate for ${code} (no analyst coverage)`);
      return [{ symbol: code, estimateDate: e.estimateDate, recommendation: e.recommendation, data: { periods: e.periods, income: e.income, indicators: e.indicators } }];
    },
  });
}
