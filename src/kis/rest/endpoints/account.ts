// Domestic account queries (fact sheet §4.3): inquire-balance and inquire-daily-ccld, every page
// (page size real 50/100, paper 20/15), cursors CTX_AREA_FK100/NK100.
import { parseDomesticCode } from '../../symbols/domestic.js';
import { KIS_PATHS } from '../paths.js';
import type { RatePriority } from '../../../net/rate-limiter.js';
import { resolveTrId } from '../tr-ids.js';
import { parseBalancePage, parseDailyCcldPage, type BalanceSummary, type Execution, type ExecutionTotals, type Holding } from '../wire/account.js';
import { reportIssues, type EndpointContext } from './context.js';
import { assertYmd } from './quotes.js';

const CURSORS_100 = ['CTX_AREA_FK100', 'CTX_AREA_NK100'] as const;

export interface Balance {
  holdings: Holding[];
  /** From the last page carrying output2; undefined if none did. */
  summary: BalanceSummary | undefined;
  pages: number;
}

export interface BalanceOptions {
  /** AFHR_FLPR_YN: N regular (default), Y after-hours, X NXT. */
  afterHours?: 'N' | 'Y' | 'X';
  /** PRCS_DVSN: 00 include prior-day trades (default), 01 exclude. */
  prcsDvsn?: '00' | '01';
  priority?: RatePriority;
  signal?: AbortSignal;
}

/** Holdings and cash summary, all pages. */
export async function inquireBalance(ctx: EndpointContext, o: BalanceOptions = {}): Promise<Balance> {
  const trId = resolveTrId('inquireBalance', ctx.client.mode);
  const pages = await ctx.client.requestAllPages(
    {
      method: 'GET',
      path: KIS_PATHS.inquireBalance,
      trId,
      priority: o.priority,
      params: {
        CANO: ctx.account.cano,
        ACNT_PRDT_CD: ctx.account.acntPrdtCd,
        AFHR_FLPR_YN: o.afterHours ?? 'N',
        OFL_YN: '',
        // 01 (by loan date): KIS refuses 02 (by stock) with OPSQ2001 INVALID_CHECK_INQR_DVSN since its
        // 2026-02-10 notice (python-kis issue #81 / PR #82 quote it); the fact sheet still lists 02.
        INQR_DVSN: '01',
        UNPR_DVSN: '01',
        FUND_STTL_ICLD_YN: 'N',
        FNCG_AMT_AUTO_RDPT_YN: 'N',
        PRCS_DVSN: o.prcsDvsn ?? '00',
        CTX_AREA_FK100: '',
        CTX_AREA_NK100: '',
      },
    },
    { cursorKeys: CURSORS_100 },
    o.signal,
  );
  const holdings: Holding[] = [];
  let summary: BalanceSummary | undefined;
  for (const p of pages) {
    const page = reportIssues(ctx, trId, parseBalancePage(p.body));
    holdings.push(...page.holdings);
    summary = page.summary ?? summary;
  }
  return { holdings, summary, pages: pages.length };
}

export interface DailyCcldQuery {
  /** INQR_STRT_DT / INQR_END_DT, YYYYMMDD, within the last 3 months. */
  fromYmd: string;
  toYmd: string;
  side?: 'all' | 'sell' | 'buy';
  /** CCLD_DVSN: all (default), filled, unfilled. */
  fill?: 'all' | 'filled' | 'unfilled';
  /** Filter by code (PDNO). */
  code?: string;
  /** Filter by order (ODNO, with ORD_GNO_BRNO when known). */
  orderNo?: string;
  branchNo?: string;
  /** INQR_DVSN: newest first (default) or oldest first. */
  order?: 'newest' | 'oldest';
  exchange?: 'KRX' | 'NXT' | 'SOR' | 'ALL';
  priority?: RatePriority;
  signal?: AbortSignal;
}

export interface DailyExecutions {
  executions: Execution[];
  totals: ExecutionTotals | undefined;
  pages: number;
}

/** Orders and fills between two dates, all pages — also how an unresolved order is reconciled. */
export async function inquireDailyCcld(ctx: EndpointContext, q: DailyCcldQuery): Promise<DailyExecutions> {
  assertYmd(q.fromYmd, 'fromYmd');
  assertYmd(q.toYmd, 'toYmd');
  const trId = resolveTrId('inquireDailyCcld', ctx.client.mode);
  const pages = await ctx.client.requestAllPages(
    {
      method: 'GET',
      path: KIS_PATHS.inquireDailyCcld,
      trId,
      priority: q.priority,
      params: {
        CANO: ctx.account.cano,
        ACNT_PRDT_CD: ctx.account.acntPrdtCd,
        INQR_STRT_DT: q.fromYmd,
        INQR_END_DT: q.toYmd,
        SLL_BUY_DVSN_CD: q.side === 'sell' ? '01' : q.side === 'buy' ? '02' : '00',
        INQR_DVSN: q.order === 'oldest' ? '01' : '00',
        PDNO: q.code === undefined ? '' : parseDomesticCode(q.code).apiCode,
        CCLD_DVSN: q.fill === 'filled' ? '01' : q.fill === 'unfilled' ? '02' : '00',
        ORD_GNO_BRNO: q.branchNo ?? '',
        ODNO: q.orderNo ?? '',
        INQR_DVSN_3: '00',
        INQR_DVSN_1: '',
        CTX_AREA_FK100: '',
        CTX_AREA_NK100: '',
        EXCG_ID_DVSN_CD: q.exchange,
      },
    },
    { cursorKeys: CURSORS_100 },
    q.signal,
  );
  const executions: Execution[] = [];
  let totals: ExecutionTotals | undefined;
  for (const p of pages) {
    const page = reportIssues(ctx, trId, parseDailyCcldPage(p.body));
    executions.push(...page.executions);
    totals ??= page.totals;
  }
  return { executions, totals, pages: pages.length };
}
