// OpenDART fetchers: one listing code → its disclosures in a date range ('dart-disclosures') or the key accounts
// of one report ('dart-financials'). The listing code is mapped to DART's corp_code first; a code DART has no
// filer for, and DART's 013 (no data), are "no data" (skipped, not queued). Every other failure is the client's
// typed error, which the error table classifies (020 → wait and retry, bad key → stop the run).
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import { kstYmd } from '../../../core/kst.js';
import type { DisclosureRow, KeyAccountRow } from '../../../store/dart-repo.js';
import { createBaseFetcher, type FetchRetryOptions } from '../../base-fetcher.js';
import { NotFoundError } from '../../fetch-errors.js';
import type { Fetcher } from '../../fetcher.js';
import type { DartCorpCodesLike, DartDataPort, DartReportCode } from './dart-ports.js';

export interface DartFetcherOptions {
  api: DartDataPort;
  /** Today's corp-code map (loaded once a day, cached on disk by the composition root). */
  corpCodes(signal?: AbortSignal): Promise<DartCorpCodesLike>;
  clock: Clock;
  logger?: Logger;
  retry?: Partial<FetchRetryOptions>;
}

const YMD = /^\d{8}$/;
const REPORT_CODES: readonly DartReportCode[] = ['11013', '11012', '11014', '11011'];

/** The DART client already waits out 020 and 800 and backs off 5xx itself: one more try per symbol, then the queue. */
const DART_FETCH_RETRY: Partial<FetchRetryOptions> = { maxRetries: 1, baseDelayMs: 5_000, maxDelayMs: 60_000 };

async function corpCodeOf(o: DartFetcherOptions, code: string, signal: AbortSignal | undefined): Promise<string> {
  const corp = (await o.corpCodes(signal)).corpCodeFor(code);
  if (corp === undefined) throw new NotFoundError(`no DART filer for listing code ${code}`);
  return corp;
}

/** params.fromYmd / toYmd, default the week up to today (KST). */
export function disclosureRange(params: Readonly<Record<string, unknown>> | undefined, nowMs: number): { fromYmd: string; toYmd: string } {
  const from = params?.['fromYmd'];
  const to = params?.['toYmd'];
  return {
    fromYmd: typeof from === 'string' && YMD.test(from) ? from : kstYmd(nowMs - 7 * 86_400_000),
    toYmd: typeof to === 'string' && YMD.test(to) ? to : kstYmd(nowMs),
  };
}

/** Fetcher 'dart-disclosures': one listing code → its disclosures between params.fromYmd and params.toYmd. */
export function createDartDisclosuresFetcher(o: DartFetcherOptions): Fetcher<DisclosureRow> {
  return createBaseFetcher<DisclosureRow>({
    name: 'dart-disclosures',
    clock: o.clock,
    logger: o.logger,
    retry: { ...DART_FETCH_RETRY, ...o.retry },
    async fetchOne(code, ctx) {
      const corpCode = await corpCodeOf(o, code, ctx.signal);
      const { fromYmd, toYmd } = disclosureRange(ctx.params, o.clock.nowMs());
      const list = await o.api.listDisclosures({ corpCode, fromYmd, toYmd, signal: ctx.signal, priority: 'bulk' });
      if (list.length === 0) throw new NotFoundError(`no disclosures for ${code} between ${fromYmd} and ${toYmd} (DART 013)`);
      return list.map((d) => ({ ...d, stockCode: d.stockCode ?? code }));
    },
  });
}

/** params.bsnsYear (default last year, KST) and params.reportCode (default 11011, the annual report). */
export function financialsReport(params: Readonly<Record<string, unknown>> | undefined, nowMs: number): { bsnsYear: number; reportCode: DartReportCode } {
  const year = Number(params?.['bsnsYear']);
  const report = params?.['reportCode'];
  return {
    bsnsYear: Number.isInteger(year) && year >= 2015 ? year : Number(kstYmd(nowMs).slice(0, 4)) - 1,
    reportCode: REPORT_CODES.includes(report as DartReportCode) ? (report as DartReportCode) : '11011',
  };
}

/** Fetcher 'dart-financials': one listing code → the key accounts of one report. */
export function createDartFinancialsFetcher(o: DartFetcherOptions): Fetcher<KeyAccountRow> {
  return createBaseFetcher<KeyAccountRow>({
    name: 'dart-financials',
    clock: o.clock,
    logger: o.logger,
    retry: { ...DART_FETCH_RETRY, ...o.retry },
    async fetchOne(code, ctx) {
      const corpCode = await corpCodeOf(o, code, ctx.signal);
      const { bsnsYear, reportCode } = financialsReport(ctx.params, o.clock.nowMs());
      const accounts = await o.api.keyAccounts(corpCode, bsnsYear, reportCode, { signal: ctx.signal, priority: 'bulk' });
      if (accounts.length === 0) throw new NotFoundError(`no key accounts for ${code} in ${bsnsYear} report ${reportCode} (DART 013: not filed)`);
      return accounts.map((a) => ({ ...a, corpCode, stockCode: a.stockCode ?? code }));
    },
  });
}
