// OpenDART rows: disclosures (list.json) by receipt number and key financial accounts (fnlttSinglAcnt.json) by
// company, year, report, statement and account; idempotent upserts, one transaction per batch.
import type { SqliteDatabase } from './database.js';

export interface DisclosureRow {
  receiptNo: string;
  /** "YYYYMMDD" (KST) */
  receiptDate: string;
  corpCode: string;
  stockCode: string | null;
  corpName: string;
  corpClass: string;
  reportName: string;
  filerName: string;
  remarks: string;
}

export interface KeyAccountRow {
  corpCode: string;
  bsnsYear: string;
  reportCode: string;
  fsDiv: string;
  sjDiv: string;
  accountName: string;
  stockCode: string | null;
  receiptNo: string;
  currentPeriod: string;
  currentAmount: number | null;
  currentCumulative: number | null;
  previousAmount: number | null;
  beforePreviousAmount: number | null;
  order: number | null;
  currency: string;
}

export interface DartRepo {
  /** Upserts disclosures; returns those never stored before (first_seen_at = nowMs), in input order. */
  upsertDisclosures(rows: readonly DisclosureRow[], nowMs: number): DisclosureRow[];
  disclosuresFor(stockCode: string, limit?: number): DisclosureRow[];
  upsertKeyAccounts(rows: readonly KeyAccountRow[], nowMs: number): void;
  keyAccountsFor(corpCode: string, bsnsYear: string, reportCode: string): KeyAccountRow[];
  counts(): { disclosures: number; keyAccounts: number };
}

const DISCLOSURE_COLUMNS = `receipt_no AS receiptNo, receipt_date AS receiptDate, corp_code AS corpCode, stock_code AS stockCode,
  corp_name AS corpName, corp_class AS corpClass, report_name AS reportName, filer_name AS filerName, remarks`;
const ACCOUNT_COLUMNS = `corp_code AS corpCode, bsns_year AS bsnsYear, reprt_code AS reportCode, fs_div AS fsDiv, sj_div AS sjDiv,
  account_name AS accountName, stock_code AS stockCode, receipt_no AS receiptNo, current_period AS currentPeriod,
  current_amount AS currentAmount, current_cumulative AS currentCumulative, previous_amount AS previousAmount,
  before_previous_amount AS beforePreviousAmount, ord AS "order", currency`;

export function createDartRepo(db: SqliteDatabase): DartRepo {
  const exists = db.prepare('SELECT 1 FROM dart_disclosures WHERE receipt_no = ?').pluck();
  const upsertDisclosure = db.prepare(`
    INSERT INTO dart_disclosures (receipt_no, receipt_date, corp_code, stock_code, corp_name, corp_class, report_name, filer_name, remarks, first_seen_at, updated_at)
    VALUES (@receiptNo, @receiptDate, @corpCode, @stockCode, @corpName, @corpClass, @reportName, @filerName, @remarks, @nowMs, @nowMs)
    ON CONFLICT (receipt_no) DO UPDATE SET
      receipt_date = excluded.receipt_date, corp_code = excluded.corp_code, stock_code = excluded.stock_code,
      corp_name = excluded.corp_name, corp_class = excluded.corp_class, report_name = excluded.report_name,
      filer_name = excluded.filer_name, remarks = excluded.remarks, updated_at = excluded.updated_at`);
  const upsertAccount = db.prepare(`
    INSERT INTO dart_key_accounts (corp_code, bsns_year, reprt_code, fs_div, sj_div, account_name, stock_code, receipt_no, current_period,
      current_amount, current_cumulative, previous_amount, before_previous_amount, ord, currency, updated_at)
    VALUES (@corpCode, @bsnsYear, @reportCode, @fsDiv, @sjDiv, @accountName, @stockCode, @receiptNo, @currentPeriod,
      @currentAmount, @currentCumulative, @previousAmount, @beforePreviousAmount, @order, @currency, @nowMs)
    ON CONFLICT (corp_code, bsns_year, reprt_code, fs_div, sj_div, account_name) DO UPDATE SET
      stock_code = excluded.stock_code, receipt_no = excluded.receipt_no, current_period = excluded.current_period,
      current_amount = excluded.current_amount, current_cumulative = excluded.current_cumulative,
      previous_amount = excluded.previous_amount, before_previous_amount = excluded.before_previous_amount,
      ord = excluded.ord, currency = excluded.currency, updated_at = excluded.updated_at`);
  const forStock = db.prepare(`SELECT ${DISCLOSURE_COLUMNS} FROM dart_disclosures WHERE stock_code = ? ORDER BY receipt_no DESC LIMIT ?`);
  const forReport = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM dart_key_accounts WHERE corp_code = ? AND bsns_year = ? AND reprt_code = ? ORDER BY fs_div, sj_div, ord, account_name`);
  const countStmt = db.prepare('SELECT (SELECT COUNT(*) FROM dart_disclosures) AS disclosures, (SELECT COUNT(*) FROM dart_key_accounts) AS keyAccounts');
  const disclosures = db.transaction((rows: readonly DisclosureRow[], nowMs: number): DisclosureRow[] => {
    const fresh: DisclosureRow[] = [];
    for (const r of rows) {
      if (exists.get(r.receiptNo) === undefined) fresh.push(r);
      upsertDisclosure.run({ ...r, nowMs });
    }
    return fresh;
  });
  const accounts = db.transaction((rows: readonly KeyAccountRow[], nowMs: number) => {
    for (const r of rows) upsertAccount.run({ ...r, nowMs });
  });
  return {
    upsertDisclosures: (rows, nowMs) => disclosures(rows, nowMs),
    disclosuresFor: (stockCode, limit = 100) => forStock.all(stockCode, limit) as DisclosureRow[],
    upsertKeyAccounts: (rows, nowMs) => accounts(rows, nowMs),
    keyAccountsFor: (corpCode, bsnsYear, reportCode) => forReport.all(corpCode, bsnsYear, reportCode) as KeyAccountRow[],
    counts: () => countStmt.get() as { disclosures: number; keyAccounts: number },
  };
}
