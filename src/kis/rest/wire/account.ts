// Wire → domain for domestic account TRs (fact sheet §4.3): inquire-balance (output1[] holdings,
// output2[] one summary row) and inquire-daily-ccld (output1[] orders, output2 totals). Pure; one page each.
import { isBlankRow, readObject, readRows, type FieldReader, type Parsed, type ParseIssue } from './fields.js';

export interface Holding {
  code: string;
  name: string;
  /** hldg_qty; sold-out holdings stay at 0 until D+2. */
  qty: number;
  orderableQty: number;
  avgPrice: number;
  purchaseAmount: number | null;
  price: number | null;
  evalAmount: number | null;
  pnlAmount: number | null;
  pnlRatePct: number | null;
}

export interface BalanceSummary {
  /** dnca_tot_amt: deposit. */
  cash: number | null;
  /** nxdy_excc_amt: D+1 settlement cash. */
  nextDayCash: number | null;
  /** prvs_rcdl_excc_amt: D+2 settlement cash. */
  d2Cash: number | null;
  stockEvalAmount: number | null;
  totalEvalAmount: number | null;
  netAssetAmount: number | null;
  pnlTotal: number | null;
}

export interface BalancePage {
  holdings: Holding[];
  summary: BalanceSummary | undefined;
}

function summary(r: FieldReader): BalanceSummary {
  return {
    cash: r.optNum('dnca_tot_amt'),
    nextDayCash: r.optNum('nxdy_excc_amt'),
    d2Cash: r.optNum('prvs_rcdl_excc_amt'),
    stockEvalAmount: r.optNum('scts_evlu_amt'),
    totalEvalAmount: r.optNum('tot_evlu_amt'),
    netAssetAmount: r.optNum('nass_amt'),
    pnlTotal: r.optNum('evlu_pfls_smtl_amt'),
  };
}

export function parseBalancePage(body: Record<string, unknown>): Parsed<BalancePage> {
  const issues: ParseIssue[] = [];
  const holdings = readRows(
    body,
    'output1',
    issues,
    (r) => ({
      code: r.req('pdno'),
      name: r.str('prdt_name').trim(),
      qty: r.num('hldg_qty'),
      orderableQty: r.num('ord_psbl_qty'),
      avgPrice: r.num('pchs_avg_pric'),
      purchaseAmount: r.optNum('pchs_amt'),
      price: r.optNum('prpr'),
      evalAmount: r.optNum('evlu_amt'),
      pnlAmount: r.optNum('evlu_pfls_amt'),
      pnlRatePct: r.optNum('evlu_pfls_rt'),
    }),
    isBlankRow,
  );
  const hasSummary = body['output2'] !== undefined && !(Array.isArray(body['output2']) && body['output2'].length === 0);
  const s = hasSummary ? readObject(body, 'output2', issues) : undefined;
  return { value: { holdings, summary: s ? summary(s) : undefined }, issues };
}

export interface Execution {
  /** ord_dt YYYYMMDD */
  orderDate: string;
  /** ord_gno_brno */
  branchNo: string;
  orderNo: string;
  /** orgn_odno: the original order for revisions/cancels; "" otherwise. */
  originalOrderNo: string;
  ordDvsn: string;
  side: 'sell' | 'buy' | 'unknown';
  code: string;
  name: string;
  orderQty: number;
  orderPrice: number | null;
  /** ord_tmd HHMMSS */
  orderTime: string;
  filledQty: number;
  avgFillPrice: number | null;
  filledAmount: number | null;
  cancelled: boolean;
  remainingQty: number | null;
  rejectedQty: number | null;
}

export interface ExecutionTotals {
  orderQty: number | null;
  filledQty: number | null;
  filledAmount: number | null;
  estimatedFees: number | null;
}

export interface DailyCcldPage {
  executions: Execution[];
  totals: ExecutionTotals | undefined;
}

export function parseDailyCcldPage(body: Record<string, unknown>): Parsed<DailyCcldPage> {
  const issues: ParseIssue[] = [];
  const executions = readRows(
    body,
    'output1',
    issues,
    (r): Execution => {
      const sb = r.str('sll_buy_dvsn_cd').trim();
      return {
        orderDate: r.req('ord_dt', /^\d{8}$/),
        branchNo: r.str('ord_gno_brno').trim(),
        orderNo: r.req('odno'),
        originalOrderNo: r.str('orgn_odno').trim(),
        ordDvsn: r.str('ord_dvsn_cd').trim(),
        side: sb === '01' ? 'sell' : sb === '02' ? 'buy' : 'unknown',
        code: r.str('pdno').trim(),
        name: r.str('prdt_name').trim(),
        orderQty: r.num('ord_qty'),
        orderPrice: r.optNum('ord_unpr'),
        orderTime: r.str('ord_tmd').trim(),
        filledQty: r.num('tot_ccld_qty'),
        avgFillPrice: r.optNum('avg_prvs'),
        filledAmount: r.optNum('tot_ccld_amt'),
        cancelled: r.str('cncl_yn').trim() === 'Y',
        remainingQty: r.optNum('rmn_qty'),
        rejectedQty: r.optNum('rjct_qty'),
      };
    },
    isBlankRow,
  );
  const t = body['output2'] === undefined ? undefined : readObject(body, 'output2', issues);
  const totals = t
    ? { orderQty: t.optNum('tot_ord_qty'), filledQty: t.optNum('tot_ccld_qty'), filledAmount: t.optNum('tot_ccld_amt'), estimatedFees: t.optNum('prsm_tlex_smtl') }
    : undefined;
  return { value: { executions, totals }, issues };
}
